"""Fewer round trips to the database for the group-commit writer's hot ops.

The writer's ops are a handful of short statements each. On PostgreSQL every statement is a
round trip, and the writer thread waits for the reply and then for the GIL, which it shares
with the event loop: at 1,000 note writes a second the round trips, not the work, were the
writer's limit (docs/scale.md). Two tools:

- `run` sends statements in one round trip: psycopg's client-side binding (Django's
  default) accepts several statements in one `execute` and returns each result in turn.
- `defer` holds a write back until the next statement of the connection (write-behind),
  inside `writing_behind()` (the writer's batch): a deferred write goes with the next
  `run` in the same round trip, and before any other query (Django's `execute_wrapper`),
  so every statement still sees every write before it, in order. A write whose outcome
  matters is checked when it lands (`rows`).
- `batch_cache()` is a dict that lives as long as `writing_behind()`: what an op table read
  ahead for the whole batch in one round trip (its `prefetch`), for its handlers to take.

SQLite runs the statements one by one, which costs nothing there (an in-process call).
"""

import threading
from contextlib import contextmanager

from django.db import connection

_local = threading.local()


class DeferredWriteFailed(RuntimeError):
    """A deferred write changed another number of rows than it expected: a bug (a lock not
    held), never a user's doing; the batch rolls back (the writer replays its ops)."""


def run(cursor, *statements):
    """Runs `statements` — `(sql, params)` pairs — in order, in the current transaction,
    after any deferred writes and in the same round trip where the database allows.

    Returns one entry per statement: its rows (a list) when it returns rows, else None. An
    error in any of them raises, as `execute` does.
    """
    pending = _take_pending()
    results = _run_all(cursor, [(sql, params) for sql, params, _rows in pending]
                       + list(statements))
    _check(pending, results[:len(pending)])
    return results[len(pending):]


def defer(sql, params, rows=None):
    """Sends a write with the next statement of this connection, inside `writing_behind()`;
    outside it, at once. `rows`: how many rows it must return (RETURNING), checked when it
    lands; None: not checked."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        with connection.cursor() as cursor:
            _check([(sql, params, rows)], _run_all(cursor, [(sql, params)]))
        return
    pending.append((sql, params, rows))


def flush():
    """Sends the deferred writes now (the end of a batch)."""
    if getattr(_local, "pending", None):
        with connection.cursor() as cursor:
            run(cursor)


@contextmanager
def writing_behind():
    """Lets `defer` hold writes back until the next statement; flushes them at the end.
    Use inside a transaction (its commit must follow the flush); not re-entrant."""
    _local.pending = []
    _local.cache = {}
    try:
        with connection.execute_wrapper(_flush_first):
            yield
            flush()
    finally:
        _local.pending = None
        _local.cache = None


def batch_cache():
    """The dict of the current `writing_behind()` scope, or None outside one."""
    return getattr(_local, "cache", None)


def row_key(model, pk):
    """The batch cache's key for what was read ahead about one row of `model`."""
    return (model._meta.db_table, pk)


def forget(model, pk):
    """Drops what was read ahead about a row that changes now (its revision moves on)."""
    cache = batch_cache()
    if cache:
        cache.pop(row_key(model, pk), None)


def _flush_first(execute, sql, params, many, context):
    """Django's execute wrapper: a query other than `run`'s own sends the deferred writes
    first, so it sees them."""
    flush()
    return execute(sql, params, many, context)


def _take_pending():
    pending = getattr(_local, "pending", None) or []
    if pending:
        _local.pending = []
    return pending


def _check(pending, results):
    for (sql, _params, rows), result in zip(pending, results, strict=True):
        if rows is not None and len(result or ()) != rows:
            raise DeferredWriteFailed(f"{sql!r} changed {len(result or ())} rows, not {rows}")


def _run_all(cursor, statements):
    if len(statements) > 1 and binds_on_client():
        cursor.execute(
            "; ".join(sql for sql, _params in statements),
            [value for _sql, params in statements for value in params],
        )
        results = []
        while True:
            results.append(cursor.fetchall() if cursor.description is not None else None)
            if not cursor.nextset():
                break
        return results
    results = []
    for sql, params in statements:
        cursor.execute(sql, params)
        results.append(cursor.fetchall() if cursor.description is not None else None)
    return results


def binds_on_client():
    """True for PostgreSQL through psycopg 3 with client-side binding (Django's default)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    options = connection.settings_dict.get("OPTIONS") or {}
    return is_psycopg3 and not options.get("server_side_binding")


def for_update(of=None):
    """" FOR UPDATE" (of the table alias `of`) where the database locks selected rows
    (PostgreSQL), else "" (SQLite's writer holds the whole database for its transaction:
    settings, IMMEDIATE)."""
    if not connection.features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if of else " FOR UPDATE"
