"""The live sockets of a workshop: thin protocol adapters between browsers and the models.

- `/ws/w/<code>/` (ParticipantConsumer): a participant's workshop events and their own room's
  events; a facilitator may open any room with `?room=<n>` (read-only), or `?room=<n>&as=
  facilitator` to act in it with the scribe's rights.
- `/ws/w/<code>/control/` (ControlConsumer): the facilitators' control room — every workshop
  and room event of the workshop.

Framing, rate limits, fan-out, presence and the op pipeline are the transport's
(live/consumer.py); write ops are the apps' op tables (breakouts/ops.py,
breakouts/control_ops.py). Frames are documented in docs/protocol.md.
"""

import dataclasses
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.http import Http404
from django.utils.translation import gettext as _

from breakouts import closing
from breakouts.access import room_of_participant
from breakouts.control_ops import CONTROL_OPS
from breakouts.control_state import control_state
from breakouts.join_digest import digest_for
from breakouts.models import STEP_ORDER, Room
from breakouts.ops import ROOM_OPS, check_proposal
from breakouts.page_moves import moves_for
from breakouts.previews import NotePreviews
from breakouts.snapshot import room_state
from breakouts.socket_lookups import member_for_socket, workshop_for_socket
from live import events
from live.consumer import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, LiveConsumer, connect_to_async
from live.framing import encode
from live.groups import control_group, room_group, workshop_group
from live.pipeline import Actor, OpError, error_frame
from workshops.access import get_workshop_by_code, participant_from_session
from workshops.models import Participant, Workshop
from workshops.snapshot import current_workshop_state, encoded_workshop_state


@dataclasses.dataclass
class Identity:
    workshop: Workshop
    room: Room | None
    participant: Participant | None
    user_id: int | None
    role: str


class ParticipantConsumer(LiveConsumer):
    OP_TABLE = ROOM_OPS
    LOCAL_OPS = {
        **LiveConsumer.LOCAL_OPS,
        "typing": "op_typing",
        "challenge.propose": "op_challenge_propose",
    }
    TYPING_INTERVAL = 1.0

    def identify(self):
        """Returns who is connecting, or a close code: 4404 for strangers, 4403 for a
        participant asking for another room."""
        code = self.scope["url_route"]["kwargs"]["code"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        workshop = workshop_for_socket(code)
        if workshop is None:
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
            room = Room.objects.current(workshop).filter(number=wanted).first()
            if room is None:
                return CLOSE_NOT_FOUND
            role = "facilitator" if (query.get("as") or [""])[0] == "facilitator" else "observer"
            return Identity(workshop, room, None, user.pk, role)
        participant = member_for_socket(self.scope.get("session"), workshop)
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
        # `?page=lobby`: on `room.assigned` this socket brings the lobby page its room page
        # (a `page` frame) and becomes the room's socket (bring_page).
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.on_lobby_page = (query.get("page") or [""])[0] == "lobby"
        self.page_language = None  # the language of the pages it brings (bring_page)
        self.room_id = None
        self.room_number = None
        self.last_typing = 0.0
        await self.subscribe(workshop_group(self.workshop_id))
        await self.watch_presence(self.workshop_id)
        await self.switch_room(identity.room)

    @property
    def actor(self):
        identity = self.identity
        return Actor(
            workshop_id=self.workshop_id,
            room_id=self.room_id,
            participant_id=self.participant_id,
            user_id=identity.user_id,
            role=identity.role,
            tab=self.tab,
        )

    async def switch_room(self, room):
        """Follows the participant into `room` (None: the lobby): events and presence."""
        if self.room_id is not None:
            self.unsubscribe(room_group(self.room_id))
        self.leave_presence()
        self.room_id = room.pk if room else None
        self.room_number = room.number if room else None
        if room is not None:
            await self.subscribe(room_group(room.pk))
        if self.participant_id is not None:
            self.join_presence(
                self.workshop_id, self.room_id or 0, self.room_number, self.participant_id
            )

    async def snapshot(self):
        return await connect_to_async(self._snapshot)()

    def _snapshot(self):
        workshop = current_workshop_state(self.workshop_id)
        participant = None
        fresh = self.identity.participant  # read on this connect, a moment ago: reused once
        self.identity.participant = None
        if fresh is not None and fresh.pk == self.participant_id:
            participant = fresh
        elif self.participant_id is not None:
            participant = Participant.objects.filter(pk=self.participant_id).first()
        room = Room(pk=self.room_id) if self.room_id else None
        return workshop, {
            "room": room_state(room, participant) if room else None,
            "me": {
                "participant": participant.public() if participant else None,
                "role": self.identity.role,
                "room": self.room_number,
                "user": self.identity.user_id,
            },
        }

    @database_sync_to_async
    def current_room(self):
        """Returns (still a participant?, their room now) from the database."""
        return room_of_participant(self.workshop_id, self.participant_id)

    def send_ephemeral(self, event_type, payload):
        event = {"type": event_type, "scope": "room", "room": self.room_number, **payload}
        events.send_now([room_group(self.room_id)], event)

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

    # Joins reach this socket coalesced, about once a second (breakouts/join_digest.py).
    digests_joins = True

    async def deliver(self, group, event, text):
        if group is None:  # a frame for this socket alone (ack, error, state)
            await self.send_text(text)
            return
        kind = event.get("type")
        if group == workshop_group(self.workshop_id):
            digest = digest_for(self.hub, group)
            if kind == "participant.joined":
                if digest.offer(event):
                    return
            elif digest.held:
                await digest.flush()  # what is held goes first: revisions stay in order
        if self.participant_id is not None and kind == "room.assigned":
            mine = assignments_by_participant(event).get(self.participant_id)
            frame = {"type": "room.assigned", "scope": "workshop", "rev": event.get("rev")}
            if mine is not None:
                frame.update(room=mine.get("room"), url=mine.get("url"))
            await self.send_text(encode(frame))
            if mine is not None and self.on_lobby_page:
                moves_for(self.hub).add(self, mine.get("url"))  # the room page comes to it
            elif mine is not None:
                self.loop.create_task(self.follow_assignment())
            return
        await self.send_text(text)
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

    def page_ready(self, url, room, html):
        """Sends the lobby page its room page (a `page` frame, breakouts/page_moves.py), which
        is also the room's snapshot: the page embeds the room's state, read after this socket
        joined the room, so no `state` frame follows (but who is online, which lives here).
        Without HTML (the page needs a real load: a call's wider policy, a refusal) the page
        loads `url` itself."""
        if self.closed:
            return
        frame = {"type": "page", "url": url, "html": html}
        if html is not None:
            frame["online"] = self.hub.presence.online(self.workshop_id, room.pk)
            self.on_lobby_page = False  # from now on this is the room page's socket
        self.hub.send_direct(self, frame)

    async def op_typing(self, frame):
        """Tells the room someone is typing in a step: never stored, never acked, at most
        one per second per socket."""
        if self.room_id is None or not self.actor.may_write or frame.get("step") not in STEP_ORDER:
            return
        now = time.monotonic()
        if now - self.last_typing < self.TYPING_INTERVAL:
            return
        self.last_typing = now
        self.send_ephemeral("typing", {"participant": self.participant_id, "step": frame["step"]})

    async def op_challenge_propose(self, frame):
        """A member suggests a challenge to the scribe: shown to the room, not stored."""
        op_id = frame.get("id")
        if self.room_id is None:
            return self.error(op_id, "not_found", _("You are not in a room."))
        if not self.actor.may_write:
            return self.error(op_id, "forbidden", _("Join the room as facilitator to change it."))
        try:
            challenge = await database_sync_to_async(check_proposal)(frame, self.actor)
        except OpError as refused:
            return self.reply(error_frame(op_id, refused))
        self.send_ephemeral(
            "challenge.proposed", {"challenge": challenge, "by": self.participant_id}
        )
        return self.ack(op_id)


_indexed = (None, {})  # the last `room.assigned` event seen in this process, indexed


def assignments_by_participant(event):
    """Returns {participant id: entry} of a `room.assigned` event, built once per event (not
    once per socket: a breakout start of 10,000 people would otherwise be 10⁸ comparisons)."""
    global _indexed
    if _indexed[0] is not event:
        _indexed = (event, {entry["participant"]: entry for entry in event["assignments"]})
    return _indexed[1]


class ControlConsumer(LiveConsumer):
    """The facilitators' control room socket: every event of the workshop, all rooms."""

    OP_TABLE = CONTROL_OPS

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
        self.previews = NotePreviews(self.schedule_previews)
        await self.subscribe(control_group(self.workshop_id))
        await self.watch_presence(self.workshop_id)
        closing.schedule_closing(self.workshop_id, identity.workshop.closing_at)

    @property
    def actor(self):
        return Actor(workshop_id=self.workshop_id, user_id=self.identity.user_id, role="control")

    @database_sync_to_async
    def snapshot(self):
        workshop, rest = control_state(self.workshop_id, self.identity.user_id)
        return (workshop.rev, encoded_workshop_state(workshop)), rest

    # -- coalesced previews and the closing timer --------------------------------------------

    def schedule_previews(self, room, delay):
        # The flush rides the hub's queue, so it stays in order with the socket's other frames.
        marker = {"type": "previews.flush", "room": room}
        self.loop.call_later(max(0.0, delay), self.hub.send_direct, self, marker)

    async def deliver(self, group, event, text):
        """Passes events on, except note keystrokes: those become coalesced `note.preview`s."""
        kind = event.get("type") if event is not None else None
        if kind == "breakouts.closing":
            closing.schedule_closing(self.workshop_id, event.get("closing_at"))
        elif kind == "phase.changed":
            closing.schedule_closing(self.workshop_id, None)
        if group is None and kind == "previews.flush":
            frames, text = self.previews.flush(event["room"]), None
        elif kind == "note.changed":
            frames, text = self.previews.note(event), None
        elif group is not None and event.get("scope") == "room" and event.get("rev") is not None:
            frames = self.previews.flush(event.get("room"))
        else:
            frames = ()
        for frame in frames:
            await self.send_text(encode(frame))
        if text is not None:
            await self.send_text(text)
