"""The connections a workshop made: room-mate pairs, and which of them are new."""

from itertools import combinations

from django.db.models import Q

from workshops.models import Participant, Workshop, normalise_label


def _email_key(email):
    return (email or "").strip().casefold()


def met_before(workshop):
    """Returns the set of e-mail pairs (frozensets) who shared a room in an earlier workshop
    run by this workshop's owner. People without an e-mail cannot be recognised: never met."""
    earlier = (
        Workshop.objects.hosted_by(workshop.owner)
        .exclude(pk=workshop.pk)
        .filter(
            Q(created_at__lt=workshop.created_at)
            | Q(created_at=workshop.created_at, pk__lt=workshop.pk)
        )
    )
    rows = (
        Participant.objects.filter(workshop__in=earlier, room__isnull=False)
        .exclude(email="")
        .values_list("room_id", "email")
    )
    by_room = {}
    for room_id, email in rows:
        by_room.setdefault(room_id, set()).add(_email_key(email))
    pairs = set()
    for emails in by_room.values():
        pairs.update(frozenset(pair) for pair in combinations(sorted(emails), 2))
    return pairs


def connection_counts(workshop, rooms=None):
    """Counts the room-mate pairs of a workshop, and the new cross-department and
    cross-location ones among them.

    A pair is *new* unless both e-mails shared a room in one of the owner's earlier
    workshops. `rooms` may be Room objects with `members` prefetched (saves a query).
    Returns {"pairs", "new_pairs", "cross_department", "cross_location"}.
    """
    if rooms is None:
        people = Participant.objects.filter(workshop=workshop, room__isnull=False)
        rows = people.values_list("room_id", "email", "department", "location")
    else:
        rows = ((room.pk, m.email, m.department, m.location)
                for room in rooms for m in room.members.all())
    # Each person's keys once (not once per pair: a 100 x 10 workshop has 4,500 pairs).
    by_room = {}
    for room_id, email, department, location in rows:
        by_room.setdefault(room_id, []).append(
            (_email_key(email), normalise_label(department), normalise_label(location))
        )
    met = met_before(workshop)
    counts = {"pairs": 0, "new_pairs": 0, "cross_department": 0, "cross_location": 0}
    for members in by_room.values():
        for a, b in combinations(members, 2):
            counts["pairs"] += 1
            if a[0] and b[0] and frozenset((a[0], b[0])) in met:
                continue
            counts["new_pairs"] += 1
            counts["cross_department"] += a[1] != b[1]
            counts["cross_location"] += a[2] != b[2]
    return counts
