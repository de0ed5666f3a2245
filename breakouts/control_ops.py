"""The control room's ops (CONTROL_OPS): read the frame, then call the model method.

They arrive on the control socket (`/ws/w/<code>/control/`, breakouts/consumers.py) and run
through the same op pipeline and group-commit writer as the room ops (live/pipeline.py): one
idempotency path, one error mapping. `authorize` re-checks for every op that the sender still
runs this workshop. The rules are Workshop and Room methods; a handler only reads its fields,
loads what they name, and maps a rule's refusal to an error code.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from breakouts.models import Broadcast, HelpRequest, Room
from breakouts.ops import authorize as room_authorize
from breakouts.ops import step_field
from live.fields import int_field, text_field
from live.pipeline import OpError, OpTable
from workshops.models import Participant, PhaseError, Workshop

CLOSING_SECONDS = 60
CLOSING_MAX_SECONDS = 600
TIMER_MAX_SECONDS = 4 * 3600
BROADCAST_MAX_CHARS = 500
TIMER_LABEL_MAX_CHARS = 200


def authorize(actor):
    """Refuses the op unless the sender is (still) one of the workshop's facilitators."""
    if actor.user_id is None:
        raise OpError("forbidden", _("You no longer run this workshop."))
    room_authorize(actor)


CONTROL_OPS = OpTable("control", authorize=authorize)


def _workshop(actor):
    """Returns the workshop under a row lock (control ops on one workshop run one at a time)."""
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if workshop.phase == Workshop.Phase.CLOSED:
        raise OpError("forbidden", _("This workshop is closed."))
    return workshop


def _room(workshop, frame, name="room", *, allow_none=False):
    number = int_field(frame, name, allow_none=allow_none)
    if number is None:
        return None
    room = Room.objects.current(workshop).filter(number=number).first()
    if room is None:
        raise OpError("not_found", _("There is no room %(number)s.") % {"number": number})
    room.workshop = workshop
    return room


def _participant(workshop, frame):
    participant_id = int_field(frame, "participant")
    participant = (
        Participant.objects.select_related("room").filter(pk=participant_id, workshop=workshop)
        .first()
    )
    if participant is None:
        raise OpError("not_found", _("This participant is not in the workshop."))
    participant.workshop = workshop
    return participant


def _phase_rule(call, *args):
    """Runs a phase rule of the workshop; its refusal becomes `invalid`."""
    try:
        return call(*args)
    except PhaseError as error:
        raise OpError("invalid", str(error)) from None


@CONTROL_OPS.register("broadcast.send")
def broadcast_send(frame, actor):
    """A message to every room (no `room`) or to one room, kept in the workshop's list."""
    message = text_field(frame, "message", BROADCAST_MAX_CHARS, required=True).strip()
    workshop = _workshop(actor)
    room = _room(workshop, frame, allow_none=True)
    return Broadcast.send(workshop, room, message, actor.user_id)


@CONTROL_OPS.register("timer.set")
def timer_set(frame, actor):
    """A countdown of `seconds` for every room (no `room`) or one room."""
    seconds = int_field(frame, "seconds")
    if not 1 <= seconds <= TIMER_MAX_SECONDS:
        raise OpError("invalid", _("A timer runs between 1 second and 4 hours."))
    label = text_field(frame, "label", TIMER_LABEL_MAX_CHARS).strip()
    workshop = _workshop(actor)
    room = _room(workshop, frame, allow_none=True)
    ends_at = timezone.now() + datetime.timedelta(seconds=seconds)
    if room is not None:
        return room.set_timer(ends_at, label)
    return Room.objects.set_workshop_timer(workshop, ends_at, label)


@CONTROL_OPS.register("timer.clear")
def timer_clear(frame, actor):
    workshop = _workshop(actor)
    room = _room(workshop, frame, allow_none=True)
    if room is not None:
        return room.set_timer(None, "")
    return Room.objects.set_workshop_timer(workshop, None, "")


@CONTROL_OPS.register("rooms.advance")
def rooms_advance(frame, actor):
    """Moves every room to `step` (rooms there already are left alone)."""
    step = step_field(frame)
    workshop = _workshop(actor)
    for room in Room.objects.current(workshop).exclude(step=step).order_by("number"):
        room.workshop = workshop
        room.move_to_step(step)
    return workshop.rev


@CONTROL_OPS.register("help.acknowledge")
def help_acknowledge(frame, actor):
    """Tells the room the facilitator is on the way (acknowledging twice changes nothing)."""
    request_id = int_field(frame, "request")
    workshop = _workshop(actor)
    request = (
        HelpRequest.objects.select_related("room")
        .filter(pk=request_id, room__workshop=workshop).first()
    )
    if request is None:
        raise OpError("not_found", _("This help request does not exist."))
    return request.acknowledge(actor.user_id, timezone.now())


@CONTROL_OPS.register("participant.move")
def participant_move(frame, actor):
    """Moves a participant to another room (the rule: Room.seat)."""
    int_field(frame, "room")  # every field is checked before anything is looked up
    workshop = _workshop(actor)
    participant = _participant(workshop, frame)
    return _room(workshop, frame).seat(participant)


@CONTROL_OPS.register("scribe.set")
def scribe_set(frame, actor):
    workshop = _workshop(actor)
    room = _room(workshop, frame)
    participant = _participant(workshop, frame)
    if participant.room_id != room.pk:
        raise OpError("invalid", _("That person is not a member of this room."))
    if room.scribe_id == participant.pk:
        return room.rev
    return room.set_scribe(participant)


@CONTROL_OPS.register("breakouts.close")
def breakouts_close(frame, actor):
    """Starts the "rooms closing" countdown (default 60 s; 0 moves to plenary at once)."""
    seconds = int_field(frame, "seconds", allow_none=True)
    seconds = CLOSING_SECONDS if seconds is None else seconds
    if not 0 <= seconds <= CLOSING_MAX_SECONDS:
        raise OpError("invalid", _("The countdown runs between 0 and 600 seconds."))
    return _phase_rule(_workshop(actor).start_closing, seconds)


@CONTROL_OPS.register("closing.skip")
def closing_skip(frame, actor):
    """Ends the countdown now: everyone moves to plenary."""
    return _phase_rule(_workshop(actor).start_closing, 0)


@CONTROL_OPS.register("closing.cancel")
def closing_cancel(frame, actor):
    return _workshop(actor).cancel_closing()


@CONTROL_OPS.register("breakouts.reopen")
def breakouts_reopen(frame, actor):
    """Back from plenary to the rooms; they continue where they stopped."""
    return _phase_rule(_workshop(actor).reopen_breakouts).rev


@CONTROL_OPS.register("plenary.present")
def plenary_present(frame, actor):
    """Shows one room on the shared screen (None: none); participants' pages follow."""
    workshop = _workshop(actor)
    return workshop.present(_room(workshop, frame, allow_none=True))
