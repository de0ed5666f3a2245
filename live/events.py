"""Every live event's shape, and the only way an event leaves Roundtable.

`EVENTS` is the catalogue: one schema per (scope, type), the same table as docs/protocol.md's
"Events". `send_on_commit` checks an event against its schema *before* queueing it, inside the
transaction that stored the change, so a malformed payload fails the op (and rolls it back)
instead of failing in the hub after the ack went out. The tests check every event they capture
against the same schemas (`tests/conftest.py`, `capture_events`).

Models announce their own changes (`live.revisions.Announcing.announce`), which calls
`send_on_commit`; ephemeral events (typing, presence) go out at once through `send_now`.

Transport: the process-local hub (live/hub.py) delivers to this process's sockets and, with a
multi-process channel layer, once to every other process. Callers may be sync code in any
thread (views, the writer thread) or a process with no sockets at all (a management command):
then the event goes straight to the channel layer.
"""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from live.hub import LAYER_MESSAGE, PROCESS_ID, current_hub


class EventSchemaError(ValueError):
    """An event that does not match its schema in EVENTS (a programming error)."""


# -- the schema language: field → a type, a tuple of types, or Nullable/Optional of one -------

class Nullable:
    def __init__(self, kind):
        self.kind = kind


class Optional:
    """A field that may be left out."""

    def __init__(self, kind):
        self.kind = kind


ISO = Nullable(str)  # an ISO 8601 timestamp, or null
ID = Nullable(int)  # a participant or item id, or null

PARTICIPANT = {"id": int, "name": str, "department": str, "location": str, "joined_at": ISO}
TIMER = Nullable({"ends_at": str, "label": str})
STEP_TIMES = {"step": str, "step_started_at": ISO, "step_ends_at": ISO}

ROOM_EVENTS = {
    "note.changed": {"step": str, "text": str, "note_rev": int, "by": ID},
    # A streamed edit: replace ranges [from, to, text] on the note before it, ascending;
    # `edit` is the id of the op that made it (its writer recognises its own edit).
    "note.edited": {
        "step": str, "changes": [list], "note_rev": int, "by": ID, "edit": Nullable(str),
    },
    "item.added": {"item": dict},
    "item.updated": {"item": dict},
    "item.deleted": {
        "item": int, "step": str, "votes": Optional(dict), "selection_cleared": Optional(bool),
    },
    "votes.changed": {
        "tallies": dict, "voters": list, "hidden": bool, "participant": int, "votes": dict,
    },
    "step.changed": STEP_TIMES,
    "challenge.changed": {"challenge": Nullable(dict), **STEP_TIMES},
    "selection.changed": {"item": ID, "rationale": str},
    "scribe.offered": {"to": ID, "by": ID},
    "scribe.changed": {"scribe": ID, "previous": ID},
    "members.changed": {"members": [PARTICIPANT], "scribe": ID},
    "help.requested": {"request": dict},
    "help.acknowledged": {"request": dict},
    "broadcast": {"message": str, "broadcast": dict},
    "timer.changed": {"timer": TIMER},
}
WORKSHOP_EVENTS = {
    "participant.joined": {"participant": PARTICIPANT},
    "participant.updated": {"participant": PARTICIPANT},
    "participant.left": {"participant_id": int},
    "phase.changed": {"phase": str, "rooms": Optional(int), "round": Optional(int)},
    "room.assigned": {"assignments": [{"participant": int, "room": int, "url": str}]},
    "broadcast": {"message": str, "broadcast": dict},
    "timer.changed": {"timer": TIMER},
    "debrief.changed": {
        "respondents": int, "max_count": int, "participants": int, "choices": list,
    },
    "challenges.changed": {"challenges": [{"id": int, "title": str, "description": str}]},
    "breakouts.closing": {"closing_at": ISO},
    "plenary.presenting": {"room": ID},
}
# Not stored, no `rev`: sent at once to whoever listens now.
EPHEMERAL_EVENTS = {
    "typing": {"participant": ID, "step": str},
    "challenge.proposed": {"challenge": int, "by": ID},
    "presence.changed": {"online": [int]},
}
# Frames a socket derives from events for its own client (breakouts/consumers.py).
SOCKET_FRAMES = {
    # A participant hears only their own entry of `room.assigned` (others: no room/url).
    "room.assigned": {
        "type": str, "scope": str, "rev": int, "room": Optional(int), "url": Optional(str),
    },
    # Joins held for a moment and sent together to participants' sockets
    # (breakouts/join_digest.py); `span_from`: the first revision it stands for.
    "participants.joined": {
        "type": str, "scope": str, "rev": int, "participants": [PARTICIPANT],
        "span_from": Optional(int),
    },
    # The control socket's coalesced note keystrokes (breakouts/previews.py).
    "note.preview": {
        "type": str, "scope": str, "room": int, "rev": int, "step": str, "text": str,
        "length": int, "by": ID, "span_from": Optional(int),
    },
}
# Never forwarded to clients: tells every open socket of a workshop to re-check who it is.
INTERNAL_EVENTS = {
    "access.changed": {},
}
EVENTS = {
    **{("internal", name): schema for name, schema in INTERNAL_EVENTS.items()},
    **{("room", name): schema for name, schema in ROOM_EVENTS.items()},
    **{("workshop", name): schema for name, schema in WORKSHOP_EVENTS.items()},
    **{("ephemeral", name): schema for name, schema in EPHEMERAL_EVENTS.items()},
}
ENVELOPE = {
    "internal": {"type": str, "scope": str},
    "room": {"type": str, "scope": str, "room": int, "rev": int},
    "workshop": {"type": str, "scope": str, "rev": int},
    "ephemeral": {"type": str, "scope": str, "room": ID},
}


def validate(event, *, ephemeral=False):
    """Raises EventSchemaError unless `event` matches its schema exactly (no extra fields)."""
    scope = "ephemeral" if ephemeral else event.get("scope")
    schema = EVENTS.get((scope, event.get("type")))
    if schema is None:
        raise EventSchemaError(f"unknown event {scope}/{event.get('type')}")
    _check({**ENVELOPE[scope], **schema}, event, event["type"])


def validate_frame(frame):
    """Raises EventSchemaError unless an event frame a client received matches its schema:
    the frames a socket derives (SOCKET_FRAMES) or any event of the catalogue."""
    derived = SOCKET_FRAMES.get(frame.get("type"))
    if derived is not None and not (frame["type"] == "room.assigned" and "assignments" in frame):
        _check(derived, frame, frame["type"])
    else:
        validate(frame, ephemeral="rev" not in frame)


def _check(spec, value, where):
    if isinstance(spec, Optional | Nullable):
        if value is None and isinstance(spec, Nullable):
            return
        return _check(spec.kind, value, where)
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise EventSchemaError(f"{where}: expected an object, got {value!r:.80}")
        extra = set(value) - set(spec)
        if extra:
            raise EventSchemaError(f"{where}: unexpected fields {sorted(extra)}")
        for name, kind in spec.items():
            if name not in value:
                if isinstance(kind, Optional):
                    continue
                raise EventSchemaError(f"{where}: missing “{name}”")
            _check(kind, value[name], f"{where}.{name}")
        return
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise EventSchemaError(f"{where}: expected a list, got {value!r:.80}")
        for index, entry in enumerate(value):
            _check(spec[0], entry, f"{where}[{index}]")
        return
    if isinstance(value, bool) and spec is not bool:
        raise EventSchemaError(f"{where}: expected {spec.__name__}, got a boolean")
    if not isinstance(value, spec):
        raise EventSchemaError(f"{where}: expected {spec.__name__}, got {value!r:.80}")


# -- payload pieces that several events share ------------------------------------------------

def iso(value):
    """Returns a datetime as the protocol's ISO text (None stays None)."""
    return value.isoformat() if value else None


def timer(ends_at, label):
    """Returns a countdown as events and snapshots carry it: {ends_at, label} or None."""
    return {"ends_at": iso(ends_at), "label": label} if ends_at else None


# -- sending ------------------------------------------------------------------------------------

def publish(group, event):
    """Sends an event now, from any thread. Prefer `send_on_commit` for stored changes."""
    hub = current_hub()
    if hub is not None:
        hub.publish_threadsafe(group, event)
        return
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group):
        return  # nobody in this process listens, and the in-memory layer reaches no other
    message = {"type": LAYER_MESSAGE, "group": group, "event": event, "origin": PROCESS_ID}
    try:
        async_to_sync(layer.group_send)(group, message)
    except RuntimeError:
        # Called from inside a running event loop's thread (not through the hub): schedule it.
        asyncio.get_running_loop().create_task(layer.group_send(group, message))


def may_have_listeners(group):
    """False only when nobody can hear `group`: this process has no socket in it and no other
    process can (the in-memory layer). Lets a sender skip building an event (e.g. the
    control room's note previews while no control room is open). A socket that subscribes
    just after this returns False reads the change in its snapshot anyway."""
    hub = current_hub()
    if hub is None or hub.remote:
        return True
    return bool(hub.groups.get(group))


def send_on_commit(groups, event):
    """Checks the event against its schema, then sends it to `groups` once the current
    transaction commits (at once outside a transaction; never if it rolls back)."""
    validate(event)
    transaction.on_commit(lambda: [publish(group, event) for group in groups])


def access_changed(groups):
    """After commit, makes every open socket in `groups` re-check its rights (a facilitator
    removed or logged out, a workshop deleted): sockets that lost them close within a moment,
    in every process."""
    send_on_commit(groups, {"type": "access.changed", "scope": "internal"})


def send_now(groups, event):
    """Sends an ephemeral event (no `rev`, nothing stored) at once, after checking it."""
    validate(event, ephemeral=True)
    for group in groups:
        publish(group, event)
