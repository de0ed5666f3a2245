"""The socket base class: framing, rate limit, fan-out subscriptions, presence, op dispatch.

App consumers (breakouts/consumers.py) subclass `LiveConsumer` and provide:

- `identify()` → an identity object, or a close code (4403/4404) for people with no access
  (synchronous: it runs on the database thread, with `scope["user"]` resolved just before);
- `enter(identity)` → subscribe to groups and join presence;
- `snapshot()` → `((rev, workshop_json), rest)`: the parts of the `state` frame;
- `actor` → the `live.pipeline.Actor` that write ops act as (None: no writes);
- optionally `deliver(group, event, text)` → what to send for an event (default: the event);
- `OP_TABLE` → the app's `OpTable` of write ops (they go to the group-commit writer), and
  `LOCAL_OPS` → op name → method name for ops answered on the socket itself (`sync`, …).
"""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.sessions import InstanceSessionWrapper
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

try:  # Daphne (through autobahn) raises this on a send to a socket that has just closed.
    from autobahn.exception import Disconnected as SocketGone
except ImportError:  # another ASGI server: nothing to catch
    SocketGone = ()

from live.framing import FrameError, TokenBucket, encode, parse_frame
from live.hub import get_hub
from live.pipeline import OpTable
from live.writer import Job, writer
from live.wsframe import direct_writer

TAB_ID = re.compile(r"[0-9a-f]{1,64}")
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


_connect_executor = None


def connect_to_async(func):
    """database_sync_to_async for the reads of a socket that opens (who it is, its snapshot).

    With `LIVE_CONNECT_THREADS` set (PostgreSQL deployments: deploy/scale.sh) they run on a
    few threads of their own instead of Channels' one shared database thread: at a breakout
    start a thousand handshakes each waited for the round trips of all those before it, and
    a loaded PostgreSQL answers each in milliseconds. Each thread borrows its own connection
    (from the pool with DATABASE_POOL_SIZE). Without it (SQLite: one writer anyway; the
    tests) nothing changes.
    """
    global _connect_executor
    threads = getattr(settings, "LIVE_CONNECT_THREADS", 0)
    if not threads:
        return database_sync_to_async(func)
    if _connect_executor is None:
        _connect_executor = ThreadPoolExecutor(threads, thread_name_prefix="live-connect")
    return database_sync_to_async(func, thread_sensitive=False, executor=_connect_executor)


def tab_of(scope):
    """Returns the socket's browser-tab id from its query (`?tab=`: hex, ≤ 64), else ""."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tab = (query.get("tab") or [""])[0]
    return tab if TAB_ID.fullmatch(tab) else ""


def reload_session(session):
    """Returns the session as the store has it now (empty if it was flushed: a logout)."""
    engine = import_module(settings.SESSION_ENGINE)
    fresh = engine.SessionStore(session_key=session.session_key)
    fresh.load() if session.session_key else None
    return fresh


def load_session_plainly(session):
    """Loads a database-backed session with one plain query instead of the ORM's (a socket
    storm loads a thousand); any other session engine loads itself as usual."""
    store = getattr(session, "_wrapped", session)
    if type(store) is not DbSessionStore or hasattr(store, "_session_cache"):
        return
    if not store.session_key:
        return
    table = connection.ops.quote_name(store.model._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
            [store.session_key, now],
        )
        row = cursor.fetchone()
    if row is None:
        store._session_key = None  # as SessionStore.load does for a missing session
        store._session_cache = {}
    else:
        store._session_cache = store.decode(row[0])


def state_text(rev, workshop_text, rest):
    """Returns the encoded state frame: the (cached) workshop part spliced into `rest`."""
    tail = encode(rest)
    head = f'{{"type":"state","rev":{int(rev)},"workshop":{workshop_text}'
    return head + ("," + tail[1:] if len(tail) > 2 else "}")


class LiveConsumer(AsyncWebsocketConsumer):
    # No per-socket layer channel: the hub holds one subscription per group per process.
    channel_layer_alias = "roundtable-hub-only"

    RATE_PER_SECOND = 15.0
    RATE_BURST = 30
    OP_TABLE = OpTable("none")
    LOCAL_OPS = {"sync": "op_sync"}
    actor = None
    direct_write = None

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
        self.tab = tab_of(self.scope)
        identity = await self.who_connects()
        await self.accept()
        self.skip_session_wrapper()
        if isinstance(identity, int):
            self.closed = True
            await self.close(code=identity)
            return
        self.identity = identity
        self.workshop_id = identity.workshop.pk
        await self.enter(identity)
        await self.send_state()

    def skip_session_wrapper(self):
        """Sends frames straight to Daphne: Channels' session middleware wraps every send to
        save the session after an HTTP response starts, which a socket never sends; its two
        lazy-session lookups per frame were a tenth of the cost of delivering an event."""
        wrapper = getattr(self.base_send, "__self__", None)
        if isinstance(wrapper, InstanceSessionWrapper) and "http.response.start" in getattr(
            wrapper, "save_message_types", ()
        ) and len(wrapper.save_message_types) == 1:
            self.base_send = wrapper.real_send
        self.direct_write = direct_writer(self.base_send)

    async def send_text(self, text):
        """Sends one encoded frame: straight to the transport when it may (live/wsframe.py)."""
        if self.direct_write is None or not self.direct_write(text):
            await self.base_send({"type": "websocket.send", "text": text})

    async def disconnect(self, code):
        self.closed = True
        for group in list(self.subscriptions):
            self.hub.unsubscribe(group, self)
        self.subscriptions.clear()
        self.leave_presence()
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

    def join_presence(self, workshop_id, room_id, room_number, participant_id):
        """Counts this socket as `participant_id` online in a room (0: the lobby)."""
        self.leave_presence()
        self.present = (workshop_id, room_id, participant_id)
        self.hub.presence.join(workshop_id, room_id, room_number, participant_id)

    def leave_presence(self):
        if self.present is not None:
            self.hub.presence.leave(*self.present)
            self.present = None

    async def who_connects(self, *, reload=False):
        """Resolves the session's user and `identify()` in one trip to the database thread
        (Channels' AuthMiddleware would make it two per connection: the sockets are routed
        through the session middleware only)."""
        return await connect_to_async(self._who_connects)(reload)

    def _who_connects(self, reload):
        session = self.scope.get("session")
        if reload and session is not None:
            self.scope["session"] = session = reload_session(session)
        elif session is not None:
            load_session_plainly(session)
        self.scope["user"] = get_user.func(self.scope) if session is not None else None
        return self.identify()

    # -- rights that change while the socket is open ----------------------------------------

    # A logout flushes the session a moment after it announces itself: check again then.
    RECHECK_AGAIN_AFTER = 0.5

    def access_changed(self):
        """Schedules a re-check of who this socket is (an `access.changed` event arrived)."""
        self.loop.create_task(self.recheck())
        self.loop.call_later(
            self.RECHECK_AGAIN_AFTER, lambda: self.loop.create_task(self.recheck())
        )

    async def recheck(self):
        """Re-reads the session and the rights; closes the socket (4403/4404) if they are gone,
        or carries on with the identity it has now."""
        if self.closed:
            return
        identity = await self.who_connects(reload=True)
        if self.closed:
            return
        if isinstance(identity, int):
            self.closed = True
            await self.close(code=identity)
            return
        self.identity = identity

    # -- frames out -------------------------------------------------------------------------

    async def hub_deliver(self, group, event, text):
        """Called by the hub for each event of a subscribed group (already encoded)."""
        if self.closed:
            return
        if event is not None and event.get("scope") == "internal":
            if event.get("type") == "access.changed":
                self.access_changed()
            return
        try:
            await self.deliver(group, event, text)
        except SocketGone:
            # The browser left (a page move) while the frame was on its way: its disconnect
            # follows, so the frame is dropped quietly instead of logged as a failure.
            self.closed = True

    async def deliver(self, group, event, text):
        """Sends one frame (`group` None: a frame for this socket alone). Subclasses filter."""
        await self.send_text(text)

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
            return None
        # Every frame counts against the rate limit, whether it parses or not.
        allowed = self.bucket.take()
        try:
            op, op_id, frame = parse_frame(text_data, bytes_data)
        except FrameError as error:
            if not allowed:
                return self.error(error.op_id, "rate_limited", _("Too many frames; slow down."))
            return self.error(error.op_id, error.code, error.message)
        if not allowed:
            if op == "typing":
                return None  # ephemeral: dropping it is harmless
            return self.error(op_id, "rate_limited", _("Too many changes at once; slow down."))
        method = self.LOCAL_OPS.get(op)
        if method is not None:
            return await getattr(self, method)(frame)
        if op in self.OP_TABLE:
            return self.submit(op, op_id, frame)
        return self.error(op_id, "unknown_op", _("Unknown op “%(op)s”.") % {"op": op[:40]})

    async def op_sync(self, frame):
        await self.send_state(frame.get("id"))

    def submit(self, op, op_id, frame):
        """Hands a write op to the group-commit writer; the ack or error comes back later."""
        if op_id is None:
            return self.error(None, "invalid", _("This op needs an “id”."))
        actor = self.actor
        if actor is None:
            return self.error(op_id, "forbidden", _("You cannot change anything here."))
        writer.submit(Job(self.OP_TABLE, op, frame, actor, self.loop, self.reply))
        return None
