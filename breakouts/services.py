"""Writes that span rooms, memberships and the workshop, and announce themselves.

Starting breakouts turns the facilitators' draft plan into rooms in one transaction; a late
joiner is seated where they add the least sameness (`Room.seat` does the seating). Both
broadcast after commit.
"""

import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from breakouts.assignment import best_room_for
from breakouts.models import Room
from breakouts.planning import (
    PlanError,
    draft_new_plan,
    met_before_pairs,
    mix_levels,
    mixed_attributes,
    person_for,
    reconcile,
)
from workshops.models import PhaseError, Workshop


@transaction.atomic
def start_breakouts(workshop):
    """Saves the draft plan as rooms, picks a scribe per room at random, opens breakouts.

    People who joined after the plan was drafted are seated as late joiners; people who left
    are dropped; rooms left empty are not created. Every participant hears `room.assigned`
    with their room. Raises PhaseError outside the lobby and PlanError with nobody to seat.
    """
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.phase != Workshop.Phase.LOBBY:
        raise PhaseError(_("Breakouts can start only from the lobby."))
    if workshop.rooms.exists():
        raise PlanError(_("This workshop already has rooms."))
    participants = list(workshop.participants.all())
    if not participants:
        raise PlanError(_("Nobody has joined yet, so there is no one to seat."))
    draft = workshop.draft_plan or draft_new_plan(
        workshop, participants, room_count=workshop.planned_room_count(len(participants))
    )
    room_ids, unplaced = reconcile(draft, participants)
    room_ids = [ids for ids in room_ids if ids]
    by_id = {p.pk: p for p in participants}
    rng = random.Random(draft.get("seed"))  # noqa: S311 - a fair draw, not a secret
    now = timezone.now()
    rooms = Room.objects.bulk_create(
        Room(
            workshop=workshop,
            number=number,
            scribe_id=rng.choice(ids),
            step_started_at=now,
            last_activity_at=now,
        )
        for number, ids in enumerate(room_ids, start=1)
    )
    assignments = []
    for room, ids in zip(rooms, room_ids, strict=True):
        workshop.participants.filter(pk__in=ids).update(room=room)
        room.workshop = workshop
        assignments.extend(room.assignment(by_id[pid]) for pid in ids)
    workshop.move_to(Workshop.Phase.BREAKOUTS, extra={"rooms": len(rooms)})
    workshop.announce("room.assigned", {"assignments": assignments})
    for pid in unplaced:
        place_late_joiner(by_id[pid])
    return rooms


@transaction.atomic
def place_late_joiner(participant):
    """Seats a participant who joined during breakouts and returns their room (None if no rooms).

    Among the smallest rooms, picks the one where they add the fewest similar pairs (same
    department, location or other attribute, weighed at the plan's mix levels; met before);
    ties are broken at random. The participant hears
    `room.assigned`; the room and the control room hear `members.changed` (Room.seat).
    """
    workshop = participant.workshop
    rooms = list(Room.objects.filter(workshop=workshop).with_members())
    if not rooms:
        return None
    met = met_before_pairs(workshop, [*workshop.participants.all()])
    attributes = mixed_attributes(workshop, workshop.draft_plan)
    seated = [
        [person_for(m, attributes) for m in room.members.all() if m.pk != participant.pk]
        for room in rooms
    ]
    room = rooms[
        best_room_for(
            person_for(participant, attributes),
            seated,
            weights=mix_levels(attributes),
            met_before=[pair for pair in met if participant.pk in pair],
            seed=random.randrange(2**31),  # noqa: S311 - a fair draw among equals, not a secret
        )
    ]
    room.seat(participant)
    return room


def seat_late_joiner(sender, participant, **kwargs):
    """Receiver of `workshops.signals.participant_joined`: seats a joiner during breakouts."""
    if participant.workshop.phase == Workshop.Phase.BREAKOUTS:
        place_late_joiner(participant)


def end_room_timers(sender, workshop, **kwargs):
    """Receiver of `workshops.signals.phase_changed`: a room's own timer ends with its phase."""
    for room in Room.objects.filter(workshop=workshop, timer_ends_at__isnull=False):
        room.set_timer(None, "")
