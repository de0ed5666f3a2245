"""The timer that ends a "rooms closing" countdown on time, in the process that saw it start.

Closing breakouts stores a deadline (`Workshop.closing_at`) instead of running a countdown
somewhere: every room renders it, and `Workshop.finish_closing_if_due` moves the workshop to
plenary when it passes. This timer is one of its triggers (the others: the next control
snapshot, the control or plenary page loading); the control socket (re)schedules it from the
`breakouts.closing` and `phase.changed` events it relays.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from workshops.models import Workshop

logger = logging.getLogger(__name__)

_closing_timers = {}  # workshop id → (deadline, asyncio.TimerHandle) in this process


def schedule_closing(workshop_id, closing_at):
    """Keeps one timer per workshop in this process that finishes the closing on time.

    `closing_at` is a datetime, an ISO string, or None (no countdown: cancel any timer).
    Must run on the event loop thread.
    """
    if isinstance(closing_at, str):
        closing_at = parse_datetime(closing_at)
    existing = _closing_timers.get(workshop_id)
    if existing is not None:
        if closing_at is not None and existing[0] == closing_at and not existing[1].cancelled():
            return
        existing[1].cancel()
        del _closing_timers[workshop_id]
    if closing_at is None:
        return
    loop = asyncio.get_running_loop()
    delay = max(0.0, (closing_at - timezone.now()).total_seconds()) + 0.05

    def fire():
        _closing_timers.pop(workshop_id, None)
        loop.create_task(_finish_later(workshop_id))

    _closing_timers[workshop_id] = (closing_at, loop.call_later(delay, fire))


def finish_closing_by_id(workshop_id):
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    return workshop is not None and workshop.finish_closing_if_due()


async def _finish_later(workshop_id):
    try:
        await database_sync_to_async(finish_closing_by_id)(workshop_id)
    except Exception:
        logger.exception("closing: finishing the closing of workshop %s failed", workshop_id)
