"""A server killed with SIGKILL in the middle of a burst loses no acknowledged op, and the
ops a client resends after reconnecting (as live.js's outbox does) are stored once."""

import asyncio
import json
import signal

import pytest
import websockets
from conftest import _free_port, start_daphne
from live_helpers import session_cookie

from breakouts.models import Item

pytestmark = pytest.mark.django_db(transaction=True)
BURST = 30  # the socket's rate limit allows 30 frames at once


async def connect(url, cookie, origin):
    socket = await websockets.connect(url, origin=origin, additional_headers=cookie)
    while json.loads(await asyncio.wait_for(socket.recv(), 10)).get("type") != "state":
        pass
    return socket


def op(index):
    return {"op": "item.add", "id": f"burst-{index}", "step": "root_causes",
            "fields": {"text": f"cause {index}"}}


async def burst_and_kill(url, cookie, origin, process):
    """Sends the burst, kills the server once a third is acked; returns the acked ids."""
    socket = await connect(url, cookie, origin)
    acked = set()
    killed = asyncio.Event()
    sender = asyncio.ensure_future(send_paced(socket, killed))
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
            if frame.get("type") == "ack":
                acked.add(frame["id"])
                if len(acked) == BURST // 3:  # a third is stored; the rest is on its way
                    process.send_signal(signal.SIGKILL)
                    killed.set()
    except (websockets.ConnectionClosed, OSError, TimeoutError):
        pass
    sender.cancel()
    return acked


async def send_paced(socket, killed):
    """The burst as a scribe's page sends it: a few milliseconds apart. The second half waits
    for the kill, so the server always dies mid-burst however fast it acks (on a loaded
    machine the client may read the tenth ack only after the server has stored all 30)."""
    for index in range(BURST):
        if index == BURST // 2:
            await killed.wait()
        try:
            await socket.send(json.dumps(op(index)))
        except websockets.ConnectionClosed:
            return
        await asyncio.sleep(0.005)


async def resend_everything(url, cookie, origin):
    socket = await connect(url, cookie, origin)
    for index in range(BURST):
        await socket.send(json.dumps(op(index)))
    acked = set()
    while len(acked) < BURST:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 20))
        if frame.get("type") == "ack":
            acked.add(frame["id"])
        assert frame.get("type") != "error", frame
    await socket.close()
    return acked


def test_no_acked_op_is_lost_when_the_server_is_killed_mid_burst(make_workshop):
    workshop, _rooms, people = make_workshop(rooms=1, members=2)
    name, value = session_cookie(people[1][1])
    cookie = {name.decode(): value.decode()}
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    url = f"ws://127.0.0.1:{port}/ws/w/{workshop.join_code}/"
    process = start_daphne(port)
    try:
        acked_before = asyncio.run(burst_and_kill(url, cookie, origin, process))
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        stored = set(Item.objects.values_list("text", flat=True))
        assert {f"cause {i.split('-')[1]}" for i in acked_before} <= stored
        process = start_daphne(port)
        acked_after = asyncio.run(resend_everything(url, cookie, origin))
    finally:
        process.kill()
        process.wait(timeout=10)
    assert BURST // 3 <= len(acked_before) <= BURST // 2  # killed mid-burst
    assert acked_after == {f"burst-{i}" for i in range(BURST)}
    texts = list(Item.objects.values_list("text", flat=True))
    assert sorted(texts) == sorted(f"cause {i}" for i in range(BURST))  # each once
