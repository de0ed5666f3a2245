"""The live sockets: thin protocol adapters between browsers and the room model.

- `/ws/w/<code>/` (ParticipantConsumer): a participant's workshop events and their own room's
  events; a facilitator may open any room with `?room=<n>` (read-only), or `?room=<n>&as=
  facilitator` to act in it with the scribe's rights.
- `/ws/w/<code>/control/` (ControlConsumer): the facilitators' control room — every workshop
  and room event of the workshop.

Fan-out goes through the process hub (breakouts/hub.py), writes through the group-commit
writer (breakouts/writer.py); frames are documented in docs/protocol.md. Ops are looked up in
the class's `OPS` table (op name → method name), which subclasses extend.
"""

import asyncio
import dataclasses
import json
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from breakouts import control, events, ops
from breakouts.hub import encode, get_hub
from breakouts.live import room_state
from breakouts.models import STEP_ORDER, Room
from breakouts.writer import Job, writer
from workshops.access import get_workshop_by_code, participant_from_session
from workshops.live import participant_public, workshop_state
from workshops.models import Participant, Workshop

MAX_FRAME_BYTES = 64 * 1024
# The workshop part of the state frame is the same for everyone (workshops/live.py) and holds
# the whole roster: after a reconnect storm of 1,000 sockets, building and encoding it once per
# socket dominated. It is cached, encoded, per workshop revision for a moment.
WORKSHOP_STATE_TTL = 0.0 if settings.TESTING else 1.0
_workshop_parts = {}


def workshop_part(workshop):
    """Returns the JSON text of workshop_state(workshop), cached per revision for a moment."""
    key = (workshop.pk, workshop.created_at, workshop.rev)
    now = time.monotonic()
    cached = _workshop_parts.get(workshop.pk)
    if cached is not None and cached[0] == key and cached[1] > now:
        return cached[2]
    text = encode(workshop_state(workshop, None))
    if WORKSHOP_STATE_TTL > 0:
        _workshop_parts[workshop.pk] = (key, now + WORKSHOP_STATE_TTL, text)
    return text


def state_text(rev, workshop_text, rest):
    """Returns the encoded state frame: the (cached) workshop part spliced into `rest`."""
    tail = encode(rest)
    head = f'{{"type":"state","rev":{int(rev)},"workshop":{workshop_text}'
    return head + ("," + tail[1:] if len(tail) > 2 else "}")


CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


class TokenBucket:
    """Allows `burst` frames at once and `rate` per second on average."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.capacity = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclasses.dataclass
class Identity:
    workshop: Workshop
    room: Room | None
    participant: Participant | None
    user_id: int | None
    role: str


class LiveConsumer(AsyncWebsocketConsumer):
    # No per-socket layer channel: the hub holds one subscription per group per process.
    channel_layer_alias = "roundtable-hub-only"

    RATE_PER_SECOND = 15.0
    RATE_BURST = 30
    OPS = {"sync": "op_sync"}
    actor = None  # subclasses: the ops.Actor that write ops act as (None: no writes)

    async def dispatch(self, message):
        # Channels closes stale DB connections before every frame (a thread hop each time);
        # this consumer touches the database only through database_sync_to_async helpers
        # and the writer thread, which manage their own connections.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # -- lifecycle --------------------------------------------------------------------------

    async def connect(self):
        self.closed = False
        self.loop = asyncio.get_running_loop()
        self.hub = get_hub()
        self.bucket = TokenBucket(self.RATE_PER_SECOND, self.RATE_BURST)
        self.subscriptions = set()
        self.watching = None
        self.present = None  # (workshop id, room id, participant id) counted in presence
        identity = await self.identify()
        await self.accept()
        if isinstance(identity, int):
            self.closed = True
            await self.close(code=identity)
            return
        self.identity = identity
        self.workshop_id = identity.workshop.pk
        await self.enter(identity)
        await self.send_state()

    async def disconnect(self, code):
        self.closed = True
        for group in list(self.subscriptions):
            self.hub.unsubscribe(group, self)
        self.subscriptions.clear()
        if self.present is not None:
            self.hub.presence.leave(*self.present)
            self.present = None
        if self.watching is not None:
            self.hub.presence.unwatch(self.watching, self)
            self.watching = None

    async def subscribe(self, group):
        if group not in self.subscriptions:
            self.subscriptions.add(group)
            await self.hub.subscribe(group, self)

    def unsubscribe(self, group):
        if group in self.subscriptions:
            self.subscriptions.discard(group)
            self.hub.unsubscribe(group, self)

    async def watch_presence(self, workshop_id):
        if self.watching is None:
            self.watching = workshop_id
            await self.hub.presence.watch(workshop_id, self)

    # -- frames out -------------------------------------------------------------------------

    async def hub_deliver(self, group, event, text):
        """Called by the hub for each event of a subscribed group (already encoded)."""
        if not self.closed:
            await self.base_send({"type": "websocket.send", "text": text})

    def reply(self, frame):
        """Queues a frame for this socket behind the events already on their way."""
        self.hub.send_direct(self, frame)

    def error(self, op_id, code, message, **extra):
        self.reply({"type": "error", "id": op_id, "code": code, "message": str(message), **extra})

    def ack(self, op_id, rev=None):
        self.reply({"type": "ack", "id": op_id, "rev": rev})

    async def send_state(self, op_id=None):
        """Sends the full snapshot: {"type": "state", "rev", "workshop", "room", "me", ...}."""
        workshop, state = await self.snapshot()
        rev, workshop_text = workshop
        # Presence lives on this thread (the hub's), so it is filled in here.
        online = self.hub.presence.online
        if state.get("room"):
            state["room"]["online"] = online(self.workshop_id, state["room"]["id"])
        for room in state.get("rooms", ()):
            room["online"] = online(self.workshop_id, room["id"])
        if "lobby_online" in state:
            state["lobby_online"] = online(self.workshop_id, 0)
        if op_id is not None:
            state["id"] = op_id
        self.hub.send_direct(self, None, state_text(rev, workshop_text, state))

    # -- frames in --------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.closed:
            return
        if text_data is None:
            if len(bytes_data) > MAX_FRAME_BYTES:
                return self.error(None, "too_large", _("Frames are limited to 64 KB."))
            try:
                text_data = bytes_data.decode("utf-8")
            except UnicodeDecodeError:
                return self.error(None, "bad_json", _("Frames must be JSON text."))
        if len(text_data) > MAX_FRAME_BYTES // 4 and len(text_data.encode()) > MAX_FRAME_BYTES:
            return self.error(None, "too_large", _("Frames are limited to 64 KB."))
        try:
            frame = json.loads(text_data)
        except ValueError:
            return self.error(None, "bad_json", _("This frame is not valid JSON."))
        if not isinstance(frame, dict):
            return self.error(None, "invalid", _("A frame must be a JSON object."))
        op, op_id = frame.get("op"), frame.get("id")
        if op_id is not None and (
            not isinstance(op_id, str) or not op_id or len(op_id) > ops.OP_ID_MAX_CHARS
        ):
            return self.error(None, "invalid", _("“id” must be a short text."))
        if not isinstance(op, str):
            return self.error(op_id, "invalid", _("A frame needs an “op”."))
        if not self.bucket.take():
            if op == "typing":
                return None  # ephemeral: dropping it is harmless
            return self.error(op_id, "rate_limited", _("Too many changes at once; slow down."))
        handler = self.OPS.get(op)
        if handler is None:
            return self.error(op_id, "unknown_op", _("Unknown op “%(op)s”.") % {"op": op[:40]})
        return await getattr(self, handler)(frame)

    async def op_sync(self, frame):
        await self.send_state(frame.get("id"))

    async def op_write(self, frame):
        """Hands a write op to the group-commit writer; the ack or error comes back later."""
        if frame.get("id") is None:
            return self.error(None, "invalid", _("This op needs an “id”."))
        actor = self.actor
        if actor is None:
            return self.error(frame["id"], "forbidden", _("You cannot change anything here."))
        writer.submit(Job(frame["op"], frame, actor, self.loop, self.reply))
        return None


class ParticipantConsumer(LiveConsumer):
    OPS = {
        **LiveConsumer.OPS,
        **{name: "op_write" for name in ops.WRITE_OPS},
        "typing": "op_typing",
        "challenge.propose": "op_challenge_propose",
    }
    TYPING_INTERVAL = 1.0

    @database_sync_to_async
    def identify(self):
        """Returns who is connecting, or a close code: 4404 for strangers, 4403 for a
        participant asking for another room."""
        code = self.scope["url_route"]["kwargs"]["code"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            workshop = get_workshop_by_code(code)
        except Http404:
            return CLOSE_NOT_FOUND
        wanted = (query.get("room") or [None])[0]
        if wanted is not None:
            try:
                wanted = int(wanted)
            except ValueError:
                return CLOSE_NOT_FOUND
        user = self.scope.get("user")
        is_facilitator = user is not None and workshop.is_facilitator(user)
        if wanted is not None and is_facilitator:
            room = Room.objects.filter(workshop=workshop, number=wanted).first()
            if room is None:
                return CLOSE_NOT_FOUND
            role = "facilitator" if (query.get("as") or [""])[0] == "facilitator" else "observer"
            return Identity(workshop, room, None, user.pk, role)
        participant = participant_from_session(self.scope.get("session"), workshop)
        if participant is not None:
            room = participant.room
            if wanted is not None and (room is None or room.number != wanted):
                return CLOSE_FORBIDDEN
            return Identity(workshop, room, participant, None, "member")
        if is_facilitator:
            return Identity(workshop, None, None, user.pk, "observer")
        return CLOSE_NOT_FOUND

    async def enter(self, identity):
        self.participant_id = identity.participant.pk if identity.participant else None
        self.room_id = None
        self.room_number = None
        self.last_typing = 0.0
        await self.subscribe(events.workshop_group(self.workshop_id))
        await self.watch_presence(self.workshop_id)
        await self.switch_room(identity.room)

    @property
    def actor(self):
        identity = self.identity
        return ops.Actor(
            workshop_id=self.workshop_id,
            room_id=self.room_id,
            participant_id=self.participant_id,
            user_id=identity.user_id,
            role=identity.role,
        )

    async def switch_room(self, room):
        """Follows the participant into `room` (None: the lobby): events and presence."""
        if self.room_id is not None:
            self.unsubscribe(events.room_group(self.room_id))
        if self.present is not None:
            self.hub.presence.leave(*self.present)
            self.present = None
        self.room_id = room.pk if room else None
        self.room_number = room.number if room else None
        if room is not None:
            await self.subscribe(events.room_group(room.pk))
        if self.participant_id is not None:
            self.present = (self.workshop_id, self.room_id or 0, self.participant_id)
            self.hub.presence.join(*self.present[:2], self.room_number, self.participant_id)

    @database_sync_to_async
    def snapshot(self):
        workshop = Workshop.objects.select_related("presenting_room").get(pk=self.workshop_id)
        participant = None
        if self.participant_id is not None:
            participant = Participant.objects.filter(pk=self.participant_id).first()
        room = Room(pk=self.room_id) if self.room_id else None
        return (workshop.rev, workshop_part(workshop)), {
            "room": room_state(room, participant) if room else None,
            "me": {
                "participant": participant_public(participant) if participant else None,
                "role": self.identity.role,
                "room": self.room_number,
                "user": self.identity.user_id,
            },
        }

    @database_sync_to_async
    def current_room(self):
        """Returns (still a participant?, their room now) from the database."""
        participant = Participant.objects.select_related("room").filter(
            pk=self.participant_id, workshop_id=self.workshop_id
        ).first()
        return participant is not None, (participant.room if participant else None)

    async def op_sync(self, frame):
        if self.participant_id is not None:
            # A lost room.assigned is repaired here too: follow the room the database says.
            exists, room = await self.current_room()
            if not exists:
                return await self.close(code=CLOSE_NOT_FOUND)
            if (room.pk if room else None) != self.room_id:
                await self.switch_room(room)
        await self.send_state(frame.get("id"))
        return None

    async def hub_deliver(self, group, event, text):
        if self.closed:
            return
        if group is None:  # a frame for this socket alone (ack, error, state)
            await self.base_send({"type": "websocket.send", "text": text})
            return
        kind = event.get("type")
        if self.participant_id is not None and kind == "room.assigned":
            mine = next(
                (entry for entry in event.get("assignments", ())
                 if _participant_id(entry) == self.participant_id),
                None,
            )
            frame = {"type": "room.assigned", "scope": "workshop", "rev": event.get("rev")}
            if mine is not None:
                frame.update(room=mine.get("room"), url=mine.get("url"))
            await self.base_send({"type": "websocket.send", "text": json.dumps(frame)})
            if mine is not None:
                self.loop.create_task(self.follow_assignment())
            return
        await self.base_send({"type": "websocket.send", "text": text})
        if kind == "participant.left" and event.get("participant_id") == self.participant_id:
            self.closed = True
            await self.close(code=CLOSE_NOT_FOUND)

    async def follow_assignment(self):
        exists, room = await self.current_room()
        if not exists or self.closed:
            return
        if (room.pk if room else None) != self.room_id:
            await self.switch_room(room)
            await self.send_state()

    async def op_typing(self, frame):
        """Tells the room someone is typing in a step: never stored, never acked, at most
        one per second per socket."""
        if self.room_id is None or not self.actor.may_write or frame.get("step") not in STEP_ORDER:
            return
        now = time.monotonic()
        if now - self.last_typing < self.TYPING_INTERVAL:
            return
        self.last_typing = now
        events.send_room_ephemeral(
            self.room_id, self.room_number, "typing",
            {"participant": self.participant_id, "step": frame["step"]},
        )

    async def op_challenge_propose(self, frame):
        """A member suggests a challenge to the scribe: shown to the room, not stored."""
        op_id = frame.get("id")
        if self.room_id is None:
            return self.error(op_id, "not_found", _("You are not in a room."))
        if not self.actor.may_write:
            return self.error(op_id, "forbidden", _("Join the room as facilitator to change it."))
        challenge = frame.get("challenge")
        if isinstance(challenge, bool) or not isinstance(challenge, int):
            return self.error(op_id, "invalid", _("“challenge” must be a whole number."))
        exists = await database_sync_to_async(
            lambda: Workshop.objects.get(pk=self.workshop_id).challenges.filter(
                pk=challenge
            ).exists()
        )()
        if not exists:
            return self.error(op_id, "not_found", _("This challenge does not exist."))
        events.send_room_ephemeral(
            self.room_id, self.room_number, "challenge.proposed",
            {"challenge": challenge, "by": self.participant_id},
        )
        return self.ack(op_id)


def _participant_id(entry):
    participant = entry.get("participant")
    if isinstance(participant, dict):
        return participant.get("id")
    return participant


class ControlConsumer(LiveConsumer):
    """The facilitators' control room socket: every event of the workshop, all rooms."""

    OPS = {**LiveConsumer.OPS, **{name: "op_control" for name in control.CONTROL_OPS}}

    @database_sync_to_async
    def identify(self):
        code = self.scope["url_route"]["kwargs"]["code"]
        try:
            workshop = get_workshop_by_code(code)
        except Http404:
            return CLOSE_NOT_FOUND
        user = self.scope.get("user")
        if user is not None and workshop.is_facilitator(user):
            return Identity(workshop, None, None, user.pk, "control")
        if participant_from_session(self.scope.get("session"), workshop) is not None:
            return CLOSE_FORBIDDEN
        return CLOSE_NOT_FOUND

    async def enter(self, identity):
        self.previews = control.NotePreviews(self.schedule_previews)
        await self.subscribe(events.control_group(self.workshop_id))
        await self.watch_presence(self.workshop_id)
        control.schedule_closing(self.workshop_id, identity.workshop.closing_at)

    @property
    def actor(self):
        return ops.Actor(
            workshop_id=self.workshop_id, user_id=self.identity.user_id, role="control"
        )

    @database_sync_to_async
    def snapshot(self):
        workshop, rest = control.control_state(self.workshop_id, self.identity.user_id)
        return (workshop.rev, workshop_part(workshop)), rest

    # -- the control room's ops and coalesced previews (rules in breakouts/control.py) -----

    async def op_control(self, frame):
        reply, closing_at = await database_sync_to_async(control.handle)(
            frame["op"], frame, self.actor
        )
        control.schedule_closing(self.workshop_id, closing_at)
        self.reply(reply)

    def schedule_previews(self, room, delay):
        # The flush rides the hub's queue, so it stays in order with the socket's other frames.
        marker = {"type": "previews.flush", "room": room}
        self.loop.call_later(max(0.0, delay), self.hub.send_direct, self, marker)

    async def hub_deliver(self, group, event, text):
        """Passes events on, except note keystrokes: those become coalesced `note.preview`s."""
        if self.closed:
            return
        kind = event.get("type") if event is not None else None
        if group is None and kind == "previews.flush":
            frames, text = self.previews.flush(event["room"]), None
        elif kind == "note.changed":
            frames, text = self.previews.note(event), None
        elif group is not None and event.get("scope") == "room" and event.get("rev") is not None:
            frames = self.previews.flush(event.get("room"))
        else:
            frames = ()
        for frame in frames:
            await self.base_send({"type": "websocket.send", "text": encode(frame)})
        if text is not None:
            await self.base_send({"type": "websocket.send", "text": text})
