"""With REDIS_URL set, a Channels group message crosses processes (what scale-out relies on)."""

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from channels.layers import get_channel_layer

from live.hub import publish_many

ROOT = Path(__file__).resolve().parent.parent

# CI runs the suite twice; this runs in the pass that sets REDIS_URL.
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set"),
]


async def test_group_message_sent_by_another_process_arrives():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    group = f"crossproc.{os.getpid()}"
    await layer.group_add(group, channel)
    try:
        sender = textwrap.dedent(
            f"""
            import django, os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            django.setup()
            from asgiref.sync import async_to_sync
            from channels.layers import get_channel_layer
            async_to_sync(get_channel_layer().group_send)(
                {group!r}, {{"type": "cross.process", "from_pid": os.getpid()}}
            )
            print(os.getpid())
            """
        )
        env = {**os.environ, "ROUNDTABLE_TESTING": "1"}
        result = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", sender], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        message = await asyncio.wait_for(layer.receive(channel), 10)
        assert message["type"] == "cross.process"
        assert message["from_pid"] == int(result.stdout.strip()) != os.getpid()
    finally:
        await layer.group_discard(group, channel)


async def test_events_published_together_arrive_each_in_its_group_in_order():
    """The hub publishes a batch's events in one pipeline (live/hub.py, publish_many)."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    first, second = f"pipelined.a.{os.getpid()}", f"pipelined.b.{os.getpid()}"
    await layer.group_add(first, channel)
    await layer.group_add(second, channel)
    try:
        sent = [(first, 1), (second, 2), (first, 3), ("pipelined.nobody", 4), (second, 5)]
        await publish_many(layer, [
            (group, {"type": "pipelined.event", "n": n}) for group, n in sent
        ])
        received = [
            (await asyncio.wait_for(layer.receive(channel), 10))["n"] for _ in range(4)
        ]
        assert received == [1, 2, 3, 5]
    finally:
        await layer.group_discard(first, channel)
        await layer.group_discard(second, channel)
