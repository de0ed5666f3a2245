"""The connections a workshop made: room-mate pairs, and which of them are new."""

from collections import Counter
from itertools import combinations

from django.db.models import Q

from breakouts.models import Room, Seat
from breakouts.reportout import room_seating
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
    # Unordered: a set is made of them (Seat's ordering would join rooms and workshops).
    seated = (
        Seat.objects.filter(participant__workshop__in=earlier)
        .exclude(participant__email="")
        .order_by()
        .values_list("room_id", "participant__email")
    )
    # The seats hold every round; the current rooms are there too for rooms filled before
    # seats were recorded.
    now = (
        Participant.objects.filter(workshop__in=earlier, room__isnull=False)
        .exclude(email="")
        .order_by()
        .values_list("room_id", "email")
    )
    by_room = {}
    for room_id, email in [*seated, *now]:
        by_room.setdefault(room_id, set()).add(_email_key(email))
    pairs = set()
    for emails in by_room.values():
        pairs.update(frozenset(pair) for pair in combinations(sorted(emails), 2))
    return pairs


def _tally(rooms, met):
    """Counts the room-mate pairs of `rooms` ([[(e-mail key, department, location), …], …],
    no person in two of them): all, new (not met before), and the new ones across
    departments and across locations. By arithmetic per room — n(n-1)/2 pairs, less those
    within one department (or location) — and pair by pair only among people who met
    someone before."""
    total = new = cross_department = cross_location = 0
    met_people = {email for pair in met for email in pair} if met else ()
    for keys in rooms:
        n = len(keys)
        pairs = n * (n - 1) // 2
        total += pairs
        new += pairs
        cross_department += pairs - _same(key[1] for key in keys)
        cross_location += pairs - _same(key[2] for key in keys)
        known = [key for key in keys if key[0] in met_people] if met_people else ()
        for a, b in combinations(known, 2):
            if frozenset((a[0], b[0])) in met:
                new -= 1
                cross_department -= a[1] != b[1]
                cross_location -= a[2] != b[2]
    return {"pairs": total, "new_pairs": new, "cross_department": cross_department,
            "cross_location": cross_location}


def _same(labels):
    """Returns how many pairs of `labels` are equal."""
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


_FIELDS = ("pairs", "new_pairs", "cross_department", "cross_location")


def connection_counts(workshop, seating=None):
    """Counts the room-mate pairs of a workshop, and the new cross-department and
    cross-location ones among them.

    A pair is counted once however many rounds it shared a room in. A pair is *new* unless
    both e-mails shared a room in one of the owner's earlier workshops. `seating` may be
    `breakouts.reportout.room_seating` of the workshop's rooms (saves queries). Returns
    {"pairs", "new_pairs", "cross_department", "cross_location", "rounds"}, where "rounds"
    holds the same counts (and "round") for each round that has rooms.
    """
    if seating is None:
        seating = room_seating(Room.objects.filter(workshop=workshop))
    met = met_before(workshop)
    labels = {}  # each distinct department or location normalised once

    def label(value):
        if value not in labels:
            labels[value] = normalise_label(value)
        return labels[value]

    per_round = {}  # {round: [[(pk, e-mail key, department, location), …] a room]}
    for round_number, members in seating.values():
        per_round.setdefault(round_number, []).append([
            (person.pk, _email_key(person.email), label(person.department),
             label(person.location))
            for person in members
        ])
    rounds = {
        number: _tally([[key[1:] for key in room] for room in rooms], met)
        for number, rooms in per_round.items()
    }
    counts = {field: sum(tally[field] for tally in rounds.values()) for field in _FIELDS}
    if len(rounds) > 1:
        # A pair that shared a room in an earlier round is counted there only.
        seen = set()
        for number in sorted(per_round):
            for room in per_round[number]:
                for a, b in combinations(room, 2):
                    pair = (a[0], b[0]) if a[0] < b[0] else (b[0], a[0])
                    if pair not in seen:
                        seen.add(pair)
                        continue
                    counts["pairs"] -= 1
                    if met and a[1] and b[1] and frozenset((a[1], b[1])) in met:
                        continue
                    counts["new_pairs"] -= 1
                    counts["cross_department"] -= a[2] != b[2]
                    counts["cross_location"] -= a[3] != b[3]
    counts["rounds"] = [{"round": number, **rounds[number]} for number in sorted(rounds)]
    return counts


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
