"""One writer thread per process, committing queued ops in groups.

SQLite has one writer anyway; letting every socket open its own transaction only makes them
queue on the lock. Here every op waiting in the queue goes into ONE transaction: each is
validated and applied through the op pipeline (live/pipeline.py: idempotency, rights, the
app's handler, one error mapping; the batch's op ids claimed in one statement); after the
commit the events go out (live/events.py, on commit) and then each op gets its ack or error.
Nothing is acked that is not stored.

A refused op raises before writing, so it does not disturb the batch. Anything unexpected
rolls the batch back and replays its ops one by one, so one bad op cannot sink the others.
"""

import logging
import os
import queue
import sys
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live import pipeline
from live.handoff import deferred_calls
from live.models import AppliedOp

logger = logging.getLogger(__name__)

MAX_BATCH = 500
# SQLite: commits on the writer never run a WAL checkpoint (its fsyncs would stall every op
# queued behind it); a separate thread checkpoints passively once a second instead.
# Not inside the test runner's own process: its writer outlives single tests, and a thread
# waking in a test without database access would fail there (servers it starts keep it).
BACKGROUND_CHECKPOINTS = (
    os.environ.get("ROUNDTABLE_WAL_CHECKPOINTER", "1") != "0" and "pytest" not in sys.modules
)
CHECKPOINT_EVERY = 1.0
# SQLite's own busy handler sleeps 5, 10 … 100 ms when another process holds the write lock;
# the writer polls instead (the other writer holds it for a batch, i.e. a millisecond or two).
LOCK_POLL_SECONDS = 0.0005
SWITCH_INTERVAL = float(os.environ.get("ROUNDTABLE_SWITCH_INTERVAL", "0.001"))
# Logs the queue-to-commit latency of ops every 10 s (a diagnosis aid for load tests).
LOG_STATS = os.environ.get("ROUNDTABLE_WRITER_STATS") == "1"
LOCK_WAIT_SECONDS = 20.0
APPLIED_OP_RETENTION = 2 * 24 * 3600  # resends arrive within minutes; keep two days anyway
CLEANUP_EVERY = 3600


class Job:
    """One op of an app's `table` on its way to the database; `reply(frame)` is called on the
    submitter's loop."""

    __slots__ = ("table", "op", "frame", "actor", "loop", "reply", "submitted_at")

    def __init__(self, table, op, frame, actor, loop, reply):
        self.table = table
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
        self._prepared = None
        self._checkpointer = None
        self._checkpointed_ops = 0
        self.batches = 0
        self.ops = 0

    def submit(self, job):
        """Queues a job; its reply comes back on `job.loop` after the commit."""
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    if SWITCH_INTERVAL:
                        # The writer and the event loop share the GIL: hand it over sooner
                        # than the default 5 ms so neither waits long for the other.
                        sys.setswitchinterval(SWITCH_INTERVAL)
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
        with deferred_calls() as handoff:
            self._commit_batch(batch, handoff)

    def _prepare_connection(self):
        if connection.vendor != "sqlite" or not BACKGROUND_CHECKPOINTS:
            return
        connection.ensure_connection()
        if connection.connection is self._prepared:
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute("PRAGMA busy_timeout=0")
        self._prepared = connection.connection
        if self._checkpointer is None or not self._checkpointer.is_alive():
            self._checkpointer = threading.Thread(
                target=self._checkpoint_forever, name="roundtable-checkpointer", daemon=True
            )
            self._checkpointer.start()

    def _checkpoint_forever(self):
        while True:
            time.sleep(CHECKPOINT_EVERY)
            if self.ops == self._checkpointed_ops:
                continue
            self._checkpointed_ops = self.ops
            try:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:
                logger.exception("writer: checkpoint failed")
                connection.close()
            if getattr(settings, "TESTING", False):
                connection.close()

    def _transaction(self, batch):
        """Applies the batch in one transaction and returns the replies; waits out another
        process's write lock (SQLite) by polling."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            self._prepare_connection()
            try:
                with transaction.atomic():
                    return pipeline.replies_to(batch)
            except OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(LOCK_POLL_SECONDS)

    def _commit_batch(self, batch, handoff):
        try:
            replies = self._transaction(batch)
        except Exception:
            logger.exception("writer: batch of %s rolled back", len(batch))
            self._reset_connection()
            if len(batch) > 1:
                for job in batch:
                    self._commit_batch([job], handoff)
                return
            replies = [
                {"type": "error", "id": batch[0].frame.get("id"), "code": "unavailable",
                 "message": _("The change could not be stored; it will be retried.")}
            ]
        self.batches += 1
        self.ops += len(batch)
        if LOG_STATS:
            self._record(batch)
        # The events were handed over on commit (first); now each sender hears back.
        for job, reply in zip(batch, replies, strict=True):
            handoff.add(job.loop, job.reply, reply)

    def _record(self, batch):
        now = time.monotonic()
        samples = self.__dict__.setdefault("_samples", [])
        samples.extend(now - job.submitted_at for job in batch)
        self.__dict__.setdefault("_sizes", []).append(len(batch))
        if now - self.__dict__.setdefault("_logged", now) >= 10 and samples:
            samples.sort()
            sizes = self._sizes
            logger.warning(
                "writer: %s ops in %s batches (max %s); submit→commit p50 %.1f ms, "
                "p99 %.1f ms, max %.1f ms",
                len(samples), len(sizes), max(sizes), 1000 * samples[len(samples) // 2],
                1000 * samples[int(len(samples) * 0.99)], 1000 * samples[-1],
            )
            self._samples, self._sizes, self._logged = [], [], now

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
        try:
            close_old_connections()
            cutoff = timezone.now() - timedelta(seconds=APPLIED_OP_RETENTION)
            AppliedOp.objects.filter(created_at__lt=cutoff).delete()
        except Exception:
            logger.exception("writer: clean-up failed")


writer = Writer()
