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
from breakouts.models import Room, Seat
from breakouts.planning import (
    PlanError,
    carried_choices,
    draft_next_round,
    earlier_rounds,
    met_before_pairs,
    mix_levels,
    mixed_attributes,
    person_for,
    reconcile,
)
from workshops.models import PhaseError, Workshop


@transaction.atomic
def start_breakouts(workshop):
    """Saves the draft plan as the rooms of the next round, picks a scribe per room at random
    (among members who have arrived: not someone imported who never opened their link), opens
    breakouts. Only people who have arrived are seated.

    Round 1 starts from the lobby; a later round from plenary, while the workshop has rounds
    left (`Workshop.next_round`): everyone leaves their earlier room (which stays, read-only,
    with its notes and items) for their room of the new round. People who joined after the plan
    was drafted are seated as late joiners; people who left are dropped; rooms left empty are
    not created. Every seat is recorded (`Seat`), and every participant hears `room.assigned`
    with their room. Raises PhaseError when no round may start now and PlanError with nobody
    to seat.
    """
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    round_number = workshop.next_round
    if round_number is None:
        if workshop.phase == Workshop.Phase.PLENARY:
            raise PhaseError(_("All %(n)s rounds have run.") % {"n": workshop.rounds})
        raise PhaseError(_("Breakouts can start only from the lobby."))
    if workshop.rooms.filter(round=round_number).exists():
        raise PlanError(_("This round already has rooms."))
    # Only people who have arrived are seated; someone invited who opens their link later is
    # seated then, as a late joiner (workshops.services.arrive → seat_late_joiner).
    participants = list(workshop.participants.arrived())
    if not participants:
        raise PlanError(_("Nobody has joined yet, so there is no one to seat."))
    draft = workshop.next_round_draft()
    if draft is None:  # nobody drew this round's plan: start from the earlier round's choices
        draft = draft_next_round(workshop, participants, carried_choices(workshop))
        workshop.draft_plan = draft  # the plan started is the one on record (late joiners)
        workshop.save(update_fields=["draft_plan", "updated_at"])
    room_ids, unplaced = reconcile(draft, participants)
    room_ids = [ids for ids in room_ids if ids]
    by_id = {p.pk: p for p in participants}
    rng = random.Random(draft.get("seed"))  # noqa: S311 - a fair draw, not a secret
    now = timezone.now()
    rooms = Room.objects.bulk_create(
        Room(
            workshop=workshop,
            round=round_number,
            number=number,
            scribe_id=rng.choice([pid for pid in ids if by_id[pid].has_arrived] or ids),
            step_started_at=now,
            last_activity_at=now,
        )
        for number, ids in enumerate(room_ids, start=1)
    )
    assignments, seats = [], []
    for room, ids in zip(rooms, room_ids, strict=True):
        workshop.participants.filter(pk__in=ids).update(room=room)
        room.workshop = workshop
        assignments.extend(room.assignment(by_id[pid]) for pid in ids)
        seats.extend(Seat(participant_id=pid, room=room, round=round_number) for pid in ids)
    Seat.objects.bulk_create(seats)
    # People not in the new plan (nobody, unless they joined just now) leave their old room.
    workshop.participants.exclude(pk__in=[s.participant_id for s in seats]).update(room=None)
    if round_number > 1:
        workshop.present(None)
    workshop.begin_round(round_number)
    workshop.move_to(
        Workshop.Phase.BREAKOUTS, extra={"rooms": len(rooms), "round": round_number}
    )
    workshop.announce("room.assigned", {"assignments": assignments})
    for pid in unplaced:
        by_id[pid].room = None  # left their earlier round's room above
        place_late_joiner(by_id[pid])
    return rooms


@transaction.atomic
def place_late_joiner(participant):
    """Seats a participant who joined during breakouts and returns their room (None if no rooms).

    Among the smallest rooms of the current round, picks the one where they add the fewest
    similar pairs (same department, location or other attribute, weighed at the plan's mix
    levels; met before; sat together in an earlier round); ties are broken at random. The
    participant hears `room.assigned`; the room and the control room hear `members.changed`
    (Room.seat).
    """
    workshop = participant.workshop
    rooms = list(Room.objects.current(workshop).with_members())
    if not rooms:
        return None
    met = met_before_pairs(workshop, [*workshop.participants.all()])
    attributes = mixed_attributes(workshop, workshop.draft_plan)
    earlier = earlier_rounds(workshop, workshop.current_round)
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
            earlier_rounds=earlier,
            seed=random.randrange(2**31),  # noqa: S311 - a fair draw among equals, not a secret
        )
    ]
    room.seat(participant)
    return room


def seat_late_joiner(sender, participant, **kwargs):
    """Receiver of `workshops.signals.participant_joined`: seats someone who joins, or who
    first opens their personal link, during breakouts."""
    if participant.workshop.phase == Workshop.Phase.BREAKOUTS:
        place_late_joiner(participant)


def end_room_timers(sender, workshop, **kwargs):
    """Receiver of `workshops.signals.phase_changed`: a room's own timer ends with its phase."""
    for room in Room.objects.current(workshop).filter(timer_ends_at__isnull=False):
        room.set_timer(None, "")
