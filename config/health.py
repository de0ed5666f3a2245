"""`/healthz`: what a load balancer in front of several Daphne processes asks."""

import asyncio
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse

LAYER_TIMEOUT = 2.0


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
    """Returns 200 when the database and the channel layer answer, else 503 naming what failed."""
    checks = {}
    started = time.perf_counter()
    try:
        await sync_to_async(_check_database, thread_sensitive=True)()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}: {exc}"
    try:
        await _check_layer()
        checks["channel_layer"] = "ok"
    except Exception as exc:
        checks["channel_layer"] = f"error: {exc.__class__.__name__}: {exc}"
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {
        "status": "ok" if not failing else "unavailable",
        "failing": failing,
        "checks": checks,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=503 if failing else 200)
