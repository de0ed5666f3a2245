"""The bench's servers and data (used by bench/rooms.py): the database with its rooms and
sessions, the floor (a minimal `websockets` fan-out server), Daphne and Redis processes.

    python bench/servers.py _setup ROOMS MEMBERS OUT.json   # run by rooms.py, in a child
    python bench/servers.py _floor PORT                     # the floor server
"""

import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# -- the database (runs in a child process: python bench/servers.py _setup ...) ---------------


def setup_database(rooms, members, out_path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    # Tables straight from the models: the bench must not wait for migration files.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)

    from breakouts.models import Room
    from workshops.access import remember_participant
    from workshops.models import Challenge, Participant, Workshop

    with transaction.atomic():
        owner = User.objects.create_user(f"bench-{time.time_ns()}", password=None)
        workshop = Workshop.objects.create(
            title="Bench", owner=owner, phase=Workshop.Phase.BREAKOUTS
        )
        Challenge.objects.create(workshop=workshop, title="Latency", position=0)
        now = timezone.now()
        room_rows = Room.objects.bulk_create(
            Room(workshop=workshop, number=n, step_started_at=now) for n in range(1, rooms + 1)
        )
        layout = []
        for room in room_rows:
            people = Participant.objects.bulk_create(
                Participant(
                    workshop=workshop, name=f"R{room.number}M{i}", department=f"D{i % 4}",
                    location=f"L{i % 3}", room=room,
                )
                for i in range(members)
            )
            room.scribe = people[0]
            room.save(update_fields=["scribe"])
            cookies = []
            for person in people:
                store = SessionStore()
                remember_participant(store, person)
                store.save()
                cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
            layout.append({"number": room.number, "cookies": cookies})
    Path(out_path).write_text(json.dumps({"code": workshop.join_code, "rooms": layout}))


# -- the floor: a minimal fan-out server (python bench/servers.py _floor PORT) -----------------


async def floor_server(port):
    from websockets.asyncio.server import broadcast, serve

    rooms = defaultdict(set)
    revs = defaultdict(int)

    async def handler(ws):
        room = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
        members = rooms[room]
        members.add(ws)
        await ws.send(json.dumps({"type": "state", "rev": 0}))
        try:
            async for message in ws:
                frame = json.loads(message)
                revs[room] += 1
                event = {"type": "note.changed", "scope": "room", "room": room,
                         "rev": revs[room], "step": frame["step"], "text": frame["text"]}
                if frame["op"] == "note.edit":
                    event.update(type="note.edited", note_rev=revs[room], edit=frame["id"],
                                 changes=[[frame["from"], frame["to"], event.pop("text")]])
                broadcast(members, json.dumps(event))
                await ws.send(json.dumps({"type": "ack", "id": frame["id"], "rev": revs[room]}))
        finally:
            members.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=2**16):
        await asyncio.get_running_loop().create_future()


# -- servers --------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 65536), hard), hard))


class Servers:
    """Starts and stops the processes of one scenario; reads their CPU time."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.processes = []

    def start(self, argv, port, env=None, name="server"):
        log = open(self.workdir / f"{name}-{port}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
            stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit,  # noqa: PLW1509
        )
        self.processes.append(process)
        wait_for_port(port, process)
        return process

    def cpu_seconds(self):
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for process in self.processes:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError, ValueError):
                pass
        return total

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []


def daphne_env(database_url, redis_url=None):
    env = {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # Daphne writes an access-log line per socket event; unbuffered, each was a write(2)
        # (a third of a millisecond per connection under load). Python's default buffering of
        # a redirected stdout is what a deployment gets.
        "PYTHONUNBUFFERED": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("ROUNDTABLE_TESTING", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["REDIS_PREFIX"] = f"bench{os.getpid()}"
    return env


def start_redis(workdir):
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("--redis needs REDIS_URL or a redis-server binary on PATH")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process, f"redis://127.0.0.1:{port}/0"


if __name__ == "__main__":
    if sys.argv[1] == "_setup":
        setup_database(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "_floor":
        asyncio.run(floor_server(int(sys.argv[2])))
