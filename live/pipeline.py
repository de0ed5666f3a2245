"""The one op pipeline: every write op of every socket goes through `apply_once`.

An app hands the transport an `OpTable` (op name → thin handler that calls model methods)
and, optionally, an `authorize(actor)` check that re-reads the actor's rights for every op, not
only at connect. The group-commit writer (live/writer.py) runs each queued batch through
`replies_to`, inside one transaction per batch:

1. every op id is claimed in `live_appliedop` first (INSERT … ON CONFLICT DO NOTHING), the
   batch's ids in one statement. If another transaction — this process's earlier batch, or
   another process right now — has an id, that op is not run again: the reply is an ack with
   the revision stored for it (`reply_to`, one op at a time, as for an id sent twice in one
   batch);
2. the table's `authorize` and handler run; the handler returns the revision to ack;
3. any OpError becomes an error frame with its stable code, and the claim is withdrawn;
4. the revisions to ack are stored with the claims, the batch's in one statement, so a resend
   is acked with the same revision.

Handlers raise OpError before their first write, so a refused op leaves nothing behind and
never breaks the batch it rides in.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from live import sql

# Rows per statement of the batch's claims and revisions (3 and 2 parameters a row: well
# within SQLite's and PostgreSQL's limits).
ROWS_PER_STATEMENT = 250


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
    """An app's ops: `@table.register("name")` on `handler(frame, actor) -> rev`.

    `prefetch(jobs)`, if given, is called once per batch with the table's jobs about to run
    (each with `op`, `frame`, `actor`): it may read ahead for all of them in one round trip
    and leave what it read in `live.sql.batch_cache()` for the handlers.
    """

    def __init__(self, name, authorize=None, prefetch=None):
        self.name = name
        self.handlers = {}
        self.authorize = authorize
        self.prefetch = prefetch

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
    rev = run_claimed(table, op, frame, actor, claimed[0])
    with connection.cursor() as cursor:
        cursor.execute(SET_REV_SQL, [rev or 0, claimed[0]])
    return rev


def run_claimed(table, op, frame, actor, claim):
    """Runs an op whose id this transaction claimed (`claim`: its row's id): the table's
    rights check, then its handler; returns the revision to ack. A refused op withdraws its
    claim, so a corrected resend runs, and raises its OpError."""
    try:
        if table.authorize is not None:
            table.authorize(actor)
        return table.handlers[op](frame, actor)
    except OpError:
        with connection.cursor() as cursor:
            cursor.execute(UNCLAIM_SQL, [claim])
        raise


def reply_to(table, op, frame, actor):
    """Returns the ack or error frame for one op (call inside the batch's transaction)."""
    try:
        rev = apply_once(table, op, frame, actor)
    except OpError as error:
        return error_frame(frame.get("id"), error)
    return ack_frame(frame["id"], rev)


def replies_to(jobs):
    """Returns the ack or error frame of each job (with `table`, `op`, `frame`, `actor`), in
    order, applying each op at most once, as `reply_to` does one by one, but with the batch's
    claims and stored revisions in one statement each, and writes held back to go with the
    next statement where handlers defer them (live/sql.py). Call inside the batch's
    transaction."""
    with sql.writing_behind():
        return _replies_to(jobs)


def _replies_to(jobs):
    claims = claim_all(jobs)
    by_table = {}
    for index in claims:
        by_table.setdefault(jobs[index].table, []).append(jobs[index])
    for table, claimed in by_table.items():
        if table.prefetch is not None:
            table.prefetch(claimed)
    replies, stored = [], []
    for index, job in enumerate(jobs):
        claim = claims.get(index)
        if claim is None:  # claimed before (a resend), or twice in this batch
            replies.append(reply_to(job.table, job.op, job.frame, job.actor))
            continue
        try:
            rev = run_claimed(job.table, job.op, job.frame, job.actor, claim)
        except OpError as error:
            replies.append(error_frame(job.frame.get("id"), error))
            continue
        if rev:
            stored.append((claim, rev))
        replies.append(ack_frame(job.frame["id"], rev))
    store_revs(stored)
    return replies


def claim_all(jobs):
    """Claims the op ids of `jobs` that occur once in the batch; returns job index → claim id
    for those claimed here (an id claimed before is not returned by the INSERT)."""
    keys = [(job.actor.workshop_id, job.frame["id"]) for job in jobs]
    counts = Counter(keys)
    single = {key: index for index, key in enumerate(keys) if counts[key] == 1}
    if not single:
        return {}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    claims = {}
    rows = list(single)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start:start + ROWS_PER_STATEMENT]
            cursor.execute(
                CLAIM_MANY_SQL.format(values=", ".join(["(%s, %s, 0, %s)"] * len(chunk))),
                [value for scope, op_id in chunk for value in (scope, op_id, now)],
            )
            for scope, op_id, claim in cursor.fetchall():
                claims[single[(scope, op_id)]] = claim
    return claims


def store_revs(stored):
    """Stores each claim's revision: `stored` is [(claim id, rev)]. The deferred writes of the
    batch go in the same round trip."""
    with connection.cursor() as cursor:
        for start in range(0, len(stored), ROWS_PER_STATEMENT):
            chunk = stored[start:start + ROWS_PER_STATEMENT]
            statement = SET_REVS_SQL.format(
                cases=" ".join(["WHEN %s THEN %s"] * len(chunk)),
                ids=", ".join(["%s"] * len(chunk)),
            )
            params = [value for pair in chunk for value in pair]
            sql.run(cursor, (statement, params + [claim for claim, _rev in chunk]))


CLAIM_SQL = (
    "INSERT INTO live_appliedop (scope, op_id, rev, created_at) VALUES (%s, %s, 0, %s) "
    "ON CONFLICT (scope, op_id) DO NOTHING RETURNING id"
)
CLAIM_MANY_SQL = (
    "INSERT INTO live_appliedop (scope, op_id, rev, created_at) VALUES {values} "
    "ON CONFLICT (scope, op_id) DO NOTHING RETURNING scope, op_id, id"
)
SET_REVS_SQL = "UPDATE live_appliedop SET rev = CASE id {cases} END WHERE id IN ({ids})"
STORED_REV_SQL = "SELECT rev FROM live_appliedop WHERE scope = %s AND op_id = %s"
UNCLAIM_SQL = "DELETE FROM live_appliedop WHERE id = %s"
SET_REV_SQL = "UPDATE live_appliedop SET rev = %s WHERE id = %s"
