"""One writer thread per process, committing queued ops in groups.

SQLite has one writer anyway; letting every socket open its own transaction only makes them
queue on the lock. Here every op waiting in the queue goes into ONE transaction: each is
validated and applied (breakouts/ops.py), its idempotency row written and the room revision
bumped; after the commit the events go out (breakouts/events.py, on commit) and then each op
gets its ack or error. Nothing is acked that is not stored.

A refused op raises before writing, so it does not disturb the batch. Anything unexpected
rolls the batch back and replays its ops one by one, so one bad op cannot sink the others.
"""

import logging
import queue
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils.translation import gettext as _

from breakouts import ops

logger = logging.getLogger(__name__)

MAX_BATCH = 500
APPLIED_OP_RETENTION = 2 * 24 * 3600  # resends arrive within minutes; keep two days anyway
CLEANUP_EVERY = 3600


class Job:
    """One op on its way to the database; `reply(frame)` is called on the submitter's loop."""

    __slots__ = ("op", "frame", "actor", "loop", "reply", "submitted_at")

    def __init__(self, op, frame, actor, loop, reply):
        self.op = op
        self.frame = frame
        self.actor = actor
        self.loop = loop
        self.reply = reply
        self.submitted_at = time.monotonic()


class Writer:
    def __init__(self):
        self.queue = queue.SimpleQueue()
        self._thread = None
        self._lock = threading.Lock()
        self._last_cleanup = 0.0
        self.batches = 0
        self.ops = 0

    def submit(self, job):
        """Queues a job; its reply comes back on `job.loop` after the commit."""
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="roundtable-writer", daemon=True
                    )
                    self._thread.start()
        self.queue.put(job)

    def _run(self):
        while True:
            batch = [self.queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            except Exception:  # the writer must survive anything
                logger.exception("writer: batch failed")
            if getattr(settings, "TESTING", False) and self.queue.empty():
                # Test databases are dropped at the end; an idle connection would block that.
                connection.close()
            self._maybe_clean_up()

    def _commit(self, batch):
        replies = []
        try:
            with transaction.atomic():
                for job in batch:
                    replies.append(self._apply(job))
        except Exception:
            logger.exception("writer: batch of %s rolled back", len(batch))
            self._reset_connection()
            if len(batch) > 1:
                for job in batch:
                    self._commit([job])
                return
            replies = [
                {"type": "error", "id": batch[0].frame.get("id"), "code": "unavailable",
                 "message": _("The change could not be stored; it will be retried.")}
            ]
        self.batches += 1
        self.ops += len(batch)
        # The events went out on commit (registered first); now each sender hears back.
        for job, reply in zip(batch, replies, strict=True):
            try:
                job.loop.call_soon_threadsafe(job.reply, reply)
            except RuntimeError:  # the socket's event loop is gone
                pass

    @staticmethod
    def _apply(job):
        try:
            rev = ops.apply(job.op, job.frame, job.actor)
        except ops.OpError as error:
            return {"type": "error", "id": job.frame.get("id"), "code": error.code,
                    "message": error.message, **error.extra}
        return {"type": "ack", "id": job.frame["id"], "rev": rev}

    @staticmethod
    def _reset_connection():
        try:
            if not connection.is_usable():
                connection.close()
        except Exception:
            connection.close()

    def _maybe_clean_up(self):
        now = time.monotonic()
        if now - self._last_cleanup < CLEANUP_EVERY:
            return
        self._last_cleanup = now
        from datetime import timedelta

        from django.utils import timezone

        from breakouts.models import AppliedOp

        try:
            close_old_connections()
            cutoff = timezone.now() - timedelta(seconds=APPLIED_OP_RETENTION)
            AppliedOp.objects.filter(created_at__lt=cutoff).delete()
        except Exception:
            logger.exception("writer: clean-up failed")


writer = Writer()
