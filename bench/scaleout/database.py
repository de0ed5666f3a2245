"""The bench's database: its URL, recreated each run, and what child processes of the
deployment's environment do in it (python bench/workshop.py _setup|_rooms|_check ...):
create the workshop (and a seeded lobby), list the rooms, look up the acked ops."""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import BENCH, ROOT

DEPARTMENTS = ["Sales", "Finance", "Operations", "Engineering", "HR", "Marketing", "Legal",
               "Support"]
LOCATIONS = ["Lyon", "Toronto", "Oslo", "Lagos", "Pune", "Austin"]


def bench_database_url():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/roundtable"
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must be PostgreSQL (several processes share it)")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'roundtable'}_bench"))


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


def start_rooms(workshop_id, out_path):
    """Starts breakouts straight in the database, as the "Start breakouts" button does but
    with nobody's lobby open (steady load alone: 10,000 sockets without a 10,000-person
    breakout storm before them)."""
    django_setup()
    from breakouts import services
    from workshops.models import Workshop

    rooms = services.start_breakouts(Workshop.objects.get(pk=workshop_id))
    Path(out_path).write_text(json.dumps({"rooms": len(rooms)}))


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
        [sys.executable, str(BENCH / "workshop.py"), *map(str, args), str(out)], cwd=ROOT,
        env=deployment.app_env(), check=True, timeout=600,
    )
    result = json.loads(out.read_text())
    out.unlink()
    return result
