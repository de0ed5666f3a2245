"""Scenario: steady load. bench/rooms.py's load loop (every room's scribe sends `note.set`)
through HAProxy on the rooms the breakout started, then the same load against the raw
`websockets` floor."""

import asyncio
import sys

import rooms as roomsbench

from . import BENCH
from .database import run_child


def room_layout(rooms, people):
    """The rooms as lists of cookies, scribe first, cut to the smallest room's size (the
    rooms as stored, whoever of their members got live in the breakout scenario)."""
    cookies = {p.participant: p.cookie for p in people if p.participant and p.cookie}
    layout = []
    for room in rooms:
        if room["scribe"] not in cookies:
            continue
        others = [m for m in room["members"] if m != room["scribe"] and m in cookies]
        layout.append([cookies[room["scribe"]]] + [cookies[m] for m in others])
    if not layout:
        raise RuntimeError("steady: no room has its scribe among the participants driven")
    size = min(len(r) for r in layout)
    if size < 2:
        raise RuntimeError("steady: a room has fewer than two of our participants")
    return [r[:size] for r in layout], size


async def steady(dep, setup, people, rate, duration, meter, concurrency):
    rooms = await asyncio.to_thread(run_child, dep, "_rooms", setup["workshop"])
    layout, size = room_layout(rooms, people)
    code = setup["code"]

    def targets(r, m):
        return f"{dep.ws_base}/ws/w/{code}/", [("Cookie", layout[r][m])]

    result = await roomsbench.run_load(
        targets, len(layout), size, rate, duration, concurrency=concurrency,
        cpu_seconds=meter.mark,
    )
    result["rooms"], result["members"] = len(layout), size
    result["cpu_per_process"] = meter.percent(-2, -1)
    return result


def floor_run(workdir, rooms, members, rate, duration, concurrency):
    servers = roomsbench.Servers(workdir)
    port = roomsbench.free_port()
    try:
        servers.start([sys.executable, str(BENCH / "servers.py"), "_floor", str(port)], port,
                      name="floor")

        def targets(r, m):
            return f"ws://127.0.0.1:{port}/room/{r + 1}", []

        return asyncio.run(roomsbench.run_load(
            targets, rooms, members, rate, duration, concurrency=concurrency,
            cpu_seconds=servers.cpu_seconds))
    finally:
        servers.stop()
