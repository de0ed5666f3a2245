"""The one verb that changes and announces: bump a revision, queue the event after commit.

Models with a `rev` field mix in `Announcing` and say where their events go (`event_groups`)
and what envelope they carry (`event_envelope`). Every stored change of a room or a workshop
ends in `self.announce(event_type, payload)` inside the transaction that stored it, so the
event carries the new revision and leaves only if the change commits (live/events.py).
"""

from django.db import connection
from django.utils import timezone

from live import events, sql


class Announcing:
    """Mixin for a model with `rev = BigIntegerField()` whose changes are broadcast."""

    # Another column set to "now" with every bump (e.g. a room's last activity), or None.
    touch_on_bump = None

    def bump_rev(self):
        """Increments the revision in the database in one statement and returns it.

        Call inside the transaction that stores the change the revision describes.
        """
        sql.forget(type(self), self.pk)  # read ahead for a later op of the batch: stale now
        table = connection.ops.quote_name(self._meta.db_table)
        touch, params = self._touch(timezone.now())
        params.append(self.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rev = rev + 1{touch} WHERE id = %s RETURNING rev",  # noqa: S608
                params,
            )
            self.rev = cursor.fetchone()[0]
        return self.rev

    def bump_rev_behind(self, now=None):
        """Increments the revision this object holds, `self.rev`, read with its row locked
        in this transaction, and returns the new one without a round trip of its own: the
        UPDATE goes with the next statement (live/sql.py, `defer`). `now` is the time
        `touch_on_bump` is set to (default: now)."""
        table = connection.ops.quote_name(self._meta.db_table)
        touch, params = self._touch(now or timezone.now())
        self.rev += 1
        sql.defer(
            f"UPDATE {table} SET rev = %s{touch} WHERE id = %s AND rev = %s RETURNING id",  # noqa: S608
            [self.rev, *params, self.pk, self.rev - 1],
            rows=1,  # a row of another revision would be a lost lock: the batch replays
        )
        return self.rev

    def _touch(self, now):
        """The SET clause's tail and parameters that set `touch_on_bump` to `now` (also on
        this object), or nothing."""
        if not self.touch_on_bump:
            return "", []
        setattr(self, self.touch_on_bump, now)
        column = connection.ops.quote_name(self.touch_on_bump)
        return f", {column} = %s", [connection.ops.adapt_datetimefield_value(now)]

    def announce(self, event_type, payload):
        """Bumps the revision and queues `event_type` with `payload` for after the commit.

        Returns the new revision (what the op that caused it is acked with).
        """
        self.bump_rev()
        self.send_event(event_type, payload)
        return self.rev

    def send_event(self, event_type, payload):
        """Queues an event at the current revision (the caller bumped it in this transaction)."""
        event = {"type": event_type, **self.event_envelope(), "rev": self.rev, **payload}
        events.send_on_commit(self.event_groups(), event)

    def event_envelope(self):
        raise NotImplementedError

    def event_groups(self):
        raise NotImplementedError
