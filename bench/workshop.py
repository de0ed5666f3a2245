"""A company-wide workshop through the load balancer: join storm, breakout start, a process
killed mid-breakout, steady load. Real HTTP and WebSocket traffic, loopback only.

Run from the repository root (it starts its own deployment with deploy/scale.sh, on free
loopback ports and a database of its own, and stops it at the end):

    .venv/bin/python bench/workshop.py                          # 1,000 participants, 2 processes
    .venv/bin/python bench/workshop.py --processes 4 --participants 10000 --haproxy-instances 2
    .venv/bin/python bench/workshop.py --processes 1,2,4 --scenarios breakout,steady   # a sweep
    .venv/bin/python bench/workshop.py --participants 200 --join-window 10 --json out.json

Scenarios (`--scenarios`, default all four, in this order):
- join: every participant opens the join page, submits it (CSRF token and session cookie as a
  browser), loads the lobby and opens the lobby socket; arrivals spread evenly over
  `--join-window` seconds. Counts error pages and failures; page times p50/p95.
- breakout: the facilitator logs in through the login form, opens the room plan and clicks
  "Start breakouts" (the real POSTs) while every participant's lobby socket is open. Each
  participant does what lobby.js does: on `room.assigned` it loads the room page and opens the
  room socket. Measured from the click to that socket's `state` (p50/p95/max).
- kill: with every room socket open, members add items (1 op/s/room, `--rate`); after a third
  of `--duration` one Daphne process gets SIGKILL. Clients reconnect through HAProxy with
  live.js's backoff and resend their unacked ops. Then every acked op is looked up in the
  database: lost = acked but not stored, duplicated = stored twice. Time until live again.
- steady: every room's scribe sends `note.set` at `--rate` per second for `--duration`;
  delivery p50/p99, lost and duplicated events, CPU per process — measured with
  bench/rooms.py's load loop, through HAProxy, then against the raw `websockets` floor.

Without `join`, participants are put in the lobby straight in the database (sessions made by
the ORM); `kill` needs the rooms that `breakout` starts, so it always runs with it. `steady`
alone starts the rooms in the database instead (no lobby sockets, no breakout storm: the way
to measure 10,000 sockets of steady load on a small machine).
DATABASE_URL (PostgreSQL) and REDIS_URL name the services; the bench makes its own
database (`<name>_bench`, recreated each run) and its own Redis key prefix.

The parts live in bench/scaleout/, one job each: the deployment, the bench's database, the
browser-like clients, one module per scenario, and the table. This file is the command line:
it parses the options, runs the scenarios against each deployment and prints the table.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import rooms as roomsbench  # noqa: E402 - the measuring loop, floor server and helpers
from scaleout.breakout import breakout_start  # noqa: E402
from scaleout.clients import HTTP_RETRIES, Person  # noqa: E402
from scaleout.database import (  # noqa: E402
    bench_database_url,
    check_ops,
    list_rooms,
    reset_database,
    run_child,
    setup_workshop,
    start_rooms,
)
from scaleout.deployment import CpuMeter, Deployment  # noqa: E402
from scaleout.join import join_storm, seed_lobby  # noqa: E402
from scaleout.process_loss import process_loss  # noqa: E402
from scaleout.steady import floor_run, steady  # noqa: E402
from scaleout.table import failures, print_table  # noqa: E402

# -- one run ----------------------------------------------------------------------------------


async def drive(dep, setup, args, wanted):
    people = [Person(i) for i in range(args.participants)]
    results = {}
    meter = CpuMeter(dep)

    async def scenario(name, title, work, *, cpu=True):
        """Runs one scenario; a scenario that breaks is recorded as failed, not fatal."""
        print(f"# {title}", flush=True)
        if cpu:
            meter.mark()
        try:
            results[name] = await work
        except Exception as exc:
            results[name] = {"failed": f"{type(exc).__name__}: {exc}"}
            print(f"#   failed: {results[name]['failed']}", flush=True)
            return
        if cpu:
            meter.mark()
            results[name]["cpu_per_process"] = meter.percent(-2, -1)
        results[name]["load_average"] = os.getloadavg()[0]

    try:
        if "join" in wanted:
            await scenario("join", f"join storm: {args.participants} people in "
                           f"{args.join_window:g} s",
                           join_storm(dep, setup["code"], people, args.join_window))
        elif wanted & {"breakout", "kill"}:
            errors = await seed_lobby(dep, setup["code"], people, setup["cookies"])
            results["lobby"] = {"errors": dict(errors)}
        else:  # steady alone: the rooms are started in the database, nobody in the lobby
            for person, (participant, cookie) in zip(people, setup["cookies"], strict=True):
                person.participant, person.cookie = participant, cookie
            results["rooms_started"] = await asyncio.to_thread(
                run_child, dep, "_start", setup["workshop"])
        if wanted & {"breakout", "kill"}:
            await scenario("breakout", "breakout start",
                           breakout_start(dep, setup, people))
        if "kill" in wanted:
            await scenario("kill", f"process loss: {args.duration:g} s of item.add at "
                           f"{args.rate:g}/s/room, SIGKILL of daphne-1 after a third",
                           process_loss(dep, setup, people, args.rate, args.duration),
                           cpu=False)
            # scale.sh restarts the missing process; HAProxy takes it back.
            await asyncio.to_thread(dep.start)
        await close_sockets(people)
        if "steady" in wanted:
            # (run_load marks the CPU meter itself, around its sending window.)
            await scenario("steady", f"steady: note.set at {args.rate:g}/s/room for "
                           f"{args.duration:g} s",
                           steady(dep, setup, people, args.rate, args.duration, meter,
                                  args.connect_concurrency), cpu=False)
    finally:
        await close_sockets(people)
        await asyncio.gather(*(p.client.aclose() for p in people if p.client is not None))
    results["http_retries"] = dict(HTTP_RETRIES)
    HTTP_RETRIES.clear()
    return results


async def close_sockets(people):
    """Closes every open socket at once (one by one, each close handshake waits)."""
    async def close(person):
        if person.reader is not None:
            person.reader.cancel()
        if person.lobby is not None:
            ws, person.lobby = person.lobby, None
            await ws.close()

    await asyncio.gather(*(close(p) for p in people), return_exceptions=True)


def run_once(processes, args, workdir, wanted):
    database_url = bench_database_url()
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    reset_database(database_url)
    dep = Deployment(processes, workdir, database_url, redis_url, args.haproxy_instances)
    print(f"# starting {processes} Daphne processes behind HAProxy on {dep.base} "
          f"({database_url})", flush=True)
    dep.start()
    try:
        setup = run_child(dep, "_setup", args.participants, args.room_size,
                          int("join" not in wanted))
        results = asyncio.run(drive(dep, setup, args, wanted))
        if "steady" in wanted and args.floor and "failed" not in results.get("steady", {}):
            s = results["steady"]
            print("# steady: the same load against the raw websockets floor", flush=True)
            try:
                results["floor"] = floor_run(workdir, s["rooms"], s["members"], args.rate,
                                             args.duration, args.connect_concurrency)
            except Exception as exc:  # the figures measured so far still get printed
                results["floor"] = {"failed": f"{type(exc).__name__}: {exc}"}
        return results
    finally:
        dep.stop()


# -- the command line -------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--room-size", type=int, default=10)
    parser.add_argument("--processes", default="2",
                        help="Daphne processes, or a comma-separated sweep like 1,2,4")
    parser.add_argument("--scenarios", default="join,breakout,kill,steady")
    parser.add_argument("--join-window", type=float, default=60.0, help="seconds")
    parser.add_argument("--rate", type=float, default=1.0, help="ops per second per room")
    parser.add_argument("--duration", type=float, default=20.0,
                        help="seconds of load in the kill and steady scenarios")
    parser.add_argument("--haproxy-instances", type=int, default=1)
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the raw websockets floor run after steady")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (logs of Daphne and HAProxy)")
    args = parser.parse_args(argv)
    wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    unknown = wanted - {"join", "breakout", "kill", "steady"}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    try:
        sweep = [int(n) for n in args.processes.split(",")]
    except ValueError:
        parser.error("--processes takes whole numbers, like 2 or 1,2,4")
    if args.participants < args.room_size:
        parser.error("--participants must be at least --room-size")
    roomsbench.raise_fd_limit()
    # A TERM (e.g. from `timeout`) unwinds like Ctrl-C, so the deployment is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="roundtable-workshop-"))
    all_results, problems = {}, []
    try:
        for processes in sweep:
            results = run_once(processes, args, workdir, wanted)
            all_results[processes] = results
            print_table(processes, args.participants, results)
            problems += [f"{processes} processes: {p}" for p in failures(results)]
    finally:
        if args.keep:
            print(f"logs: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(all_results, indent=1, default=str))
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup_workshop(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "_start":
        start_rooms(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_rooms":
        list_rooms(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_check":
        check_ops(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(main())
