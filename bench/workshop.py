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
the ORM); `kill` and `steady` need the rooms that `breakout` starts, so it always runs with
them. DATABASE_URL (PostgreSQL) and REDIS_URL name the services; the bench makes its own
database (`<name>_bench`, recreated each run) and its own Redis key prefix.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import rooms as roomsbench  # noqa: E402 - the measuring loop, floor server and helpers

percentile = roomsbench.percentile
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEPARTMENTS = ["Sales", "Finance", "Operations", "Engineering", "HR", "Marketing", "Legal",
               "Support"]
LOCATIONS = ["Lyon", "Toronto", "Oslo", "Lagos", "Pune", "Austin"]


# -- the deployment (deploy/scale.sh) ---------------------------------------------------------


def free_block(count):
    """Returns a base port with base+1 … base+count free on loopback."""
    for _ in range(200):
        base = random.randint(20000, 30000)  # noqa: S311
        if all(_port_free(base + i) for i in range(1, count + 1)):
            return base
    raise RuntimeError("no block of free loopback ports")


def _port_free(port):
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Deployment:
    """N Daphne processes behind HAProxy, started and stopped with deploy/scale.sh."""

    def __init__(self, processes, workdir, database_url, redis_url, haproxy_instances=1):
        self.processes = processes
        self.state_dir = workdir / f"scale-{processes}"
        self.port = roomsbench.free_port()
        self.env = {
            **os.environ,
            "N": str(processes),
            "PORT": str(self.port),
            "BASE_PORT": str(free_block(processes)),
            "STATS_PORT": str(free_block(haproxy_instances) + 1),
            "HAPROXY_INSTANCES": str(haproxy_instances),
            "STATE_DIR": str(self.state_dir),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": f"bench{os.getpid()}x{processes}",
            "PYTHON": sys.executable,
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"

    def script(self, command):
        result = subprocess.run(
            [str(ROOT / "deploy" / "scale.sh"), command], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"scale.sh {command} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self):
        return self.script("start")

    def stop(self):
        return self.script("stop")

    def app_env(self):
        """The environment of a Django process of this deployment (setup and checks)."""
        secret = (self.state_dir / "secret_key").read_text().strip()
        env = {**self.env, "DEBUG": "0", "SECRET_KEY": secret,
               "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
               "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
        env.pop("ROUNDTABLE_TESTING", None)
        return env

    def pids(self):
        """Returns {"daphne-1": pid, …, "haproxy-1": pid} of the live processes."""
        found = {}
        for path in sorted(self.state_dir.glob("*.pid")):
            try:
                pid = int(path.read_text())
                os.kill(pid, 0)
            except (OSError, ValueError):
                continue
            found[path.stem] = pid
        return found

    def kill(self, name):
        pid = self.pids()[name]
        os.kill(pid, signal.SIGKILL)
        return pid


def cpu_seconds(pid):
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError, ValueError):
        return None


def service_pids():
    """PostgreSQL and Redis server processes on this machine (shared; for CPU figures)."""
    found = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("postgres"):
            found["postgresql (all)"].append(int(entry.name))
        elif name.startswith("redis-server"):
            found["redis (all)"].append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds of each deployment process (and the shared services) between two marks."""

    def __init__(self, deployment):
        self.deployment = deployment
        self.marks = []

    def snapshot(self):
        values = {name: cpu_seconds(pid) for name, pid in self.deployment.pids().items()}
        for name, pids in service_pids().items():
            values[name] = sum(cpu_seconds(pid) or 0 for pid in pids)
        values["load generator"] = sum(os.times()[:2])
        return time.monotonic(), values

    def mark(self):
        self.marks.append(self.snapshot())
        return sum(v for k, v in self.marks[-1][1].items()
                   if k.startswith("daphne") and v is not None)

    def percent(self, first=0, last=-1):
        """Returns {process: % of one core} between two marks."""
        (t0, a), (t1, b) = self.marks[first], self.marks[last]
        wall = max(t1 - t0, 1e-9)
        return {name: 100 * (b[name] - a[name]) / wall
                for name in b if a.get(name) is not None and b[name] is not None}


# -- the database (child processes: python bench/workshop.py _setup|_check ...) --------------


def reset_database(url):
    """Drops and creates the bench's own database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def setup_workshop(participants, room_size, seed_lobby, out_path):
    """Creates the facilitator (with a password, for the login form) and a workshop in the
    lobby; with `seed_lobby`, also the participants and their sessions (no join storm)."""
    django_setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from workshops.access import remember_participant
    from workshops.models import Challenge, Participant, Workshop

    password = secrets.token_urlsafe(16)
    with transaction.atomic():
        owner = User.objects.create_user(f"facilitator-{time.time_ns()}", password=password)
        workshop = Workshop.objects.create(
            title="Company-wide workshop", owner=owner, phase=Workshop.Phase.LOBBY,
            target_room_size=room_size,
        )
        Challenge.objects.create(workshop=workshop, title="Silos", position=0)
        cookies = []
        if seed_lobby:
            people = Participant.objects.bulk_create(
                Participant(workshop=workshop, name=f"Person {i}",
                            department=DEPARTMENTS[i % len(DEPARTMENTS)],
                            location=LOCATIONS[i % len(LOCATIONS)])
                for i in range(participants)
            )
            for person in people:
                store = SessionStore()
                remember_participant(store, person)
                store.save()
                cookies.append([person.pk, f"{settings.SESSION_COOKIE_NAME}={store.session_key}"])
    Path(out_path).write_text(json.dumps({
        "code": workshop.join_code, "workshop": workshop.pk, "username": owner.username,
        "password": password, "cookies": cookies,
    }))


def check_ops(workshop_id, ops_path, out_path):
    """Looks up every acked item.add (its text is its op id): lost and duplicated."""
    django_setup()
    from breakouts.models import Item
    from live.models import AppliedOp

    acked = set(json.loads(Path(ops_path).read_text()))
    stored = Counter(
        Item.objects.filter(room__workshop_id=workshop_id, text__startswith="op ")
        .values_list("text", flat=True)
    )
    applied = set(AppliedOp.objects.filter(scope=workshop_id)
                  .values_list("op_id", flat=True))
    Path(out_path).write_text(json.dumps({
        "acked": len(acked),
        "lost": sum(1 for op in acked if stored.get(f"op {op}", 0) == 0),
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "not_in_applied_ops": sum(1 for op in acked if op not in applied),
        "stored": sum(stored.values()),
    }))


def list_rooms(workshop_id, out_path):
    """Every room of the workshop: number, scribe, member ids (from the database)."""
    django_setup()
    from breakouts.models import Room

    rooms = [
        {"number": room.number, "scribe": room.scribe_id,
         "members": sorted(member.pk for member in room.members.all())}
        for room in Room.objects.filter(workshop_id=workshop_id).prefetch_related("members")
    ]
    Path(out_path).write_text(json.dumps(rooms))


def check_acked(deployment, workshop_id, acked):
    ops_file = Path(tempfile.mkstemp(prefix="rt-ops-", suffix=".json")[1])
    ops_file.write_text(json.dumps(acked))
    try:
        return run_child(deployment, "_check", workshop_id, ops_file)
    finally:
        ops_file.unlink()


def run_child(deployment, *args):
    out = Path(tempfile.mkstemp(prefix="rt-bench-", suffix=".json")[1])
    subprocess.run(
        [sys.executable, __file__, *map(str, args), str(out)], cwd=ROOT,
        env=deployment.app_env(), check=True, timeout=600,
    )
    result = json.loads(out.read_text())
    out.unlink()
    return result


# -- clients ----------------------------------------------------------------------------------


@dataclass
class Person:
    index: int
    client: object = None  # httpx.AsyncClient with this browser's cookies
    cookie: str = ""  # Cookie header for sockets
    participant: int | None = None
    lobby: object = None  # the lobby socket
    room: int | None = None
    room_url: str | None = None
    scribe: int | None = None
    times: dict = field(default_factory=dict)
    reader: object = None  # the task reading the lobby socket, as the page does
    on_frame: object = None  # what the page does with a frame (None: nothing)

    def listen(self):
        """Reads the lobby socket from now on, as lobby.js does (a browser keeps reading)."""
        def handle(frame):
            if self.on_frame is not None:
                self.on_frame(frame)
        self.reader = asyncio.create_task(drain(self.lobby, handle, interesting=LOBBY_EVENTS))


class Errors(Counter):
    def add(self, kind):
        self[kind] += 1


def failure(exc):
    """Names a failure: the HTTP status of a refused socket handshake, else the type."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status is not None else type(exc).__name__


async def open_socket(url, cookie, errors, kind, wait_s=60):
    """Opens a socket as a browser page does and returns (socket, state frame)."""
    from websockets.asyncio.client import connect

    ws = await connect(
        url, additional_headers=[("Cookie", cookie)], origin="http://127.0.0.1",
        compression=None, max_size=2**24, ping_interval=None, open_timeout=wait_s,
        close_timeout=2,
    )
    deadline = time.monotonic() + wait_s
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if frame.get("type") == "state":
            return ws, frame
        if frame.get("type") == "error":
            errors.add(f"{kind}: error frame {frame.get('code')}")


async def open_socket_retrying(url, cookie, errors, kind, retries, attempts=6):
    """Opens a socket like live.js: a refused handshake is tried again after 0.5 s, 1 s, 2 s…
    (with jitter). Each retry is counted in `retries`; only the last failure is an error."""
    for attempt in range(attempts):
        try:
            return await open_socket(url, cookie, errors, kind)
        except Exception as exc:
            if attempt == attempts - 1:
                raise
            retries.add(f"{kind}: {failure(exc)}")
            await asyncio.sleep(min(15.0, 0.5 * 2 ** attempt) * random.uniform(0.5, 1.0))  # noqa: S311
    raise AssertionError("unreachable")


def browser_client(base, transport):
    import httpx

    return httpx.AsyncClient(
        base_url=base, transport=transport, timeout=httpx.Timeout(120.0),
        headers={"User-Agent": "roundtable-bench"}, follow_redirects=False,
    )


def cookie_header(client):
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def get_like_a_browser(client, url, headers=None):
    """GETs a page; a 408 (HAProxy closed a connection that sat idle before its request,
    which happens when this load generator is starved of CPU) is retried once, as browsers
    retry it."""
    response = await client.get(url, headers=headers)
    if response.status_code == 408:
        HTTP_RETRIES["HTTP 408 retried"] += 1
        response = await client.get(url, headers=headers)
    return response


HTTP_RETRIES = Counter()


async def fetch_page(client, path, errors, kind, expect=200):
    started = time.perf_counter()
    try:
        response = await get_like_a_browser(client, path)
    except Exception as exc:
        errors.add(f"{kind}: {failure(exc)}")
        return None, None
    if response.status_code != expect:
        errors.add(f"{kind}: HTTP {response.status_code}")
        return None, None
    return response, (time.perf_counter() - started) * 1000


async def post_form(client, path, data, base, errors, kind):
    """GETs the form, POSTs it with its CSRF token like a browser; returns (response, ms)."""
    page, _ms = await fetch_page(client, path, errors, f"{kind} form")
    if page is None:
        return None, None
    match = CSRF_RE.search(page.text)
    if match is None:
        errors.add(f"{kind}: no CSRF token in the form")
        return None, None
    started = time.perf_counter()
    try:
        response = await client.post(
            path, data={**data, "csrfmiddlewaretoken": match.group(1)},
            headers={"Origin": base, "Referer": f"{base}{path}"},
        )
    except Exception as exc:
        errors.add(f"{kind}: {failure(exc)}")
        return None, None
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        errors.add(f"{kind}: HTTP {response.status_code}")
        return None, None
    return response, ms


# -- scenario: join storm ---------------------------------------------------------------------


async def join_storm(dep, code, people, window, transport):
    errors, retries = Errors(), Errors()
    pages = defaultdict(list)
    base = dep.base

    async def join(person, at):
        await asyncio.sleep(at)
        started = time.perf_counter()
        client = person.client = browser_client(base, transport)
        path = f"/join/{code}/"
        page, ms = await fetch_page(client, path, errors, "join page")
        if page is None:
            return
        pages["join page (GET)"].append(ms)
        match = CSRF_RE.search(page.text)
        if match is None:
            errors.add("join page: no CSRF token")
            return
        data = {
            "name": f"Person {person.index}",
            "department": DEPARTMENTS[person.index % len(DEPARTMENTS)],
            "location": LOCATIONS[person.index % len(LOCATIONS)],
            "email": "", "csrfmiddlewaretoken": match.group(1),
        }
        t = time.perf_counter()
        try:
            response = await client.post(
                path, data=data, headers={"Origin": base, "Referer": f"{base}{path}"})
        except Exception as exc:
            errors.add(f"join submit: {failure(exc)}")
            return
        pages["join submit (POST)"].append((time.perf_counter() - t) * 1000)
        lobby = f"/w/{code}/lobby/"
        if response.status_code != 302 or response.headers.get("location") != lobby:
            errors.add(f"join submit: HTTP {response.status_code}")
            return
        page, ms = await fetch_page(client, lobby, errors, "lobby page")
        if page is None:
            return
        pages["lobby page (GET)"].append(ms)
        person.cookie = cookie_header(client)
        t = time.perf_counter()
        try:
            person.lobby, state = await open_socket_retrying(
                f"{dep.ws_base}/ws/w/{code}/", person.cookie, errors, "lobby socket", retries)
        except Exception as exc:
            errors.add(f"lobby socket: {failure(exc)}")
            return
        pages["lobby socket (to state)"].append((time.perf_counter() - t) * 1000)
        person.participant = state["me"]["participant"]["id"]
        person.listen()
        pages["whole join (to live lobby)"].append((time.perf_counter() - started) * 1000)

    offsets = sorted(random.uniform(0, window) for _ in people)  # noqa: S311
    started = time.monotonic()
    await asyncio.gather(*(join(p, at) for p, at in zip(people, offsets, strict=True)))
    took = time.monotonic() - started
    joined = sum(1 for p in people if p.lobby is not None)
    return {"joined": joined, "of": len(people), "seconds": took, "errors": dict(errors),
            "socket_retries": dict(retries), "pages": {k: summary(v) for k, v in pages.items()}}


def summary(values):
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": max(values) if values else float("nan")}


async def seed_lobby(dep, code, people, cookies, concurrency=200):
    """Opens every seeded participant's lobby socket (no join storm)."""
    errors = Errors()
    gate = asyncio.Semaphore(concurrency)

    async def one(person, seeded):
        person.participant, cookie = seeded
        person.cookie = cookie
        async with gate:
            try:
                person.lobby, state = await open_socket(
                    f"{dep.ws_base}/ws/w/{code}/", cookie, errors, "lobby socket")
                person.participant = state["me"]["participant"]["id"]
                person.listen()
            except Exception as exc:
                errors.add(f"lobby socket: {failure(exc)}")

    await asyncio.gather(*(one(p, c) for p, c in zip(people, cookies, strict=True)))
    return errors


LOBBY_EVENTS = ('"room.assigned"', '"phase.changed"')


async def drain(ws, on_frame, interesting=None):
    """Reads a socket until it closes, handing each frame to on_frame(frame); with
    `interesting`, only frames that contain one of those strings are decoded."""
    try:
        async for message in ws:
            if interesting is not None and not any(word in message for word in interesting):
                continue
            on_frame(json.loads(message))
    except Exception:  # noqa: S110 - a closed socket ends the reader; callers count closes
        pass


# -- scenario: breakout start -----------------------------------------------------------------


async def facilitator_login(dep, setup, transport, errors):
    client = browser_client(dep.base, transport)
    response, _ms = await post_form(
        client, "/accounts/login/",
        {"username": setup["username"], "password": setup["password"]},
        dep.base, errors, "login",
    )
    if response is None:
        raise RuntimeError(f"the facilitator could not log in: {dict(errors)}")
    return client


async def breakout_start(dep, setup, people, transport):
    errors, retries = Errors(), Errors()
    code = setup["code"]
    facilitator = await facilitator_login(dep, setup, transport, errors)
    plan_path = f"/w/{code}/manage/plan/"
    t = time.perf_counter()
    page, _ = await fetch_page(facilitator, plan_path, errors, "plan page")
    plan_ms = (time.perf_counter() - t) * 1000
    if page is None:
        raise RuntimeError(f"the plan page failed: {dict(errors)}")
    token = CSRF_RE.search(page.text).group(1)
    loop = asyncio.get_running_loop()
    clicked = None
    assigned, paged, live = [], [], []
    done = asyncio.Event()
    waiting = {p.index for p in people if p.lobby is not None}
    fallbacks = 0

    async def move(person, url):
        """What lobby.js does on room.assigned: load the room page, open its socket."""
        nonlocal fallbacks
        if person.lobby is not None:
            person.reader.cancel()
            await person.lobby.close()
        client = person.client or browser_client(dep.base, transport)
        person.client = client
        if url is None:  # no room.assigned: reload the lobby, which redirects to the room
            fallbacks += 1
            response, _ = await fetch_page(client, f"/w/{code}/lobby/", errors, "lobby reload",
                                           expect=302)
            url = response.headers["location"] if response is not None else None
            if url is None:
                return
        response, _ = await fetch_page_with_cookie(client, url, person.cookie, errors)
        if response is None:
            return
        paged.append((time.perf_counter() - clicked) * 1000)
        try:
            ws, state = await open_socket_retrying(
                f"{dep.ws_base}/ws/w/{code}/", person.cookie, errors, "room socket", retries)
        except Exception as exc:
            errors.add(f"room socket: {failure(exc)}")
            return
        if not state.get("room"):
            errors.add("room socket: state without a room")
            await ws.close()
            return
        live.append((time.perf_counter() - clicked) * 1000)
        person.room = state["room"]["number"]
        person.scribe = state["room"]["scribe"]
        person.room_url = url
        person.lobby = ws  # now the room socket
        waiting.discard(person.index)
        if not waiting:
            done.set()

    def on_lobby_frame(person, frame):
        kind = frame.get("type")
        if kind == "room.assigned" and frame.get("url") and "moving" not in person.times:
            person.times["moving"] = True
            assigned.append((time.perf_counter() - clicked) * 1000)
            loop.create_task(move(person, frame["url"]))
        elif kind == "phase.changed" and frame.get("phase") == "breakouts":
            def fallback():
                if "moving" not in person.times:
                    person.times["moving"] = True
                    loop.create_task(move(person, None))
            loop.call_later(1.5, fallback)  # lobby.js's ROOM_WAIT_MS

    for person in people:
        person.on_frame = lambda frame, person=person: on_lobby_frame(person, frame)
    await asyncio.sleep(1.0)  # let the join storm's last events settle
    clicked = time.perf_counter()
    try:
        response = await facilitator.post(
            f"/w/{code}/manage/plan/change/",
            data={"action": "start", "csrfmiddlewaretoken": token},
            headers={"Origin": dep.base, "Referer": f"{dep.base}{plan_path}"},
        )
        post_ms = (time.perf_counter() - clicked) * 1000
        if response.status_code != 302:
            errors.add(f"start: HTTP {response.status_code}")
    except Exception as exc:
        errors.add(f"start: {failure(exc)}")
        post_ms = float("nan")
    try:
        await asyncio.wait_for(done.wait(), 60 + len(people) / 50)
    except TimeoutError:
        errors.add(f"not live in a room after the wait: {len(waiting)}")
    # (The facilitator's client shares the transport: closing it would close everyone's.)
    return {"participants": len(people), "plan_page_ms": plan_ms, "start_post_ms": post_ms,
            "to_room_assigned": summary(assigned), "to_room_page": summary(paged),
            "to_room_live": summary(live), "fallback_reloads": fallbacks,
            "errors": dict(errors), "socket_retries": dict(retries)}


async def fetch_page_with_cookie(client, url, cookie, errors):
    """GETs a page with the participant's own cookies (seeded people have no client jar)."""
    started = time.perf_counter()
    try:
        response = await get_like_a_browser(client, url, headers={"Cookie": cookie})
    except Exception as exc:
        errors.add(f"room page: {failure(exc)}")
        return None, None
    if response.status_code != 200:
        errors.add(f"room page: HTTP {response.status_code}")
        return None, None
    return response, (time.perf_counter() - started) * 1000


# -- scenario: a process killed mid-breakout --------------------------------------------------


class RoomClient:
    """A member's room socket with live.js's behaviour: reconnect with backoff and jitter
    (0.5 s doubling to 15 s), resend unacked ops (same ids) after the state frame."""

    def __init__(self, dep, code, person, errors, stats):
        self.dep, self.code, self.person = dep, code, person
        self.errors, self.stats = errors, stats
        self.ws = person.lobby
        self.outbox = {}  # op id → frame
        self.acked = set()
        self.stopping = False
        self.down_since = None
        self.task = None

    def start(self):
        self.task = asyncio.create_task(self.run())

    async def run(self):
        attempt = 0
        while not self.stopping:
            if self.ws is None:
                try:
                    self.ws, state = await open_socket(
                        f"{self.dep.ws_base}/ws/w/{self.code}/", self.person.cookie,
                        self.errors, "reconnect", wait_s=30)
                except Exception as exc:
                    self.errors.add(f"reconnect attempt: {failure(exc)}")
                    attempt += 1
                    delay = min(15.0, 0.5 * 2 ** (attempt - 1))
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
                    continue
                attempt = 0
                if self.down_since is not None:
                    self.stats["live_again_ms"].append(
                        (time.perf_counter() - self.down_since) * 1000)
                    self.down_since = None
                if not state.get("room") or state["room"]["number"] != self.person.room:
                    self.errors.add("reconnect: another room in the state")
                for frame in list(self.outbox.values()):
                    await self.send_now(frame)
            await drain(self.ws, self.on_frame)
            if self.stopping:
                break
            self.ws = None
            self.down_since = time.perf_counter()
            self.stats["disconnects"] += 1
            await asyncio.sleep(0.5 * random.uniform(0.5, 1.0))  # noqa: S311

    def on_frame(self, frame):
        kind = frame.get("type")
        if kind == "ack" and frame.get("id") in self.outbox:
            del self.outbox[frame["id"]]
            self.acked.add(frame["id"])
        elif kind == "error" and frame.get("id") in self.outbox:
            self.errors.add(f"op error: {frame.get('code')}")
            if frame.get("code") in {"rate_limited", "unavailable"}:
                # live.js tries again a second later (RETRY_LATER).
                retry = self.outbox[frame["id"]]
                asyncio.get_running_loop().call_later(
                    1.0, lambda: asyncio.ensure_future(self.resend(retry)))
            else:
                del self.outbox[frame["id"]]

    async def resend(self, frame):
        if frame["id"] in self.outbox and self.ws is not None:
            await self.send_now(frame)

    async def send_now(self, frame):
        try:
            await self.ws.send(json.dumps(frame))
        except Exception:  # noqa: S110 - it stays in the outbox and goes again on reconnect
            pass

    async def add_item(self):
        op_id = uuid.uuid4().hex
        frame = {"op": "item.add", "id": op_id, "step": "root_causes",
                 "fields": {"text": f"op {op_id}", "category": "process"}}
        self.outbox[op_id] = frame
        self.stats["sent"] += 1
        if self.ws is not None:
            await self.send_now(frame)

    async def close(self):
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()


async def process_loss(dep, setup, people, rate, duration):
    errors = Errors()
    stats = Counter()
    stats["live_again_ms"] = []
    in_rooms = [p for p in people if p.room is not None and p.lobby is not None]
    clients = [RoomClient(dep, setup["code"], p, errors, stats) for p in in_rooms]
    for client in clients:
        client.start()
    by_room = defaultdict(list)
    for client in clients:
        by_room[client.person.room].append(client)
    loop = asyncio.get_running_loop()
    end = loop.time() + duration

    async def room_load(members):
        # The room's members take turns: `rate` ops per second for the room.
        interval = 1.0 / rate
        await asyncio.sleep(random.random() * interval)  # noqa: S311
        turn = 0
        while loop.time() < end:
            await members[turn % len(members)].add_item()
            turn += 1
            await asyncio.sleep(interval)

    async def killer():
        await asyncio.sleep(duration / 3)
        stats["killed_pid"] = dep.kill("daphne-1")
        stats["killed_at"] = time.perf_counter()

    await asyncio.gather(killer(), *(room_load(m) for m in by_room.values()))
    # Let every client reconnect and flush its outbox.
    deadline = loop.time() + 45
    while loop.time() < deadline and any(c.outbox or c.ws is None for c in clients):  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    unacked = sum(len(c.outbox) for c in clients)
    offline = sum(1 for c in clients if c.ws is None)
    acked = [op for c in clients for op in c.acked]
    await asyncio.gather(*(client.close() for client in clients))
    check = await asyncio.to_thread(check_acked, dep, setup["workshop"], acked)
    live = stats.pop("live_again_ms")
    for person in in_rooms:
        person.lobby = None  # closed above
    return {"sockets": len(clients), "disconnected": stats["disconnects"],
            "sent": stats["sent"], "acked": len(acked), "unacked_at_end": unacked,
            "offline_at_end": offline, "db": check, "live_again": summary(live),
            "errors": dict(errors)}


# -- scenario: steady load (bench/rooms.py's loop, through HAProxy) ---------------------------


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
        servers.start([sys.executable, str(BENCH / "rooms.py"), "_floor", str(port)], port,
                      name="floor")

        def targets(r, m):
            return f"ws://127.0.0.1:{port}/room/{r + 1}", []

        return asyncio.run(roomsbench.run_load(
            targets, rooms, members, rate, duration, concurrency=concurrency,
            cpu_seconds=servers.cpu_seconds))
    finally:
        servers.stop()


# -- one run ----------------------------------------------------------------------------------


async def drive(dep, setup, args, wanted):
    import httpx

    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=args.http_connections,
                            max_keepalive_connections=args.http_connections))
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
                           join_storm(dep, setup["code"], people, args.join_window, transport))
        else:
            errors = await seed_lobby(dep, setup["code"], people, setup["cookies"])
            results["lobby"] = {"errors": dict(errors)}
        if wanted & {"breakout", "kill", "steady"}:
            await scenario("breakout", "breakout start",
                           breakout_start(dep, setup, people, transport))
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
        await transport.aclose()  # every participant's client shares it
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
            results["floor"] = floor_run(workdir, s["rooms"], s["members"], args.rate,
                                         args.duration, args.connect_concurrency)
        return results
    finally:
        dep.stop()


def bench_database_url():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/roundtable"
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must be PostgreSQL (several processes share it)")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'roundtable'}_bench"))


# -- the table --------------------------------------------------------------------------------


def fmt(value, digits=0):
    if value is None or value != value:  # None or NaN
        return "-"
    return f"{value:,.{digits}f}"


def print_table(processes, participants, r):
    rows = []

    def row(scenario, what, value, note=""):
        rows.append((scenario, what, value, note))

    for name, value in r.items():
        if isinstance(value, dict) and "failed" in value:
            row(name, "FAILED", value["failed"])
    r = {k: v for k, v in r.items() if not (isinstance(v, dict) and "failed" in v)}

    def cpu(values):
        return ", ".join(f"{k} {v:.0f}%" for k, v in sorted(values.items()) if v >= 0.5)

    if "join" in r:
        j = r["join"]
        row("join storm", "joined / errors / socket retries",
            f"{j['joined']:,} of {j['of']:,} / {sum(j['errors'].values())} / "
            f"{sum(j['socket_retries'].values())}",
            f"in {j['seconds']:.1f} s; {j['errors'] or ''} {j['socket_retries'] or ''}")
        for page, s in j["pages"].items():
            row("join storm", f"{page} p50 / p95 / max ms",
                f"{fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['max'])}")
        row("join storm", "CPU (% of a core)", cpu(j["cpu_per_process"]),
            f"machine load {j['load_average']:.1f}")
    if "breakout" in r:
        b = r["breakout"]
        row("breakout start", "plan page / start POST ms",
            f"{fmt(b['plan_page_ms'])} / {fmt(b['start_post_ms'])}")
        for key, label in (("to_room_assigned", "click → room.assigned"),
                           ("to_room_page", "click → room page loaded"),
                           ("to_room_live", "click → room socket state")):
            s = b[key]
            row("breakout start", f"{label} p50 / p95 / max ms",
                f"{fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['max'])}", f"n={s['n']:,}")
        row("breakout start", "errors / reload fallbacks / socket retries",
            f"{sum(b['errors'].values())} / {b['fallback_reloads']} / "
            f"{sum(b['socket_retries'].values())}",
            str(b["errors"] or "") + " " + str(b["socket_retries"] or ""))
        row("breakout start", "CPU (% of a core)", cpu(b["cpu_per_process"]),
            f"machine load {b['load_average']:.1f}")
    if "kill" in r:
        k = r["kill"]
        db = k["db"]
        row("process loss", "sockets / disconnected by the kill",
            f"{k['sockets']:,} / {k['disconnected']:,}")
        row("process loss", "ops sent / acked / acked but lost / stored twice",
            f"{k['sent']:,} / {db['acked']:,} / {db['lost']} / {db['duplicated']}",
            f"unacked at end {k['unacked_at_end']}")
        s = k["live_again"]
        row("process loss", "live again p50 / p95 / max ms",
            f"{fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['max'])}",
            f"n={s['n']:,}; {k['errors'] or ''}")
    for key, label in (("steady", "steady (HAProxy)"), ("floor", "steady (raw floor)")):
        if key not in r:
            continue
        s = r[key]
        row(label, "events expected / delivered / lost / dup",
            f"{s['expected']:,} / {s['delivered']:,} / {s['lost']} / {s['duplicated']}",
            f"{s.get('rooms', '')}x{s.get('members', '')}" if key == "steady" else "")
        row(label, "delivery p50 / p99 / max ms",
            f"{fmt(s['p50'], 1)} / {fmt(s['p99'], 1)} / {fmt(s['max'], 1)}",
            f"connect {s['connect_s']:.1f} s")
        if key == "steady":
            row(label, "CPU (% of a core)", cpu(s["cpu_per_process"]),
                f"machine load {s['load_average']:.1f}"
                + (f"; errors {s['errors']}" if s["errors"] else ""))
        else:
            row(label, "CPU (% of a core)", f"{s['cpu']:.0f}%")
    if r.get("http_retries"):
        row("all", "page requests retried (as browsers do)", str(r["http_retries"]))
    print()
    print(f"{participants:,} participants, {processes} Daphne processes behind HAProxy "
          "(loopback; load generator, servers, PostgreSQL and Redis share this machine's "
          f"{os.cpu_count()} cores; machine load = 1-minute load average at the end)")
    widths = [max(len(str(x[i])) for x in rows) for i in range(3)]
    for scenario, what, value, note in rows:
        print(f"{scenario:<{widths[0]}}  {what:<{widths[1]}}  {value:<{widths[2]}}  {note}")


def failures(r):
    """What must never happen: error pages, lost or duplicated ops/events, stragglers."""
    found = [f"{name}: {value['failed']}" for name, value in r.items()
             if isinstance(value, dict) and "failed" in value]
    r = {k: v for k, v in r.items() if not (isinstance(v, dict) and "failed" in v)}
    if "join" in r and (r["join"]["errors"] or r["join"]["joined"] != r["join"]["of"]):
        found.append(f"join storm: {r['join']['errors']}")
    if "lobby" in r and r["lobby"]["errors"]:
        found.append(f"lobby: {r['lobby']['errors']}")
    if "breakout" in r:
        b = r["breakout"]
        if b["errors"] or b["to_room_live"]["n"] != b["participants"]:
            found.append(f"breakout start: {b['to_room_live']['n']} live, {b['errors']}")
    if "kill" in r:
        db = r["kill"]["db"]
        if db["lost"] or db["duplicated"] or r["kill"]["unacked_at_end"]:
            found.append(f"process loss: {db}, unacked {r['kill']['unacked_at_end']}")
    if "steady" in r and (r["steady"]["lost"] or r["steady"]["duplicated"]):
        found.append(f"steady: lost {r['steady']['lost']}, dup {r['steady']['duplicated']}")
    return found


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
    parser.add_argument("--http-connections", type=int, default=400)
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
    elif len(sys.argv) > 1 and sys.argv[1] == "_rooms":
        list_rooms(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_check":
        check_ops(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(main())
