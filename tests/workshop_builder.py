"""The one workshop builder of the tests (conftest's `make_workshop` fixture calls it)."""

from typing import NamedTuple

from django.utils import timezone

from breakouts.models import Room
from workshops.models import Participant, Workshop


class Built(NamedTuple):
    """What `make_workshop` returns; unpacks as `workshop, rooms, people`."""

    workshop: Workshop
    rooms: list  # [Room], numbered from 1
    people: dict  # {room number: [Participant]}; the first of each room is its scribe


CHALLENGES = (("Silos", "Teams"), ("Churn", "People"))
DEPARTMENTS = ("Sales", "IT", "HR", "Ops")


def build_workshop(
    owner, *, phase=Workshop.Phase.BREAKOUTS, rooms=2, members=3, challenges=CHALLENGES,
    cofacilitators=(), title="Peer day", **fields,
):
    """Creates a workshop and returns `Built(workshop, rooms, people)`.

    - `phase` is stored as it is (no transition is run, no event sent);
    - `challenges`: titles, or (title, description) pairs, in order;
    - `rooms` rooms, each with `members` participants "P<room>-<i>" (departments rotating
      Sales/IT/HR/Ops, locations Lima/Oslo), the first one the scribe; no rooms, no
      participants;
    - `cofacilitators`: users who co-facilitate it;
    - any other keyword is a Workshop field (departments, locations, room_count, ...).
    """
    phase = Workshop.Phase(phase)  # a misspelt phase fails here, not three queries later
    workshop = Workshop.objects.create(owner=owner, title=title, phase=phase, **fields)
    for challenge in challenges:
        title_, description = (challenge, "") if isinstance(challenge, str) else challenge
        workshop.add_challenge(title_, description)
    workshop.cofacilitators.add(*cofacilitators)
    created, people = [], {}
    for number in range(1, rooms + 1):
        room = Room.objects.create(
            workshop=workshop, number=number, step_started_at=timezone.now()
        )
        people[number] = [
            Participant.objects.create(
                workshop=workshop, name=f"P{number}-{index}",
                department=DEPARTMENTS[index % len(DEPARTMENTS)],
                location="Oslo" if index % 2 else "Lima", room=room,
            )
            for index in range(members)
        ]
        if members:
            room.scribe = people[number][0]
            room.save()
        created.append(room)
    return Built(workshop, created, people)
