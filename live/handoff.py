"""Hand-offs from worker threads to event loops, batched (the writer's acks and events)."""

import logging
import threading

logger = logging.getLogger(__name__)

_deferred = threading.local()


def deferred_batch():
    """Returns the current thread's open batch of hand-offs, or None outside `deferred_calls`."""
    return getattr(_deferred, "calls", None)


class deferred_calls:
    """Collects this thread's hand-offs to event loops and makes them in one wake-up per loop.

    The writer commits a batch of ops, then hands every event and every ack to the loop at
    once: one call_soon_threadsafe (one self-pipe write, one GIL hand-over) per batch instead
    of several per op. Calls keep their order.
    """

    def __enter__(self):
        _deferred.calls = []
        return self

    def add(self, loop, callback, *args):
        _deferred.calls.append((loop, callback, args))

    def __exit__(self, *exc):
        calls, _deferred.calls = _deferred.calls, None
        by_loop = {}
        for loop, callback, args in calls:
            by_loop.setdefault(loop, []).append((callback, args))
        for loop, items in by_loop.items():
            try:
                loop.call_soon_threadsafe(_run_all, items)
            except RuntimeError:  # that loop is closed
                pass
        return False


def _run_all(items):
    for callback, args in items:
        try:
            callback(*args)
        except Exception:
            logger.exception("hub: deferred call failed")
