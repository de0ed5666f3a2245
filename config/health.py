"""`/healthz`: what a load balancer in front of several Daphne processes asks."""

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse

LAYER_TIMEOUT = 2.0

logger = logging.getLogger(__name__)


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_layer():
    """A real send/receive round trip: proves this process can reach the layer's backend."""
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping", "at": time.time()})
    message = await asyncio.wait_for(layer.receive(channel), LAYER_TIMEOUT)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("the channel layer returned a different message")


async def healthz(request):
    """Returns 200 when the database and the channel layer answer, else 503 naming what failed.

    The body names the failing parts only: what went wrong (which may carry backend addresses)
    goes to the log, and to signed-in staff users, never to anonymous callers.
    """
    checks, details = {}, {}
    started = time.perf_counter()
    for name, check in (("database", _run_database_check), ("channel_layer", _check_layer)):
        try:
            await check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = "error"
            details[name] = f"{exc.__class__.__name__}: {exc}"
            logger.error("Health check %s failed: %s", name, details[name], exc_info=exc)
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {
        "status": "ok" if not failing else "unavailable",
        "failing": failing,
        "checks": checks,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if details and (await request.auser()).is_staff:
        body["details"] = details
    return JsonResponse(body, status=503 if failing else 200)


async def _run_database_check():
    await sync_to_async(_check_database, thread_sensitive=True)()
