"""The connections a workshop made: room-mate pairs, and which of them are new."""

from itertools import combinations

from django.db.models import Q

from breakouts.models import Room, Seat
from breakouts.reportout import room_members
from workshops.models import Participant, Workshop, normalise_label


def _email_key(email):
    return (email or "").strip().casefold()


def met_before(workshop):
    """Returns the set of e-mail pairs (frozensets) who shared a room, in any round, in an
    earlier workshop run by this workshop's owner. People without an e-mail cannot be
    recognised: never met."""
    earlier = (
        Workshop.objects.hosted_by(workshop.owner)
        .exclude(pk=workshop.pk)
        .filter(
            Q(created_at__lt=workshop.created_at)
            | Q(created_at=workshop.created_at, pk__lt=workshop.pk)
        )
    )
    seated = (
        Seat.objects.filter(participant__workshop__in=earlier)
        .exclude(participant__email="")
        .values_list("room_id", "participant__email")
    )
    # The seats hold every round; the current rooms are there too for rooms filled before
    # seats were recorded.
    now = (
        Participant.objects.filter(workshop__in=earlier, room__isnull=False)
        .exclude(email="")
        .values_list("room_id", "email")
    )
    by_room = {}
    for room_id, email in [*seated, *now]:
        by_room.setdefault(room_id, set()).add(_email_key(email))
    pairs = set()
    for emails in by_room.values():
        pairs.update(frozenset(pair) for pair in combinations(sorted(emails), 2))
    return pairs


def _tally(pairs, met):
    """Counts `pairs` of (e-mail key, department, location) tuples: all, new (not met before),
    and the new ones across departments and across locations."""
    counts = {"pairs": 0, "new_pairs": 0, "cross_department": 0, "cross_location": 0}
    for a, b in pairs:
        counts["pairs"] += 1
        if met and a[0] and b[0] and frozenset((a[0], b[0])) in met:
            continue
        counts["new_pairs"] += 1
        counts["cross_department"] += a[1] != b[1]
        counts["cross_location"] += a[2] != b[2]
    return counts


def connection_counts(workshop, rooms=None):
    """Counts the room-mate pairs of a workshop, and the new cross-department and
    cross-location ones among them.

    A pair is counted once however many rounds it shared a room in. A pair is *new* unless
    both e-mails shared a room in one of the owner's earlier workshops. `rooms` may be rooms
    of `breakouts.reportout.rooms_queryset` (saves queries). Returns {"pairs", "new_pairs",
    "cross_department", "cross_location", "rounds"}, where "rounds" holds the same counts
    (and "round") for each round that has rooms.
    """
    seating, keys = _seating(workshop) if rooms is None else _seating_of(rooms)
    met = met_before(workshop)
    per_round, everyone = {}, {}
    for round_number, people in seating:
        pairs = per_round.setdefault(round_number, {})
        for a, b in combinations(sorted(people), 2):
            pairs[a, b] = everyone[a, b] = (keys[a], keys[b])
    counts = _tally(everyone.values(), met)
    counts["rounds"] = [  # one round's pairs are everyone's: counted once
        {"round": number, **(_tally(pairs.values(), met) if len(per_round) > 1 else counts)}
        for number, pairs in sorted(per_round.items())
    ]
    return counts


def _keys(rows):
    """Returns {participant id: (e-mail key, department, location)} of (id, e-mail,
    department, location) rows, each distinct label normalised once."""
    labels = {}

    def label(value):
        if value not in labels:
            labels[value] = normalise_label(value)
        return labels[value]

    return {pk: (_email_key(email), label(department), label(location))
            for pk, email, department, location in rows}


def _seating(workshop):
    """Returns ([(round, {participant ids})] per room, keys) from plain rows: at 100 rooms x
    10 the model instances of rooms, members and seats cost most of the debrief results."""
    round_of = dict(Room.objects.filter(workshop=workshop).values_list("pk", "round"))
    people = {room_id: set() for room_id in round_of}
    seated = Seat.objects.filter(room__workshop=workshop).values_list("room_id", "participant_id")
    now = Participant.objects.filter(workshop=workshop, room__isnull=False).values_list(
        "room_id", "pk")
    for room_id, pk in [*seated, *now]:
        people[room_id].add(pk)
    keys = _keys(Participant.objects.filter(workshop=workshop).values_list(
        "pk", "email", "department", "location"))
    return [(round_of[room_id], ids) for room_id, ids in people.items()], keys


def _seating_of(rooms):
    """_seating from rooms with their members and seats prefetched."""
    seating, people = [], {}
    for room in rooms:
        members = room_members(room)
        people.update((person.pk, person) for person in members)
        seating.append((room.round, {person.pk for person in members}))
    return seating, _keys((p.pk, p.email, p.department, p.location) for p in people.values())


def people_met(participant):
    """Returns everyone the participant shared a room with, in any round, by name (each once)."""
    room_ids = set(participant.seats.values_list("room_id", flat=True))
    if participant.room_id:
        room_ids.add(participant.room_id)
    return (
        Participant.objects.filter(Q(room_id__in=room_ids) | Q(seats__room_id__in=room_ids))
        .exclude(pk=participant.pk)
        .distinct()
        .order_by("name", "pk")
    )


def rounds_met(participant):
    """Returns {participant id: [rounds]} of the rounds in which the participant shared a room
    with each person they met."""
    rooms = dict(participant.seats.values_list("room_id", "round"))
    if participant.room_id and participant.room_id not in rooms:
        rooms[participant.room_id] = participant.room.round
    met = {}
    seated = Seat.objects.filter(room_id__in=rooms).exclude(participant=participant)
    for other, round_number in seated.values_list("participant_id", "round"):
        met.setdefault(other, set()).add(round_number)
    now = Participant.objects.filter(room_id__in=rooms).exclude(pk=participant.pk)
    for other, room_id in now.values_list("pk", "room_id"):
        met.setdefault(other, set()).add(rooms[room_id])
    return {other: sorted(rounds) for other, rounds in met.items()}
