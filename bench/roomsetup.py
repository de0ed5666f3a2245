"""What bench/rooms.py runs in child processes: the database set-up and the floor server.

`python bench/rooms.py _setup ROOMS MEMBERS OUT` builds the bench database from the models;
`python bench/rooms.py _floor PORT` serves the raw `websockets` fan-out floor.
"""

import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# -- the database (runs in a child process: python bench/rooms.py _setup ...) ---------------


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


# -- the floor: a minimal fan-out server (python bench/rooms.py _floor PORT) -----------------


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
                broadcast(members, json.dumps(event))
                await ws.send(json.dumps({"type": "ack", "id": frame["id"], "rev": revs[room]}))
        finally:
            members.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=2**16):
        await asyncio.get_running_loop().create_future()


