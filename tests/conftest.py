"""Shared fixtures: the people of every access test, one workshop builder, a real server.

People (healthchecks' three):
- `alice` owns workshops; `bob` is a user without owner rights (make him a co-facilitator
  with `make_workshop(cofacilitators=[bob])`); `charlie` is another facilitator who must see
  none of alice's workshops. `facilitator` and `outsider` are the same two users as `alice`
  and `charlie` under the names many tests already use; the `*_client` fixtures are test
  clients signed in as each of them.
- `participant_client(participant)` is a test client signed in as that participant, as if
  they had followed their personal link.

Workshops:
- `make_workshop(owner=alice, phase=..., rooms=..., members=..., ...)` builds one workshop
  (`build_workshop`, tests/workshop_builder.py). Two ready ones: `workshop`, in the lobby
  with nobody yet (modules override it with their own shape), and `setup`, in breakouts with
  two rooms of three, as the tuple `(workshop, rooms, people)`.

Live, static files, browsers:
- `capture_events` records the events broadcast by a block, checked against their schemas.
- `collectstatic` runs once per session: pages link the manifest's hashed file names.
- `live_server_url` serves the real ASGI app with Daphne in a second process, on the test
  database, so browser tests exercise HTTP and WebSockets exactly as users do.
- `browser` is Debian's Chromium driven by Playwright. Without a Chromium the browser tests
  skip with the reason; under CI (the `CI` variable set) a missing browser fails instead.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from signed_session import signed_session_key
from workshop_builder import build_workshop

from live import events as live_events
from workshops.access import remember_participant
from workshops.models import Workshop

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: they hold an event loop (Playwright's) for the rest of the session.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with empty throttle counters (they live in the process's cache)."""
    from django.core.cache import cache

    cache.clear()


# -- people ---------------------------------------------------------------------------------


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", "alice@example.com", PASSWORD)


@pytest.fixture
def bob(db):
    return User.objects.create_user("bob", "bob@example.com", PASSWORD)


@pytest.fixture
def charlie(db):
    return User.objects.create_user("charlie", "charlie@example.com", PASSWORD)


@pytest.fixture
def facilitator(alice):
    return alice


@pytest.fixture
def outsider(charlie):
    return charlie


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def facilitator_client(alice_client):
    return alice_client


@pytest.fixture
def bob_client(bob):
    return signed_in(bob)


@pytest.fixture
def charlie_client(charlie):
    return signed_in(charlie)


@pytest.fixture
def outsider_client(charlie_client):
    return charlie_client


@pytest.fixture
def participant_client(db):
    """Returns a factory: `participant_client(participant)` is a new test client whose session
    is that participant's (what following their personal link leaves behind)."""

    def make(participant):
        client = Client()
        session = client.session
        remember_participant(session, participant)
        session.save()
        return client

    return make


# -- workshops ------------------------------------------------------------------------------


@pytest.fixture
def make_workshop(alice):
    """Returns `build_workshop` with alice as the default owner."""

    def make(owner=None, **options):
        return build_workshop(owner or alice, **options)

    return make


@pytest.fixture
def workshop(make_workshop):
    """The workshop most page tests start from: in the lobby, departments Sales and Finance,
    one challenge ("Hybrid work"), nobody yet, owned by alice. Test modules that need
    another shape override it with their own `workshop` fixture built by `make_workshop`."""
    return make_workshop(
        phase=Workshop.Phase.LOBBY, rooms=0, departments="Sales\nFinance",
        challenges=[("Hybrid work", "Decisions happen in corridors.")],
    ).workshop


@pytest.fixture
def setup(make_workshop):
    """The workshop most live tests start from: breakouts, rooms 1 and 2 with three people
    each, owned by alice; `workshop, rooms, people = setup`."""
    return make_workshop()


class CapturedEvents(list):
    """Events broadcast during a `capture_events()` block, in order, each once (as dicts)."""

    def __init__(self):
        super().__init__()
        self.groups = {}  # id(event) → the groups it went to

    def triples(self):
        """Returns [(type, rev, payload without the envelope)], the shape most tests assert."""
        envelope = {"type", "scope", "rev", "room"}
        return [
            (e["type"], e.get("rev"), {k: v for k, v in e.items() if k not in envelope})
            for e in self
        ]

    def of_type(self, event_type):
        return [event for event in self if event["type"] == event_type]


@pytest.fixture
def capture_events(django_capture_on_commit_callbacks):
    """`with capture_events() as events:` runs the block, then its on-commit callbacks, and
    records every event Roundtable broadcast, checked against its schema (live/events.py).

    Events are captured at the delivery end (`live.events.publish`), so an event of a rolled
    back transaction never appears (Zulip's capture_send_event_calls is the model).
    """

    @contextlib.contextmanager
    def capture():
        captured = CapturedEvents()

        def record(group, event):
            live_events.validate(event, ephemeral="rev" not in event)
            if id(event) not in captured.groups:
                captured.append(event)
                captured.groups[id(event)] = []
            captured.groups[id(event)].append(group)

        original = live_events.publish
        live_events.publish = record
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield captured
        finally:
            live_events.publish = original

    return capture


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup, django_db_blocker):
    """Lets PostgreSQL drop the test database at the end of the session.

    The live layer's threads (the group-commit writer, Channels' database thread) keep
    persistent connections that Django's teardown, running on the main thread, cannot close.
    """
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session", autouse=True)
def _collected_static_files():
    """Runs `collectstatic` once (under a second): pages link the content-hashed names of its
    manifest, as in production, so a template naming a missing static file fails a test."""
    call_command("collectstatic", interactive=False, verbosity=0)


# -- a real server --------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url_for_subprocess():
    """Returns a DATABASE_URL naming the *test* database that this session created."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{db['NAME']}"
    raise RuntimeError(f"no live server support for {connection.vendor}")


def _daphne_log(port):
    """Returns the file the server writes its output to (a pipe nobody reads would fill up
    and stall the server): in ROUNDTABLE_DAPHNE_LOGS when set, else in the temp folder."""
    folder = Path(os.environ.get("ROUNDTABLE_DAPHNE_LOGS") or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    return open(folder / f"roundtable-daphne-{port}.log", "w+b")  # noqa: SIM115


def start_daphne(port, extra_env=None):
    """Starts `daphne config.asgi:application` on a loopback port; returns the process."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_subprocess(),
        "ROUNDTABLE_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=(log := _daphne_log(port)),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"Daphne exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("Daphne did not start listening within 30 s")


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker, _collected_static_files):
    port = _free_port()
    with django_db_blocker.unblock():
        process = start_daphne(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


# -- a real browser -------------------------------------------------------------------------


def chromium_path():
    candidate = os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium calls home at start, and this machine's closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        reason = "no Chromium at $PLAYWRIGHT_CHROMIUM or /usr/bin/chromium "
        reason += "(apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django's ORM calls made by the
    # test itself (setting up data) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server_url):
    """Returns a factory of isolated browser contexts (separate cookies: separate people)."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(base_url=live_server_url, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in_context(new_context, live_server_url):
    """Returns a factory of browser contexts already signed in, skipping the log-in pages.

    `signed_in_context(user)` is a facilitator's browser; `signed_in_context(participant=p)`
    a participant's (as if they had followed their personal link).
    """

    def make(user=None, *, participant=None):
        context = new_context()
        context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": signed_session_key(user=user, participant=participant),
            "url": live_server_url,
        }])
        return context

    return make


@pytest.fixture
def page(new_context):
    return new_context().new_page()
