"""The one op pipeline: every write op of every socket goes through `apply_once`.

An app hands the transport an `OpTable` (op name → thin handler that calls model methods)
and, optionally, an `authorize(actor)` check that re-reads the actor's rights for every op, not
only at connect. The group-commit writer (live/writer.py) runs each queued op through
`reply_to`, inside one transaction per batch:

1. the op id is claimed in `live_appliedop` first (INSERT … ON CONFLICT DO NOTHING). If another
   transaction — this process's earlier batch, or another process right now — has the id, the
   op is not run again: the reply is an ack with the revision stored for it;
2. the table's `authorize` and handler run; the handler returns the revision to ack;
3. any OpError becomes an error frame with its stable code, and the claim is withdrawn.

Handlers raise OpError before their first write, so a refused op leaves nothing behind and
never breaks the batch it rides in.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class Actor:
    """Who sends ops on a socket, as it stood when the socket connected or last moved."""

    workshop_id: int
    room_id: int | None = None
    participant_id: int | None = None
    user_id: int | None = None
    # "member": a participant of the room; "facilitator": a facilitator who joined a room
    # explicitly and may do what the scribe does; "observer": a facilitator looking on;
    # "control": a facilitator's control socket.
    role: str = "member"
    # The browser tab the socket belongs to (live.js's `?tab=`), or "": two tabs of one person
    # are two writers (a note written in one is a conflict for the other).
    tab: str = ""

    @property
    def acts_as_facilitator(self):
        return self.role == "facilitator"

    @property
    def may_write(self):
        return self.role in ("member", "facilitator")


class OpError(Exception):
    """A refused op: `code` is one of the protocol's stable error codes."""

    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.extra = extra


class OpTable:
    """An app's ops: `@table.register("name")` on `handler(frame, actor) -> rev`."""

    def __init__(self, name, authorize=None):
        self.name = name
        self.handlers = {}
        self.authorize = authorize

    def register(self, op_name):
        def decorate(handler):
            self.handlers[op_name] = handler
            return handler

        return decorate

    def __contains__(self, op_name):
        return op_name in self.handlers

    def __iter__(self):
        return iter(self.handlers)


def error_frame(op_id, error):
    """The one mapping of a refused op to its frame."""
    return {"type": "error", "id": op_id, "code": error.code, "message": error.message,
            **error.extra}


def ack_frame(op_id, rev):
    return {"type": "ack", "id": op_id, "rev": rev}


def apply_once(table, op, frame, actor):
    """Applies one op at most once per (workshop, op id) and returns the revision to ack.

    Call inside a transaction. Raises OpError when the op is refused (nothing stays written).
    """
    op_id = frame["id"]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [actor.workshop_id, op_id, now])
        claimed = cursor.fetchone()
        if claimed is None:
            cursor.execute(STORED_REV_SQL, [actor.workshop_id, op_id])
            return cursor.fetchone()[0]
        try:
            if table.authorize is not None:
                table.authorize(actor)
            rev = table.handlers[op](frame, actor)
        except OpError:
            cursor.execute(UNCLAIM_SQL, [claimed[0]])
            raise
        cursor.execute(SET_REV_SQL, [rev or 0, claimed[0]])
    return rev


def reply_to(table, op, frame, actor):
    """Returns the ack or error frame for one op (call inside the batch's transaction)."""
    try:
        rev = apply_once(table, op, frame, actor)
    except OpError as error:
        return error_frame(frame.get("id"), error)
    return ack_frame(frame["id"], rev)


CLAIM_SQL = (
    "INSERT INTO live_appliedop (scope, op_id, rev, created_at) VALUES (%s, %s, 0, %s) "
    "ON CONFLICT (scope, op_id) DO NOTHING RETURNING id"
)
STORED_REV_SQL = "SELECT rev FROM live_appliedop WHERE scope = %s AND op_id = %s"
UNCLAIM_SQL = "DELETE FROM live_appliedop WHERE id = %s"
SET_REV_SQL = "UPDATE live_appliedop SET rev = %s WHERE id = %s"
