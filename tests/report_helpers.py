"""Builds a finished workshop with the ORM, for the debrief, report and follow-up tests."""

from datetime import date

from breakouts.models import Item, Note, Room, Step, Vote
from workshops.access import remember_participant
from workshops.models import Challenge, Participant, Workshop

DEPARTMENTS = ["Sales", "Finance", "IT", "HR"]
LOCATIONS = ["Berlin", "Lagos", "Lima"]


def make_workshop(owner, *, rooms=2, per_room=3, phase=Workshop.Phase.DEBRIEF, title="Offsite"):
    """Returns a workshop in `phase` whose rooms each went through all five steps.

    Room n has members "R<n> P<i>" (e-mail r<n>p<i>@example.com, departments and locations
    rotating), a problem statement, two root causes, two alternatives with votes (the first
    selected), and one action item per member due on 2026-12-0<i+1>.
    """
    workshop = Workshop.objects.create(owner=owner, title=title, phase=phase)
    challenge = Challenge.objects.create(workshop=workshop, title="Slow handovers")
    for n in range(1, rooms + 1):
        room = Room.objects.create(workshop=workshop, number=n, challenge=challenge, step="plan")
        members = [
            Participant.objects.create(
                workshop=workshop,
                name=f"R{n} P{i}",
                department=DEPARTMENTS[(n + i) % len(DEPARTMENTS)],
                location=LOCATIONS[i % len(LOCATIONS)],
                email=f"r{n}p{i}@example.com",
                room=room,
            )
            for i in range(per_room)
        ]
        room.scribe = members[0]
        Note.objects.create(room=room, step=Step.DEFINE, text=f"Problem of room {n}")
        Note.objects.create(room=room, step=Step.PLAN, text=f"Weekly check-in, room {n}")
        Item.objects.create(room=room, step=Step.ROOT_CAUSES, text="No owner", category="people")
        Item.objects.create(room=room, step=Step.ROOT_CAUSES, text="Manual forms",
                            category="process")
        first = Item.objects.create(room=room, step=Step.ALTERNATIVES, text=f"Buddy system {n}",
                                    pros="cheap", cons="slow")
        Item.objects.create(room=room, step=Step.ALTERNATIVES, text="New tool")
        Vote.objects.create(item=first, participant=members[0], count=2)
        if len(members) > 1:
            Vote.objects.create(item=first, participant=members[-1], count=1)
        room.selected_item = first
        room.selection_rationale = "Cheapest to try"
        room.save()
        for i, member in enumerate(members):
            Item.objects.create(
                room=room, step=Step.PLAN, text=f"Task {n}.{i}", owner=member,
                due_date=date(2026, 12, i + 1), success_measure=f"Measure {n}.{i}",
            )
    return workshop


def sign_in_participant(client, participant):
    """Makes the test client's session the participant's (as the personal link would)."""
    session = client.session
    remember_participant(session, participant)
    session.save()
    return client


def member(workshop, room_number, index=0):
    return Participant.objects.get(workshop=workshop, name=f"R{room_number} P{index}")
