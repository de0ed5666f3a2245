"""CPU per participant of a join storm and a breakout start, measured in-process.

The whole ASGI application (config/asgi.py: Django's HTTP handler and the Channels socket
stack, the hub, the join digest) runs in this process on one event loop; a small ASGI client
drives it the way bench/workshop.py's browsers do — join page, join POST with its CSRF token,
lobby page, lobby socket to `state` (sockets stay open, so every join is told to them); then
"Start breakouts" (services.start_breakouts) and, per person, the room page and the room
socket to `state`. No Daphne, no HAProxy: what is measured is the application's own CPU
(time.process_time, every thread of the process), per step, so a loaded machine changes little.

    .venv/bin/python bench/journey.py                        # 400 seeded + 200 joining
    .venv/bin/python bench/journey.py --seed 900 --join 100  # the end of a 1,000-person storm
    .venv/bin/python bench/journey.py --profile lobby        # + cProfile of one step
    SORT=tottime .venv/bin/python bench/journey.py --profile lobby  # sorted by own time
    DATABASE_URL=postgres://…/rt_x .venv/bin/python bench/journey.py   # in <name>_journey

Steps: join (GET), join (POST), lobby (GET), lobby socket, room over lobby (the room page on
every lobby socket, all at once, shared out per person); "fan-out"
is what the hub and the join digest did between steps (the events of each join told to every
open socket), "start" the facilitator's start itself (once, not per person).
"""

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEPARTMENTS = ["Sales", "Finance", "Engineering", "Support", "Legal", "HR", "Marketing", "Ops"]
LOCATIONS = ["Oslo", "Lisbon", "Austin", "Pune", "Osaka"]


def configure(database_url):
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "journey-bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
    })
    os.environ.pop("REDIS_URL", None)  # one process: the in-memory layer
    if database_url:
        parts = urlsplit(database_url)
        name = parts.path.lstrip("/") + "_journey"
        import psycopg
        from psycopg import sql

        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        os.environ["DATABASE_URL"] = parts._replace(path="/" + name).geturl()
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["ROUNDTABLE_VAR_DIR"] = tempfile.mkdtemp(prefix="journey-")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    call_command("collectstatic", interactive=False, verbosity=0)


def build(seed, room_size):
    """A workshop in the lobby with `seed` participants who joined earlier (and sessions)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from workshops.access import remember_participant
    from workshops.models import Challenge, Participant, Workshop

    owner = User.objects.create_user(f"facilitator-{time.time_ns()}", password=None)
    workshop = Workshop.objects.create(title="Company-wide workshop", owner=owner,
                                       phase=Workshop.Phase.LOBBY, target_room_size=room_size)
    for n, title in enumerate(["Silos", "Onboarding", "Handovers"]):
        Challenge.objects.create(workshop=workshop, title=title, position=n,
                                 description="Teams lose context between handovers. " * 3)
    people = Participant.objects.bulk_create(
        Participant(workshop=workshop, name=f"Seeded {i}", department=DEPARTMENTS[i % 8],
                    location=LOCATIONS[i % 5])
        for i in range(seed)
    )
    cookies = []
    for person in people:
        store = SessionStore()
        remember_participant(store, person)
        store.save()
        cookies.append({settings.SESSION_COOKIE_NAME: store.session_key})
    return workshop, cookies


class Browser:
    """One person's cookie jar, driving the ASGI application directly."""

    def __init__(self, app, cookies=None):
        self.app = app
        self.cookies = dict(cookies or {})

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()

    async def request(self, method, path, form=None, referer=None):
        body = urlencode(form).encode() if form else b""
        headers = [(b"host", HOST.encode()), (b"user-agent", b"journey-bench"),
                   (b"accept", b"text/html"), (b"cookie", self.cookie_header())]
        if method == "POST":
            headers += [(b"content-type", b"application/x-www-form-urlencoded"),
                        (b"content-length", str(len(body)).encode()),
                        (b"origin", ORIGIN.encode()), (b"referer", (referer or ORIGIN).encode())]
        path, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": query.encode(), "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000)}
        sent = [{"type": "http.request", "body": body, "more_body": False}]
        status, parts, done = None, [], asyncio.Event()
        response_headers = []

        async def receive():
            if sent:
                return sent.pop()
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.extend(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body"):
                    done.set()

        await self.app(scope, receive, send)
        location = None
        for name, value in response_headers:
            if name.lower() == b"set-cookie":
                for morsel in SimpleCookie(value.decode()).values():
                    self.cookies[morsel.key] = morsel.value
            elif name.lower() == b"location":
                location = value.decode()
        return status, b"".join(parts).decode(), location

    async def socket(self, path):
        from channels.testing import WebsocketCommunicator

        ws = WebsocketCommunicator(self.app, path, headers=[
            (b"host", HOST.encode()), (b"origin", ORIGIN.encode()),
            (b"cookie", self.cookie_header())])
        connected, _ = await ws.connect(timeout=60)
        assert connected, path
        while True:  # events may come before the state frame (live.js buffers them)
            state = json.loads(await ws.receive_from(timeout=60))
            if state["type"] == "state":
                return ws, state


class Meter:
    """CPU seconds per step; `fan-out` takes what ran between steps."""

    def __init__(self, profile):
        self.cpu = defaultdict(list)
        self.queries = defaultdict(int)
        self.count_queries()
        self.profile_step = profile
        # The loop's thread, and one profile per call on the threads of sync_to_async
        # (Django's ASGI handler gives every request a thread of its own).
        self.profilers = [cProfile.Profile()] if profile else None
        self.profiling = False
        if profile:
            self.profile_threads()
        self.mark = time.process_time()

    def count_queries(self):
        """Counts the SQL statements of every thread (charged to the step they ran in)."""
        from django.db.backends.utils import CursorWrapper

        execute = CursorWrapper.execute
        meter = self
        meter.executed = 0

        def counted(self, *args, **kwargs):
            meter.executed += 1
            return execute(self, *args, **kwargs)

        CursorWrapper.execute = counted

    def profile_threads(self):
        from asgiref.sync import SyncToAsync

        handler = SyncToAsync.thread_handler
        meter = self

        def profiled(self, *args, **kwargs):
            if not meter.profiling or threading.current_thread() is threading.main_thread():
                return handler(self, *args, **kwargs)
            profiler = cProfile.Profile()
            meter.profilers.append(profiler)
            profiler.enable()
            try:
                return handler(self, *args, **kwargs)
            finally:
                profiler.disable()

        SyncToAsync.thread_handler = profiled

    async def settle(self):
        """Lets the hub deliver what is queued, and charges it to `fan-out`."""
        from live.hub import get_hub

        hub = get_hub()
        for _ in range(50):
            await asyncio.sleep(0)
            if hub.queue.empty():
                break
        now = time.process_time()
        self.cpu["fan-out"].append(now - self.mark)
        self.mark = now

    async def step(self, name, work):
        await self.settle()
        profiling = self.profilers is not None and name.startswith(self.profile_step)
        if profiling:
            self.profiling = True
            self.profilers[0].enable()
        started, executed = time.process_time(), self.executed
        result = await work
        self.cpu[name].append(time.process_time() - started)
        self.queries[name] += self.executed - executed
        if profiling:
            self.profilers[0].disable()
            self.profiling = False
        self.mark = time.process_time()
        return result


async def journey(args):
    from asgiref.sync import sync_to_async

    from config.asgi import application
    from workshops.models import Workshop

    workshop, seeded = await sync_to_async(build)(args.seed, args.room_size)
    code = workshop.join_code
    lobby_ws = f"/ws/w/{code}/?page=lobby"
    people = []
    opening = time.process_time()
    for cookies in seeded:
        browser = Browser(application, cookies)
        browser.ws, _ = await browser.socket(lobby_ws)
        people.append(browser)
    print(f"{args.seed} seeded lobby sockets opened: "
          f"{(time.process_time() - opening) * 1000 / max(1, args.seed):.1f} ms CPU each")

    meter = Meter(args.profile)
    storm_started = time.process_time()
    for i in range(args.join):
        browser = Browser(application)
        path = f"/join/{code}/"
        status, page, _ = await meter.step("join (GET)", browser.request("GET", path))
        assert status == 200, status
        form = {"name": f"Person {i}", "department": DEPARTMENTS[i % 8],
                "location": LOCATIONS[i % 5], "email": "",
                "csrfmiddlewaretoken": CSRF_RE.search(page).group(1)}
        status, _, location = await meter.step(
            "join (POST)", browser.request("POST", path, form, referer=ORIGIN + path))
        assert status == 302 and location == f"/w/{code}/lobby/", (status, location)
        status, _, _ = await meter.step("lobby (GET)", browser.request("GET", location))
        assert status == 200, status
        browser.ws, state = await meter.step("lobby socket", browser.socket(lobby_ws))
        assert state["me"]["participant"]["name"] == f"Person {i}"
        people.append(browser)
        await asyncio.sleep(args.pause)
    await meter.settle()
    storm = time.process_time() - storm_started

    # The breakout start: the facilitator's click, then every person's room page and socket.
    workshop = await sync_to_async(Workshop.objects.get)(pk=workshop.pk)
    await meter.step("start", sync_to_async(start_breakouts)(workshop))
    await meter.settle()
    # Every lobby socket now brings its page the room (a `page` frame, then the room's state):
    # all at once, as in a real start, so the step is the whole move and is shared out.
    movers = people[-args.move:] if args.move else people
    await meter.step("room over lobby", asyncio.gather(*(
        room_over_lobby(browser.ws) for browser in movers)))
    moved = len(movers)
    await meter.settle()
    report(meter, storm, args.join, moved)
    for browser in people:
        await browser.ws.disconnect()


def start_breakouts(workshop):
    """What the facilitator's plan page and "Start breakouts" do: the plan page stores a draft
    plan on the workshop (read back with the workshop row by every page after), then start."""
    from breakouts import planning, services
    from breakouts.plan_views import _replan

    _replan(workshop, planning.plan_people(workshop), None)
    return services.start_breakouts(workshop)


async def room_over_lobby(ws):
    """Reads a lobby socket up to its `page` frame (the room page, and the room's snapshot)."""
    url = None
    while True:
        frame = json.loads(await ws.receive_from(timeout=120))
        if frame.get("type") == "room.assigned" and frame.get("url"):
            url = frame["url"]
        elif frame.get("type") == "page":
            assert frame["url"] == url and frame["html"], frame["url"]
            return


def report(meter, storm, joins, moved):
    print(f"\n{'step':<16}{'n':>6}{'mean ms':>10}{'p50 ms':>9}{'max ms':>9}{'total s':>9}"
          f"{'queries':>9}")
    for name, values in meter.cpu.items():
        values = sorted(values)
        queries = meter.queries[name] / len(values) if name in meter.queries else float("nan")
        print(f"{name:<16}{len(values):>6}{sum(values) / len(values) * 1000:>10.1f}"
              f"{values[len(values) // 2] * 1000:>9.1f}{values[-1] * 1000:>9.1f}"
              f"{sum(values):>9.2f}{queries:>9.1f}")
    if joins:
        print(f"\nwhole join, fan-out included: {storm * 1000 / joins:.1f} ms CPU per person")
    if moved:
        cpu = sum(meter.cpu["room over lobby"]) + sum(meter.cpu["start"])
        print(f"start + room page over the lobby socket: {cpu * 1000 / moved:.1f} ms CPU per "
              "person")
    if meter.profilers is not None:
        stats = pstats.Stats(meter.profilers[0])
        for profiler in meter.profilers[1:]:
            stats.add(profiler)
        stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=400, help="people in the lobby already")
    parser.add_argument("--join", type=int, default=200, help="people who join, measured")
    parser.add_argument("--move", type=int, default=0,
                        help="people measured at the breakout start (0: everyone)")
    parser.add_argument("--room-size", type=int, default=10)
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between joins (the digest holds joins for 1 s)")
    parser.add_argument("--profile", help="cProfile the steps whose name starts with this")
    args = parser.parse_args()
    configure(os.environ.get("DATABASE_URL", ""))
    asyncio.run(journey(args))


if __name__ == "__main__":
    main()
