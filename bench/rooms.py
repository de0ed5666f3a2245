"""Benchmark of the live rooms: R rooms x M members, each room's scribe typing notes.

Run from the repository root (loopback only; it creates its own database and data):

    .venv/bin/python bench/rooms.py                      # 100 x 10, 2 updates/s, 20 s
    .venv/bin/python bench/rooms.py --rate 5             # another rate
    .venv/bin/python bench/rooms.py --redis              # + 2 Daphne processes sharing rooms
    .venv/bin/python bench/rooms.py --sweep --redis      # rates 1, 2, 5, 10 for every server
    .venv/bin/python bench/rooms.py --rooms 10 --duration 5      # a smoke run
    .venv/bin/python bench/rooms.py --typing --rate 5    # scribes type: streamed note.edit

For every scenario it opens every member's socket, lets each room's scribe send `note.set`
frames of ~200 bytes at the given rate for the duration (with `--typing`: `note.edit` frames
of a few characters, at most `rate` per second while typing, one in flight at a time as the
room page does, keystrokes merged meanwhile, with pauses between bursts of 2-5 s), and
measures at the other members:
delivery latency (p50/p95/p99/max), the scribe's ack latency, events lost (not delivered by
the end of a grace period) and duplicated, and the server processes' CPU. The same load runs
against a minimal fan-out server written with the `websockets` library (the floor for Python
on this machine), and the table shows Roundtable's p99 as a multiple of the floor's.

Servers:
- floor: `websockets` server, dict of rooms, broadcast + ack, no database;
- embedded: one Daphne process, in-memory layer (Roundtable's default), SQLite;
- redis: with `--redis` (or REDIS_URL set), two Daphne processes on one Redis, the members of
  each room split across both. Without REDIS_URL a private redis-server is started on a
  loopback port.

The database is a temporary SQLite file (or DATABASE_URL when given), built from the models
(like the test suite's --nomigrations), so the bench does not depend on migration files.
Servers and data: bench/servers.py. The connect time is for all sockets: handshake, session,
snapshot.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from servers import ROOT, Servers, daphne_env, free_port, raise_fd_limit, start_redis

SERVERS_SCRIPT = str(Path(__file__).resolve().parent / "servers.py")
NOTE_BYTES = 200
GRACE_SECONDS = 5.0
# --typing: a burst of typing lasts 2-5 s, then the scribe pauses 0.5-1.5 s.
BURST_SECONDS = (2.0, 5.0)
PAUSE_SECONDS = (0.5, 1.5)
KEYSTROKE = re.compile(r"([0-9a-f]+)\.")


# -- the load -------------------------------------------------------------------------------


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def run_load(targets, rooms, members, rate, duration, *, concurrency, cpu_seconds,
                   typing=False):
    """Opens every socket, runs the scribes, returns the measurements.

    `targets(room_index, member_index)` returns (url, headers); `cpu_seconds()` the servers'
    CPU time so far (read around the sending window).
    """
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    sockets = [[None] * members for _ in range(rooms)]
    gate = asyncio.Semaphore(concurrency)
    latencies, ack_latencies = [], []
    received = defaultdict(lambda: defaultdict(int))  # (room, member) → seq → count
    pending_acks = {}
    errors = defaultdict(int)
    sent = [0] * rooms
    measuring = False
    connect_started = time.monotonic()

    async def open_one(r, m):
        url, headers = targets(r, m)
        async with gate:
            for attempt in range(5):
                try:
                    ws = await connect(
                        url, additional_headers=headers, origin="http://" + urlsplit(url).netloc,
                        compression=None, max_size=2**22, ping_interval=None, open_timeout=60,
                    )
                    break
                except Exception:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5 * (attempt + 1))
            while (state := json.loads(await ws.recv())).get("type") != "state":
                pass  # events may come before the snapshot; the protocol allows it
            if m == 0 and state.get("room"):  # --typing: the scribe edits from here on
                note = state["room"]["notes"].get("define") or {"text": "", "note_rev": 0}
                bases[r], lengths[r] = note["note_rev"], len(note["text"])
            sockets[r][m] = ws

    async def read(r, m, ws):
        try:
            async for message in ws:
                now = time.perf_counter_ns()
                if not measuring:
                    continue
                frame = json.loads(message)
                kind = frame.get("type")
                if kind == "note.changed":
                    if m == 0:
                        continue
                    room, seq, sent_ns, _pad = frame["text"].split(":", 3)
                    latencies.append((now - int(sent_ns)) / 1e6)
                    received[(r, m)][int(seq)] += 1
                elif kind == "note.edited":
                    if m == 0:
                        bases[r] = frame["note_rev"]
                        if frame.get("edit") == inflight[r]:
                            inflight[r] = None
                            wake[r].set()
                        continue
                    for change in frame["changes"]:
                        for seq in KEYSTROKE.findall(change[2]):
                            latencies.append((now - typed_at[r][int(seq, 16)]) / 1e6)
                            received[(r, m)][int(seq, 16)] += 1
                elif kind == "ack":
                    started = pending_acks.pop(frame["id"], None)
                    if started is not None:
                        ack_latencies.append((now - started) / 1e6)
                elif kind == "error":
                    errors[frame.get("code")] += 1
        except Exception as exc:  # a dropped connection is a finding, not a crash
            errors[f"closed:{type(exc).__name__}"] += 1

    bases, lengths = [0] * rooms, [0] * rooms  # --typing: each scribe's note_rev and length
    connect_cpu = cpu_seconds()
    await asyncio.gather(*(open_one(r, m) for r in range(rooms) for m in range(members)))
    connect_seconds = time.monotonic() - connect_started
    connect_cpu = cpu_seconds() - connect_cpu
    readers = [
        asyncio.create_task(read(r, m, sockets[r][m])) for r in range(rooms) for m in range(members)
    ]
    await asyncio.sleep(2.0)  # let presence announcements and connect work settle
    measuring = True
    cpu_start, wall_start = cpu_seconds(), time.monotonic()
    end = loop.time() + duration
    interval = 1.0 / rate

    async def scribe(r):
        ws = sockets[r][0]
        await asyncio.sleep(random.random() * interval)  # noqa: S311 - spread the rooms
        next_at = loop.time()
        seq = 0
        while loop.time() < end:
            seq += 1
            op_id = f"b{r}-{seq}-{random.getrandbits(32):08x}"  # noqa: S311
            head = f"{r}:{seq}:{time.perf_counter_ns()}:"
            text = head + "n" * max(0, NOTE_BYTES - len(head))
            pending_acks[op_id] = time.perf_counter_ns()
            await ws.send(json.dumps(
                {"op": "note.set", "id": op_id, "step": "define", "text": text, "base_rev": 0}
            ))
            sent[r] = seq
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    inflight = [None] * rooms  # --typing: the id of the edit on its way, per room
    wake = [asyncio.Event() for _ in range(rooms)]
    typed_at = [{} for _ in range(rooms)]  # seq → when its keystrokes were typed

    async def typist(r):
        """Types a few characters per frame at most `rate` times a second while typing,
        one edit in flight (the next leaves when its event is back), pausing now and then."""
        ws = sockets[r][0]
        await asyncio.sleep(random.random() * interval)  # noqa: S311
        seq = 0
        burst_end = loop.time() + random.uniform(*BURST_SECONDS)  # noqa: S311
        pending = ""
        while loop.time() < end:
            if loop.time() > burst_end:
                await asyncio.sleep(random.uniform(*PAUSE_SECONDS))  # noqa: S311
                burst_end = loop.time() + random.uniform(*BURST_SECONDS)  # noqa: S311
            seq += 1
            typed_at[r][seq] = time.perf_counter_ns()
            pending += f"{seq:x}."  # a few characters, findable by the members
            sent[r] = seq
            next_at = loop.time() + interval * random.uniform(0.8, 1.2)  # noqa: S311
            if inflight[r] is None:
                op_id = f"t{r}-{seq}-{random.getrandbits(32):08x}"  # noqa: S311
                inflight[r] = op_id
                wake[r].clear()
                pending_acks[op_id] = time.perf_counter_ns()
                await ws.send(json.dumps({"op": "note.edit", "id": op_id, "step": "define",
                                          "from": lengths[r], "to": lengths[r], "text": pending,
                                          "base_rev": bases[r]}))
                lengths[r] += len(pending)
                pending = ""
            await asyncio.sleep(max(0.0, next_at - loop.time()))
        if pending and inflight[r] is not None:  # the last keystrokes follow the edit in flight
            try:
                await asyncio.wait_for(wake[r].wait(), GRACE_SECONDS)
            except TimeoutError:
                return
        if pending:
            op_id = f"t{r}-last-{random.getrandbits(32):08x}"  # noqa: S311
            pending_acks[op_id] = time.perf_counter_ns()
            await ws.send(json.dumps({"op": "note.edit", "id": op_id, "step": "define",
                                      "from": lengths[r], "to": lengths[r], "text": pending,
                                      "base_rev": bases[r]}))

    await asyncio.gather(*((typist if typing else scribe)(r) for r in range(rooms)))
    cpu_used = cpu_seconds() - cpu_start
    cpu = 100 * cpu_used / (time.monotonic() - wall_start)
    expected = sum(sent) * (members - 1)
    grace_end = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < grace_end and len(latencies) < expected:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    measuring = False
    for ws in (ws for row in sockets for ws in row):
        await ws.close()
    for reader in readers:
        reader.cancel()

    lost = duplicated = 0
    for r in range(rooms):
        for m in range(1, members):
            counts = received[(r, m)]
            lost += sum(1 for seq in range(1, sent[r] + 1) if counts.get(seq, 0) == 0)
            duplicated += sum(count - 1 for count in counts.values() if count > 1)
    return {
        "sent": sum(sent),
        "expected": expected,
        "delivered": len(latencies),
        "lost": lost,
        "duplicated": duplicated,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies) if latencies else float("nan"),
        "ack_p50": percentile(ack_latencies, 50),
        "ack_p99": percentile(ack_latencies, 99),
        "acks_missing": len(pending_acks),
        "errors": dict(errors),
        "connect_s": connect_seconds,
        "connect_cpu_s": connect_cpu,
        "cpu": cpu,
        # server CPU while sending, per event delivered to a member (acks ride along)
        "cpu_us_per_event": 1e6 * cpu_used / max(1, len(latencies)),
    }


def run_scenario(kind, args, layout, workdir, database_url, rate, redis_url=None):
    servers = Servers(workdir)
    rooms, members = args.rooms, args.members
    try:
        if kind == "floor":
            port = free_port()
            servers.start([sys.executable, SERVERS_SCRIPT, "_floor", str(port)], port,
                          name="floor")
            ports = [port]

            def targets(r, m):
                return f"ws://127.0.0.1:{port}/room/{r + 1}", []
        else:
            count = args.processes if kind == "redis" else 1
            ports = [free_port() for _ in range(count)]
            for port in ports:
                profile = (
                    ["-m", "cProfile", "-o", str(workdir / f"daphne-{port}.prof")]
                    if args.profile else []
                )
                launcher = [args.daphne_wrapper] if args.daphne_wrapper else ["-m", "daphne"]
                servers.start(
                    [sys.executable, *profile, *launcher, "-b", "127.0.0.1",
                     "-p", str(port), "config.asgi:application"],
                    port, env=daphne_env(database_url, redis_url), name=f"daphne-{kind}",
                )
            code = layout["code"]

            def targets(r, m):
                # Members of one room alternate between the processes.
                port = ports[(r + m) % len(ports)]
                cookie = layout["rooms"][r]["cookies"][m]
                return f"ws://127.0.0.1:{port}/ws/w/{code}/", [("Cookie", cookie)]

        return asyncio.run(
            run_load(targets, rooms, members, rate, args.duration,
                     concurrency=args.connect_concurrency, cpu_seconds=servers.cpu_seconds,
                     typing=args.typing)
        )
    finally:
        servers.stop()


def print_table(rows):
    header = (
        f"{'server':<28}{'rate':>5}{'sent':>7}{'deliv':>8}{'lost':>6}{'dup':>5}"
        f"{'p50ms':>8}{'p95ms':>8}{'p99ms':>8}{'maxms':>9}{'ack50':>7}{'ack99':>8}"
        f"{'cpu%':>6}{'us/ev':>7}{'p99/floor':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        r = row["result"]
        ratio = row.get("ratio")
        print(
            f"{row['name']:<28}{row['rate']:>5g}{r['sent']:>7}{r['delivered']:>8}{r['lost']:>6}"
            f"{r['duplicated']:>5}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['p99']:>8.1f}{r['max']:>9.1f}"
            f"{r['ack_p50']:>7.1f}{r['ack_p99']:>8.1f}{r['cpu']:>6.0f}"
            f"{r['cpu_us_per_event']:>7.0f}"
            f"{(f'{ratio:.1f}x' if ratio else '-'):>10}"
        )
        if r["errors"] or r["acks_missing"]:
            print(f"{'':<28}errors: {r['errors']}, acks missing: {r['acks_missing']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--rate", type=float, default=2.0, help="note updates per second per room")
    parser.add_argument("--typing", action="store_true",
                        help="scribes stream note.edit frames (rate: edits/s while typing)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--sweep", action="store_true", help="rates 1, 2, 5, 10")
    parser.add_argument("--rates", default="1,2,5,10", help="rates of --sweep")
    parser.add_argument("--redis", action="store_true", help="also 2 Daphne processes on Redis")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes with Redis")
    parser.add_argument("--servers", default="floor,embedded,redis",
                        help="which of floor,embedded,redis to run")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--daphne-wrapper", help=argparse.SUPPRESS)  # a script run instead
    parser.add_argument("--profile", action="store_true",
                        help="run Daphne under cProfile; keep the .prof files (workdir printed)")
    args = parser.parse_args()
    raise_fd_limit()

    workdir = Path(tempfile.mkdtemp(prefix="roundtable-bench-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    layout_path = workdir / "layout.json"
    print(f"# setting up {args.rooms} rooms x {args.members} members in {database_url}",
          flush=True)
    subprocess.run(
        [sys.executable, SERVERS_SCRIPT, "_setup", str(args.rooms), str(args.members),
         str(layout_path)],
        cwd=ROOT, env={**os.environ, **daphne_env(database_url)}, check=True,
    )
    layout = json.loads(layout_path.read_text())

    wanted = set(args.servers.split(","))
    redis_url, redis_process = os.environ.get("REDIS_URL"), None
    use_redis = "redis" in wanted and (args.redis or redis_url)
    if use_redis and not redis_url:
        redis_process, redis_url = start_redis(workdir)
    rates = [float(r) for r in args.rates.split(",")] if args.sweep else [args.rate]
    rows = []
    try:
        for rate in rates:
            floor_p99 = None
            plan = [("floor", "floor (websockets)"), ("embedded", "roundtable 1 proc, embedded")]
            if use_redis:
                plan.append(("redis", f"roundtable {args.processes} proc, redis"))
            for kind, name in plan:
                if kind not in wanted:
                    continue
                print(f"# {name} at {rate:g}/s/room for {args.duration:g} s ...", flush=True)
                result = run_scenario(
                    kind, args, layout, workdir, database_url, rate,
                    redis_url if kind == "redis" else None,
                )
                row = {"name": name, "rate": rate, "result": result}
                if kind == "floor":
                    floor_p99 = result["p99"]
                elif floor_p99:
                    row["ratio"] = result["p99"] / floor_p99
                rows.append(row)
                print(f"#   connected in {result['connect_s']:.1f} s (server cpu "
                      f"{result['connect_cpu_s']:.1f} s); p99 {result['p99']:.1f} ms,"
                      f" lost {result['lost']}, cpu {result['cpu']:.0f} %", flush=True)
    finally:
        if redis_process is not None:
            redis_process.terminate()
    print()
    print(f"{args.rooms} rooms x {args.members} members = {args.rooms * args.members} sockets, "
          f"{args.duration:g} s per run, ~{NOTE_BYTES}-byte notes; latency in ms; cpu = server "
          f"processes, % of one core, while sending")
    print_table(rows)
    if args.profile or args.daphne_wrapper:
        print(f"profiles and logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
