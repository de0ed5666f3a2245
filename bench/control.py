"""Benchmark of the control room: how far the facilitator's control socket lags the rooms.

Run from the repository root (loopback only; it creates its own database and data):

    .venv/bin/python bench/control.py                    # 100 rooms x 10, 2 updates/s, 20 s
    .venv/bin/python bench/control.py --rate 5           # scribes typing faster
    .venv/bin/python bench/control.py --rooms 10 --duration 5    # a smoke run

It reuses bench/rooms.py (database, Daphne, percentiles): every member of R rooms holds a
socket, each room's scribe sends `note.set` frames of ~200 bytes at the given rate, and one
facilitator holds the control socket (`/ws/w/<code>/control/`). The server coalesces the
rooms' notes into at most two `note.preview`s per room per second for the control socket
(breakouts/control.py), so the control room's delay is the time from a scribe's send to the
control socket showing that text (or a later one of the same room):

- rooms: delivery latency at the other members (the reference, as in bench/rooms.py);
- control: latency of every preview the control socket receives, and *staleness* — for every
  note sent, how long until the control socket showed it or something newer (p50/p99/max);
- frames/s reaching the control socket, and revision gaps it could not explain (must be 0).
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rooms as rooms_bench  # noqa: E402  (bench/rooms.py: the shared machinery)

ROOT = rooms_bench.ROOT
NOTE_BYTES = rooms_bench.NOTE_BYTES
percentile = rooms_bench.percentile


def add_facilitator_session(layout_path):
    """Child process: signs the workshop's owner in and adds the cookie to the layout."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from workshops.models import Workshop

    layout = json.loads(Path(layout_path).read_text())
    owner = Workshop.objects.get(join_code=layout["code"]).owner
    store = SessionStore()
    store[SESSION_KEY] = str(owner.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    store.save()
    layout["control_cookie"] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    Path(layout_path).write_text(json.dumps(layout))


async def run_load(port, layout, rooms, members, rate, duration, concurrency):
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    base = f"ws://127.0.0.1:{port}/ws/w/{layout['code']}/"
    gate = asyncio.Semaphore(concurrency)
    sockets = [[None] * members for _ in range(rooms)]
    member_latencies, control_latencies = [], []
    sent_at = defaultdict(dict)  # room → seq → perf ns
    shown = {}  # room → highest seq the control socket has shown
    staleness = []
    control_frames = 0
    gaps = 0
    measuring = False

    async def open_socket(url, cookie):
        async with gate:
            ws = await connect(url, additional_headers=[("Cookie", cookie)],
                               origin="http://" + urlsplit(url).netloc, compression=None,
                               max_size=2**24, ping_interval=None, open_timeout=60)
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "state":
                    return ws, frame

    async def open_member(r, m):
        ws, _state = await open_socket(base, layout["rooms"][r]["cookies"][m])
        sockets[r][m] = ws

    started = time.monotonic()
    await asyncio.gather(*(open_member(r, m) for r in range(rooms) for m in range(members)))
    control, state = await open_socket(base + "control/", layout["control_cookie"])
    revs = {room["number"]: room["rev"] for room in state["rooms"]}
    connect_seconds = time.monotonic() - started

    async def read_member(r, m, ws):
        async for message in ws:
            if not measuring or m == 0:
                continue
            now = time.perf_counter_ns()
            frame = json.loads(message)
            if frame.get("type") == "note.changed":
                sent_ns = int(frame["text"].split(":", 3)[2])
                member_latencies.append((now - sent_ns) / 1e6)

    async def read_control():
        nonlocal control_frames, gaps
        async for message in control:
            now = time.perf_counter_ns()
            frame = json.loads(message)
            number, rev = frame.get("room"), frame.get("rev")
            if frame.get("scope") == "room" and rev is not None and number in revs:
                known = revs[number]
                if rev > known + 1 and not frame.get("span_from", rev) <= known + 1:
                    gaps += 1
                revs[number] = max(known, rev)
            if not measuring:
                continue
            control_frames += 1
            if frame.get("type") != "note.preview":
                continue
            r, seq, sent_ns, _pad = frame["text"].split(":", 3)
            r, seq = int(r), int(seq)
            control_latencies.append((now - int(sent_ns)) / 1e6)
            previous = shown.get(r, 0)
            for earlier in range(previous + 1, seq + 1):
                if earlier in sent_at[r]:
                    staleness.append((now - sent_at[r][earlier]) / 1e6)
            shown[r] = max(previous, seq)

    readers = [asyncio.create_task(read_member(r, m, sockets[r][m]))
               for r in range(rooms) for m in range(members)]
    readers.append(asyncio.create_task(read_control()))
    await asyncio.sleep(2.0)
    measuring = True
    end = loop.time() + duration
    interval = 1.0 / rate
    sent = [0] * rooms

    async def scribe(r):
        import random

        ws = sockets[r][0]
        await asyncio.sleep(random.random() * interval)  # noqa: S311 - spread the rooms
        next_at = loop.time()
        seq = 0
        while loop.time() < end:
            seq += 1
            now_ns = time.perf_counter_ns()
            head = f"{r}:{seq}:{now_ns}:"
            sent_at[r][seq] = now_ns
            text = head + "n" * max(0, NOTE_BYTES - len(head))
            await ws.send(json.dumps({"op": "note.set", "id": f"c{r}-{seq}-{now_ns}",
                                      "step": "define", "text": text, "base_rev": 0}))
            sent[r] = seq
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    window_start = time.monotonic()
    await asyncio.gather(*(scribe(r) for r in range(rooms)))
    window = time.monotonic() - window_start
    await asyncio.sleep(rooms_bench.GRACE_SECONDS / 2)
    measuring = False
    never_shown = sum(1 for r in range(rooms) if shown.get(r, 0) < sent[r])
    for row in sockets:
        for ws in row:
            await ws.close()
    await control.close()
    for reader in readers:
        reader.cancel()
    return {
        "connect_s": connect_seconds,
        "notes": sum(sent),
        "member": (percentile(member_latencies, 50), percentile(member_latencies, 99)),
        "control": (percentile(control_latencies, 50), percentile(control_latencies, 99),
                    max(control_latencies, default=float("nan"))),
        "stale": (percentile(staleness, 50), percentile(staleness, 99),
                  max(staleness, default=float("nan"))),
        "previews": len(control_latencies),
        "frames_per_s": control_frames / window,
        "gaps": gaps,
        "rooms_behind_at_end": never_shown,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--rate", type=float, default=2.0, help="note updates per second per room")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--connect-concurrency", type=int, default=50)
    args = parser.parse_args()
    rooms_bench.raise_fd_limit()

    workdir = Path(tempfile.mkdtemp(prefix="roundtable-bench-control-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    layout_path = workdir / "layout.json"
    env = {**os.environ, **rooms_bench.daphne_env(database_url)}
    print(f"# setting up {args.rooms} rooms x {args.members} members", flush=True)
    subprocess.run([sys.executable, rooms_bench.__file__, "_setup", str(args.rooms),
                    str(args.members), str(layout_path)], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, __file__, "_facilitator", str(layout_path)],
                   cwd=ROOT, env=env, check=True)
    layout = json.loads(layout_path.read_text())
    servers = rooms_bench.Servers(workdir)
    try:
        port = rooms_bench.free_port()
        servers.start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                       "config.asgi:application"], port, env=rooms_bench.daphne_env(database_url),
                      name="daphne-control")
        print(f"# {args.rooms} rooms typing at {args.rate:g}/s for {args.duration:g} s, "
              "one control socket ...", flush=True)
        result = asyncio.run(run_load(port, layout, args.rooms, args.members, args.rate,
                                      args.duration, args.connect_concurrency))
    finally:
        servers.stop()
    print()
    print(f"{args.rooms} rooms x {args.members} members + 1 control socket, {args.rate:g} "
          f"note updates/s/room, {args.duration:g} s, one Daphne process (embedded); ms")
    m50, m99 = result["member"]
    c50, c99, cmax = result["control"]
    s50, s99, smax = result["stale"]
    print(f"  rooms (members' delivery)         p50 {m50:8.1f}  p99 {m99:8.1f}")
    print(f"  control socket, preview latency   p50 {c50:8.1f}  p99 {c99:8.1f}  max {cmax:8.1f}")
    print(f"  control socket, behind the rooms  p50 {s50:8.1f}  p99 {s99:8.1f}  max {smax:8.1f}")
    print(f"  notes sent {result['notes']}, previews at control {result['previews']} "
          f"({result['frames_per_s']:.0f} frames/s), unexplained rev gaps {result['gaps']}, "
          f"rooms not caught up at the end {result['rooms_behind_at_end']}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_facilitator":
        add_facilitator_session(sys.argv[2])
    else:
        main()
