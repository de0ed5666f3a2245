"""The facilitators' control room: its ops, its snapshot, and the rules behind them.

Ops arrive on the control socket (`/ws/w/<code>/control/`, breakouts/consumers.py) and are
applied here, each in its own transaction, idempotent by op id like the room ops
(breakouts/ops.py). They are rare (a facilitator clicking), so they use the ORM on Channels'
database thread rather than the rooms' group-commit writer. Every change bumps the workshop's
or the room's revision and is announced after commit through breakouts/events.py.

Closing breakouts stores a deadline (`Workshop.closing_at`) instead of running a countdown
somewhere: every room renders it, and the move to plenary when it passes is made by whichever
comes first — a timer in the process whose control socket started it (`schedule_closing`),
the next control socket snapshot or op, or a participant whose countdown ran out loading the
plenary page (`finish_closing_if_due`). The check is idempotent under a row lock, so
several of them racing move the workshop once.

The control socket also coalesces the rooms' note keystrokes (`NotePreviews`) so that a
hundred scribes typing reach the facilitator as at most two previews per room per second.
"""

import asyncio
import datetime
import logging
import time
from collections import Counter

from django.db import transaction
from django.db.models import Count, Prefetch
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from breakouts import events
from breakouts.models import STEP_ORDER, AppliedOp, Broadcast, HelpRequest, Item, Note, Room
from breakouts.ops import OpError, int_field, step_field, text_field
from breakouts.services import announce_members_changed
from workshops.models import Participant, PhaseError, Workshop

logger = logging.getLogger(__name__)

CLOSING_SECONDS = 60
CLOSING_MAX_SECONDS = 600
TIMER_MAX_SECONDS = 4 * 3600
BROADCAST_MAX_CHARS = 500
TIMER_LABEL_MAX_CHARS = 200
NOTE_PREVIEW_CHARS = 280
RECENT_BROADCASTS = 20

Phase = Workshop.Phase


def _iso(value):
    return value.isoformat() if value else None


# -- the control room's data (page and socket snapshot share it) ----------------------------


def broadcast_public(broadcast):
    return {
        "id": broadcast.pk,
        "message": broadcast.message,
        "room": broadcast.room.number if broadcast.room_id else None,
        "created_at": _iso(broadcast.created_at),
    }


def open_help_requests(workshop):
    """Returns the workshop's unacknowledged help requests, oldest first (one query)."""
    requests = (
        HelpRequest.objects.filter(room__workshop=workshop, acknowledged_at__isnull=True)
        .select_related("room")
        .order_by("created_at", "pk")
    )
    return [request.public() for request in requests]


def recent_broadcasts(workshop):
    rows = workshop.broadcasts.select_related("room").order_by("-created_at", "-pk")
    return [broadcast_public(b) for b in rows[:RECENT_BROADCASTS]]


def room_cards(workshop):
    """Returns one card per room: what the control room shows, with a fixed number of queries.

    Keys shared with the room snapshot (breakouts/live.py) mean the same; `notes` holds only
    a preview of each step's note and `counts` the number of items per step. `online` is
    filled in by the socket from the hub's presence (empty on the server-rendered page).
    """
    from workshops.live import participant_public

    rooms = list(
        Room.objects.filter(workshop=workshop)
        .select_related("scribe", "challenge")
        .prefetch_related(
            Prefetch("members", queryset=Participant.objects.order_by("name", "pk"))
        )
        .order_by("number")
    )
    notes = Note.objects.filter(room__workshop=workshop).annotate(
        preview=Substr("text", 1, NOTE_PREVIEW_CHARS), length=Length("text")
    )
    previews = {}
    for row in notes.values("room_id", "step", "preview", "length", "rev"):
        previews.setdefault(row["room_id"], {})[row["step"]] = {
            "text": row["preview"], "length": row["length"], "note_rev": row["rev"],
        }
    counts = {}
    rows = (
        Item.objects.filter(room__workshop=workshop)
        .values("room_id", "step").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        counts.setdefault(row["room_id"], {})[row["step"]] = row["n"]
    help_by_room = {}
    for request in open_help_requests(workshop):
        help_by_room.setdefault(request["room"], []).append(request)
    cards = []
    for room in rooms:
        room.workshop = workshop  # step_ends_at reads the step durations from it
        cards.append({
            "id": room.pk,
            "number": room.number,
            "name": room.name,
            "rev": room.rev,
            "url": room.get_absolute_url(),
            "step": room.step,
            "step_index": room.step_index,
            "step_started_at": _iso(room.step_started_at),
            "step_ends_at": _iso(room.step_ends_at),
            "timer": (
                {"ends_at": _iso(room.timer_ends_at), "label": room.timer_label}
                if room.timer_ends_at else None
            ),
            "scribe": room.scribe_id,
            "scribe_name": room.scribe.name if room.scribe else None,
            "challenge": (
                {"id": room.challenge.pk, "title": room.challenge.title}
                if room.challenge else None
            ),
            "members": [participant_public(member) for member in room.members.all()],
            "notes": previews.get(room.pk, {}),
            "counts": {step: counts.get(room.pk, {}).get(step, 0) for step in STEP_ORDER},
            "last_activity_at": _iso(room.last_activity_at),
            "help": help_by_room.get(room.number, []),
            "online": [],
        })
    return cards


def rooms_per_step(cards):
    """Returns [(step, number of rooms in it)] in step order, leaving out empty steps."""
    counted = Counter(card["step"] for card in cards)
    return [(step, counted[step]) for step in STEP_ORDER if counted[step]]


def control_state(workshop_id, user_id):
    """Returns (workshop, the rest of the control socket's `state` frame): the rooms as cards,
    the open help requests and recent broadcasts (docs/protocol.md, "Control room").

    Finishes a "rooms closing" countdown that ran out while no timer was watching it.
    """
    workshop = Workshop.objects.select_related("presenting_room").get(pk=workshop_id)
    if finish_closing_if_due(workshop):
        workshop = Workshop.objects.select_related("presenting_room").get(pk=workshop_id)
    return workshop, {
        "room": None,
        "rooms": room_cards(workshop),
        "help": open_help_requests(workshop),
        "broadcasts": recent_broadcasts(workshop),
        "lobby_online": [],
        "me": {"participant": None, "role": "control", "room": None, "user": user_id},
    }


# -- closing breakouts ----------------------------------------------------------------------


def finish_closing_if_due(workshop, now=None):
    """Moves the workshop to plenary when its closing deadline has passed; returns whether it
    changed anything. Cheap when no countdown runs (no query); safe to call from anywhere."""
    now = now or timezone.now()
    if workshop.closing_at is None or workshop.closing_at > now:
        return False
    with transaction.atomic():
        current = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if current.closing_at is None or current.closing_at > now:
            return False
        if current.phase == Phase.BREAKOUTS:
            current.go_to_plenary()  # clears closing_at
        else:
            Workshop.objects.filter(pk=current.pk).update(closing_at=None)
    workshop.refresh_from_db(fields=["phase", "phase_changed_at", "closing_at", "rev"])
    return True


def finish_closing_by_id(workshop_id):
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    return workshop is not None and finish_closing_if_due(workshop)


_closing_timers = {}  # workshop id → (deadline, asyncio.TimerHandle) in this process


def schedule_closing(workshop_id, closing_at):
    """Keeps one timer per workshop in this process that finishes the closing on time.

    `closing_at` is a datetime, an ISO string, or None (no countdown: cancel any timer).
    Must run on the event loop thread.
    """
    if isinstance(closing_at, str):
        closing_at = parse_datetime(closing_at)
    existing = _closing_timers.get(workshop_id)
    if existing is not None:
        if closing_at is not None and existing[0] == closing_at and not existing[1].cancelled():
            return
        existing[1].cancel()
        del _closing_timers[workshop_id]
    if closing_at is None:
        return
    loop = asyncio.get_running_loop()
    delay = max(0.0, (closing_at - timezone.now()).total_seconds()) + 0.05

    def fire():
        _closing_timers.pop(workshop_id, None)
        loop.create_task(_finish_later(workshop_id))

    _closing_timers[workshop_id] = (closing_at, loop.call_later(delay, fire))


async def _finish_later(workshop_id):
    from channels.db import database_sync_to_async

    try:
        await database_sync_to_async(finish_closing_by_id)(workshop_id)
    except Exception:
        logger.exception("control: finishing the closing of workshop %s failed", workshop_id)


# -- the ops --------------------------------------------------------------------------------

CONTROL_OPS = {}


def register(name):
    def decorate(handler):
        CONTROL_OPS[name] = handler
        return handler

    return decorate


def handle(op, frame, actor):
    """Applies a control op and returns (reply frame, the workshop's closing deadline).

    Idempotent by op id: a resent op is acked again with the revision it produced. Refused
    ops answer an error frame with a stable code and change nothing.
    """
    op_id = frame.get("id")
    if op_id is None:
        return _error(None, OpError("invalid", _("This op needs an “id”."))), None
    try:
        with transaction.atomic():
            done = AppliedOp.objects.filter(workshop_id=actor.workshop_id, op_id=op_id).first()
            if done is not None:
                rev = done.rev
            else:
                workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
                if workshop.phase == Phase.CLOSED:
                    raise OpError("forbidden", _("This workshop is closed."))
                rev = CONTROL_OPS[op](workshop, frame, actor)
                AppliedOp.objects.create(workshop_id=actor.workshop_id, op_id=op_id, rev=rev or 0)
    except OpError as error:
        reply = _error(op_id, error)
    else:
        reply = {"type": "ack", "id": op_id, "rev": rev}
    closing_at = Workshop.objects.filter(pk=actor.workshop_id).values_list(
        "closing_at", flat=True
    ).first()
    return reply, closing_at


def _error(op_id, error):
    return {"type": "error", "id": op_id, "code": error.code, "message": error.message,
            **error.extra}


def _room(workshop, frame, name="room", *, allow_none=False):
    number = int_field(frame, name, allow_none=allow_none)
    if number is None:
        return None
    room = Room.objects.filter(workshop=workshop, number=number).select_related("workshop").first()
    if room is None:
        raise OpError("not_found", _("There is no room %(number)s.") % {"number": number})
    return room


def _participant(workshop, frame):
    participant_id = int_field(frame, "participant")
    participant = Participant.objects.filter(pk=participant_id, workshop=workshop).first()
    if participant is None:
        raise OpError("not_found", _("This participant is not in the workshop."))
    return participant


def _workshop_event(workshop, event_type, payload):
    workshop.bump_rev()
    events.send_workshop_event(workshop, event_type, payload)
    return workshop.rev


def _room_event(room, event_type, payload):
    room.bump_rev()
    events.send_room_event(room, event_type, payload)
    return room.rev


@register("broadcast.send")
def broadcast_send(workshop, frame, actor):
    """A message to every room (no `room`) or to one room, kept in the workshop's list."""
    message = text_field(frame, "message", BROADCAST_MAX_CHARS, required=True).strip()
    room = _room(workshop, frame, allow_none=True)
    broadcast = Broadcast.objects.create(
        workshop=workshop, room=room, message=message, sent_by_id=actor.user_id
    )
    payload = {"message": message, "broadcast": broadcast_public(broadcast)}
    if room is None:
        return _workshop_event(workshop, "broadcast", payload)
    return _room_event(room, "broadcast", payload)


def _timer(ends_at, label):
    return {"ends_at": _iso(ends_at), "label": label} if ends_at else None


@register("timer.set")
def timer_set(workshop, frame, actor):
    """A countdown of `seconds` for every room (no `room`) or one room.

    A timer for every room replaces the rooms' own timers, so all rooms see the same one.
    """
    seconds = int_field(frame, "seconds")
    if not 1 <= seconds <= TIMER_MAX_SECONDS:
        raise OpError("invalid", _("A timer runs between 1 second and 4 hours."))
    label = text_field(frame, "label", TIMER_LABEL_MAX_CHARS).strip()
    room = _room(workshop, frame, allow_none=True)
    ends_at = timezone.now() + datetime.timedelta(seconds=seconds)
    return _set_timer(workshop, room, ends_at, label)


@register("timer.clear")
def timer_clear(workshop, frame, actor):
    room = _room(workshop, frame, allow_none=True)
    return _set_timer(workshop, room, None, "")


def _set_timer(workshop, room, ends_at, label):
    if room is not None:
        room.timer_ends_at, room.timer_label = ends_at, label
        Room.objects.filter(pk=room.pk).update(timer_ends_at=ends_at, timer_label=label)
        return _room_event(room, "timer.changed", {"timer": _timer(ends_at, label)})
    for own in Room.objects.filter(workshop=workshop, timer_ends_at__isnull=False):
        Room.objects.filter(pk=own.pk).update(timer_ends_at=None, timer_label="")
        _room_event(own, "timer.changed", {"timer": None})
    workshop.timer_ends_at, workshop.timer_label = ends_at, label
    Workshop.objects.filter(pk=workshop.pk).update(timer_ends_at=ends_at, timer_label=label)
    return _workshop_event(workshop, "timer.changed", {"timer": _timer(ends_at, label)})


@register("rooms.advance")
def rooms_advance(workshop, frame, actor):
    """Moves every room to `step` (rooms there already are left alone)."""
    step = step_field(frame)
    for room in Room.objects.filter(workshop=workshop).exclude(step=step).order_by("number"):
        room.workshop = workshop
        room.move_to_step(step)
    return workshop.rev


@register("help.acknowledge")
def help_acknowledge(workshop, frame, actor):
    """Tells the room the facilitator is on the way (acknowledging twice changes nothing)."""
    request_id = int_field(frame, "request")
    request = (
        HelpRequest.objects.select_related("room")
        .filter(pk=request_id, room__workshop=workshop).first()
    )
    if request is None:
        raise OpError("not_found", _("This help request does not exist."))
    room = request.room
    if request.acknowledged_at is not None:
        return room.rev
    request.acknowledged_at = timezone.now()
    request.acknowledged_by_id = actor.user_id
    request.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return _room_event(room, "help.acknowledged", {"request": request.public()})


@register("participant.move")
def participant_move(workshop, frame, actor):
    """Moves a participant to another room; both rooms hear `members.changed`, the person
    hears `room.assigned` (their page follows). A scribe who leaves hands the role to the
    first remaining member; a room without a scribe gets the newcomer."""
    int_field(frame, "room")  # every field is checked before anything is looked up
    participant = _participant(workshop, frame)
    target = _room(workshop, frame)
    old = participant.room
    if old is not None and old.pk == target.pk:
        return workshop.rev
    participant.room = target
    participant.save(update_fields=["room"])
    if old is not None:
        updates = {}
        if old.scribe_id == participant.pk:
            successor = old.members.order_by("name", "pk").first()
            updates["scribe"] = old.scribe = successor
        if old.scribe_offer_to_id == participant.pk:
            updates["scribe_offer_to"] = old.scribe_offer_to = None
        if updates:
            Room.objects.filter(pk=old.pk).update(**updates)
        announce_members_changed(old)
    if target.scribe_id is None:
        target.scribe = participant
        Room.objects.filter(pk=target.pk).update(scribe=participant)
    announce_members_changed(target)
    assignment = {"participant": participant.pk, "room": target.number,
                  "url": target.get_absolute_url()}
    return _workshop_event(workshop, "room.assigned", {"assignments": [assignment]})


@register("scribe.set")
def scribe_set(workshop, frame, actor):
    room = _room(workshop, frame)
    participant = _participant(workshop, frame)
    if participant.room_id != room.pk:
        raise OpError("invalid", _("That person is not a member of this room."))
    if room.scribe_id == participant.pk:
        return room.rev
    return room.set_scribe(participant)


@register("breakouts.close")
def breakouts_close(workshop, frame, actor):
    """Starts the "rooms closing" countdown (default 60 s; 0 moves to plenary at once)."""
    seconds = int_field(frame, "seconds", allow_none=True)
    seconds = CLOSING_SECONDS if seconds is None else seconds
    if not 0 <= seconds <= CLOSING_MAX_SECONDS:
        raise OpError("invalid", _("The countdown runs between 0 and 600 seconds."))
    if workshop.phase != Phase.BREAKOUTS:
        raise OpError("invalid", _("Breakouts are not running."))
    if seconds == 0:
        return _move(workshop, Phase.PLENARY)
    if workshop.closing_at is not None:
        return workshop.rev  # already counting down: keep the deadline everyone sees
    workshop.closing_at = timezone.now() + datetime.timedelta(seconds=seconds)
    Workshop.objects.filter(pk=workshop.pk).update(closing_at=workshop.closing_at)
    return _workshop_event(
        workshop, "breakouts.closing", {"closing_at": _iso(workshop.closing_at)}
    )


@register("closing.skip")
def closing_skip(workshop, frame, actor):
    """Ends the countdown now: everyone moves to plenary."""
    if workshop.phase != Phase.BREAKOUTS:
        raise OpError("invalid", _("Breakouts are not running."))
    return _move(workshop, Phase.PLENARY)


@register("closing.cancel")
def closing_cancel(workshop, frame, actor):
    if workshop.closing_at is None:
        return workshop.rev
    workshop.closing_at = None
    Workshop.objects.filter(pk=workshop.pk).update(closing_at=None)
    return _workshop_event(workshop, "breakouts.closing", {"closing_at": None})


@register("breakouts.reopen")
def breakouts_reopen(workshop, frame, actor):
    """Back from plenary to the rooms; they continue where they stopped."""
    return _move(workshop, Phase.BREAKOUTS)


def _move(workshop, phase):
    try:
        workshop.move_to(phase)
    except PhaseError as error:
        raise OpError("invalid", str(error)) from None
    return workshop.rev


@register("plenary.present")
def plenary_present(workshop, frame, actor):
    """Shows one room on the shared screen (None: none); participants' pages follow."""
    room = _room(workshop, frame, allow_none=True)
    if (room.pk if room else None) == workshop.presenting_room_id:
        return workshop.rev
    workshop.presenting_room = room
    Workshop.objects.filter(pk=workshop.pk).update(presenting_room=room)
    return _workshop_event(
        workshop, "plenary.presenting", {"room": room.number if room else None}
    )


# -- coalescing the rooms' typing for the control socket ------------------------------------


class NotePreviews:
    """Turns a room's stream of `note.changed` into at most one `note.preview` per
    INTERVAL seconds (the first at once, the latest at the end of the interval).

    Previews keep the room's revision order: before any other event of a room is passed on,
    its held preview goes first. A preview that stands for several revisions carries
    `span_from`, the first revision it covers, so the client does not mistake the skipped
    revisions (all superseded note keystrokes) for lost events.

    `schedule(room, delay)` must arrange for `flush(room)` to be called later, in the same
    order as the socket's other frames (the consumer queues a marker through the hub).
    """

    INTERVAL = 0.5

    def __init__(self, schedule, clock=time.monotonic):
        self.schedule = schedule
        self.clock = clock
        self.last_sent = {}  # room → when its last preview left
        self.held = {}  # room → {"from": first rev held, "steps": {step: event}}

    @staticmethod
    def preview(event, span_from=None):
        text = event.get("text") or ""
        frame = {
            "type": "note.preview", "scope": "room", "room": event.get("room"),
            "rev": event.get("rev"), "step": event.get("step"),
            "text": text[:NOTE_PREVIEW_CHARS], "length": len(text), "by": event.get("by"),
        }
        if span_from is not None and span_from < frame["rev"]:
            frame["span_from"] = span_from
        return frame

    def note(self, event):
        """Returns the frames to send now for a `note.changed` event (maybe none)."""
        room = event.get("room")
        now = self.clock()
        held = self.held.get(room)
        if held is None and now - self.last_sent.get(room, -1e9) >= self.INTERVAL:
            self.last_sent[room] = now
            return [self.preview(event)]
        if held is None:
            held = self.held[room] = {"from": event.get("rev"), "steps": {}}
            self.schedule(room, self.last_sent[room] + self.INTERVAL - now)
        held["steps"][event.get("step")] = event
        return []

    def flush(self, room):
        """Returns the held previews of a room, oldest first (and forgets them)."""
        held = self.held.pop(room, None)
        if held is None:
            return []
        self.last_sent[room] = self.clock()
        frames, span_from = [], held["from"]
        for event in sorted(held["steps"].values(), key=lambda e: e.get("rev") or 0):
            frames.append(self.preview(event, span_from))
            span_from = (event.get("rev") or 0) + 1
        return frames
