"""Benchmark of the facilitator's pages at company scale: one request at a time, loopback.

Run from the repository root (it makes its own database, data and Daphne process):

    .venv/bin/python bench/pages.py                         # 100 rooms x 10, 30 requests a page
    .venv/bin/python bench/pages.py --rooms 10 --requests 5 # a smoke run
    .venv/bin/python bench/pages.py --queries               # + SQL queries per page
    .venv/bin/python bench/pages.py --profile dashboard     # + cProfile of one page, in-process
    .venv/bin/python bench/pages.py --cpu 10                # + CPU per request, in-process
    make bench-pages BENCH_ARGS="--pages dashboard,control"  # some pages only

It builds two workshops (bench/pages_data.py): one in the debrief phase whose R rooms of M
members have content in every step (notes, causes, alternatives with votes, actions, open help
requests, broadcasts, debrief answers), and one in the lobby with R x M participants (for the
room plan, and the dashboard while people arrive). It signs the owner in, starts one Daphne
process (DEBUG off, like a deployment) and requests each page `--warmup` times, then
`--requests` times, one at a time over one keep-alive connection. It prints p50/p95/max and the
size of the body per page, and the same for `/healthz` (a database round trip, no template) and
the login page (a small template) in the same run: the floor of this machine at that moment.
`--cpu N` adds each page's median CPU time per request over N requests, in-process (Django's
test client, `time.process_time`): on a shared machine the figure to judge a change by.

The database is a temporary SQLite file (or DATABASE_URL's server, in a database of its own:
`<name>_pages`, recreated each run).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from rooms import percentile  # noqa: E402
from servers import ROOT, Servers, daphne_env, free_port  # noqa: E402

TIMEOUT = 120  # seconds for one request

# (label, URL name, uses the lobby workshop). Kept in the order of issue #16's table.
PAGES = [
    ("floor: /healthz", "healthz", None),
    ("floor: login page", "login", None),
    ("dashboard", "workshops:detail", "main"),
    ("dashboard (lobby)", "workshops:detail", "lobby"),
    ("control room", "breakouts:control", "main"),
    ("plenary", "breakouts:plenary", "main"),
    ("report", "report:report", "main"),
    ("report.json", "report:report_json", "main"),
    ("actions.csv", "report:actions_csv", "main"),
    ("action tracker", "report:tracker", "main"),
    ("debrief results", "report:debrief_results", "main"),
    ("room plan (lobby)", "breakouts:plan", "lobby"),
]


def page_paths(layout):
    """Returns [(label, path)] for the layout's workshops (run in the setup child)."""
    from django.urls import reverse

    paths = []
    for label, name, which in PAGES:
        if which is None:
            paths.append((label, reverse(name) if name != "login" else "/accounts/login/"))
        else:
            paths.append((label, reverse(name, args=[layout[which]])))
    return paths


# -- the database (a child process: python bench/pages.py _setup ROOMS MEMBERS OUT.json) ------


def setup(rooms, members, out_path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    # Tables straight from the models, as bench/servers.py does.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    call_command("collectstatic", interactive=False, verbosity=0)

    from pages_data import build_workshops

    layout = build_workshops(rooms, members)
    layout["paths"] = page_paths(layout)
    Path(out_path).write_text(json.dumps(layout))


def queries_and_profile(layout, profile, out, cpu_requests=0):
    """In-process (Django test client): SQL queries per page, the median CPU time of a request
    over `cpu_requests` requests, and a cProfile of one page."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    name, _, value = layout["cookie"].partition("=")
    client.cookies[name] = value
    counts, cpu = {}, {}
    for label, path in layout["paths"]:
        client.get(path)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts[label] = len(captured)
        times = []
        for _ in range(cpu_requests):
            started = time.process_time()
            client.get(path)
            times.append((time.process_time() - started) * 1000)
        if times:
            cpu[label] = percentile(times, 50)
        if profile and label.startswith(profile):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            print(f"# cProfile of {label} (5 requests), by cumulative time:", file=sys.stderr)
            stats.sort_stats("cumulative").print_stats(35)
    Path(out).write_text(json.dumps({"queries": counts, "cpu_ms": cpu}))


# -- the measuring loop ---------------------------------------------------------------------


def measure(port, layout, warmup, requests, only=()):
    import httpx

    results = []
    headers = {"Cookie": layout["cookie"]}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers,
                      timeout=TIMEOUT) as client:
        for label, path in layout["paths"]:
            if only and not any(label.startswith(name) for name in only):
                continue
            times, size = [], 0
            try:
                for index in range(warmup + requests):
                    started = time.perf_counter()
                    response = client.get(path)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise SystemExit(f"{label}: GET {path} answered {response.status_code}")
                    size = len(response.content)
                    if index >= warmup:
                        times.append(elapsed)
            except httpx.TimeoutException:
                print(f"#   {label}: no answer within {TIMEOUT} s", flush=True)
                results.append({"page": label, "path": path, "timeout": TIMEOUT})
                continue
            results.append({"page": label, "path": path, "p50_ms": percentile(times, 50),
                            "p95_ms": percentile(times, 95), "max_ms": max(times),
                            "bytes": size})
            row = results[-1]
            print(f"#   {label}: p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, "
                  f"{row['bytes'] / 1024:,.0f} KB", flush=True)
    return results


def print_table(results, queries, cpu):
    print()
    print("| page | p50 | p95 | max | size |" + (" queries |" if queries else "")
          + (" CPU in-process |" if cpu else ""))
    print("| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if queries else "")
          + (" ---: |" if cpu else ""))
    for row in results:
        if "timeout" in row:
            print(f"| {row['page']} | no answer within {row['timeout']} s | | | |")
            continue
        line = (f"| {row['page']} | {row['p50_ms']:.0f} ms | {row['p95_ms']:.0f} ms | "
                f"{row['max_ms']:.0f} ms | {row['bytes'] / 1024:,.0f} KB |")
        if queries:
            line += f" {queries.get(row['page'], '')} |"
        if cpu:
            line += f" {cpu[row['page']]:.1f} ms |" if row["page"] in cpu else " |"
        print(line)


def bench_database_url(workdir):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{workdir / 'pages.sqlite3'}"
    base, _, name = url.rpartition("/")
    name = name.split("?")[0] + "_pages"
    admin_url = f"{base}/postgres"
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--queries", action="store_true",
                        help="also count the SQL queries of each page (in-process)")
    parser.add_argument("--cpu", type=int, default=0, metavar="N",
                        help="also time each page's CPU per request over N requests (in-process)")
    parser.add_argument("--profile", metavar="PAGE",
                        help="print a cProfile of the page whose label starts with PAGE")
    parser.add_argument("--pages", default="",
                        help="only the pages whose labels start with these (comma-separated)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="roundtable-pages-"))
    database_url = bench_database_url(workdir)
    env = {**daphne_env(database_url), "ROUNDTABLE_VAR_DIR": str(workdir)}
    child_env = {**os.environ, **env}
    layout_path = workdir / "layout.json"
    started = time.monotonic()
    print(f"# building {args.rooms} rooms x {args.members} (+ a lobby of "
          f"{args.rooms * args.members}) in {database_url}", flush=True)
    subprocess.run([sys.executable, __file__, "_setup", str(args.rooms), str(args.members),
                    str(layout_path)], env=child_env, cwd=ROOT, check=True)
    print(f"# built in {time.monotonic() - started:.0f} s; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    layout = json.loads(layout_path.read_text())
    queries, cpu = {}, {}
    if args.queries or args.profile or args.cpu:
        out = workdir / "queries.json"
        subprocess.run([sys.executable, __file__, "_queries", str(layout_path),
                        args.profile or "", str(out), str(args.cpu)], env=child_env, cwd=ROOT,
                       check=True)
        in_process = json.loads(out.read_text())
        queries = in_process["queries"] if args.queries else {}
        cpu = in_process["cpu_ms"]
    servers = Servers(workdir)
    port = free_port()
    try:
        servers.start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                       "config.asgi:application"], port, env=env, name="daphne")
        only = [name.strip() for name in args.pages.split(",") if name.strip()]
        results = measure(port, layout, args.warmup, args.requests,
                          ["floor", *only] if only else ())
    finally:
        servers.stop()
    load = os.getloadavg()[0]
    print_table(results, queries, cpu)
    print(f"\n{args.rooms} rooms x {args.members}; {args.requests} requests a page after "
          f"{args.warmup} warm-up, one at a time; load average at the end {load:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"rooms": args.rooms, "members": args.members, "results": results,
             "queries": queries, "cpu_ms": cpu, "load_average": load}, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) > 1 and sys.argv[1] == "_queries":
        queries_and_profile(json.loads(Path(sys.argv[2]).read_text()), sys.argv[3],
                            sys.argv[4], int(sys.argv[5]))
    else:
        main()
