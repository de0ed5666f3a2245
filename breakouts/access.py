"""Who may open a room: the room page, its fragments and its socket ask here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from breakouts.models import Room
from workshops.access import get_workshop_by_code, participant_from_session
from workshops.models import Participant


def get_room_for_member(request, code, number):
    """Returns (workshop, room, participant or None) for a room page.

    A participant may open only their own room; the workshop's facilitators may open any
    (participant None). Everyone else gets 404; a participant of another room gets 403.
    """
    workshop = get_workshop_by_code(code)
    facilitator = workshop.is_facilitator(request.user)
    participant = None if facilitator else participant_from_session(request.session, workshop)
    own = participant.room if participant is not None else None
    # The room page is the current round's room; earlier rounds' rooms are read in the
    # report and the plenary (read-only). A member's own room came with them (one query
    # fewer on each of a breakout start's thousand room pages).
    if own is not None and own.number == number and own.round == workshop.current_round:
        room = own
    else:
        room = get_object_or_404(Room.objects.current(workshop), number=number)
    room.workshop = workshop  # the page reads it (calls, snapshot): not a second query
    if facilitator:
        return workshop, room, None
    if participant is None:
        raise Http404("Not a participant of this workshop")
    if participant.room_id != room.pk:
        raise PermissionDenied("This is not your room")
    return workshop, room, participant


def room_of_participant(workshop_id, participant_id):
    """Returns (still a participant?, their room now) from the database (for sockets)."""
    participant = (
        Participant.objects.select_related("room")
        .filter(pk=participant_id, workshop_id=workshop_id).first()
    )
    return participant is not None, (participant.room if participant else None)
