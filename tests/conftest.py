"""Shared fixtures: the three people of every access test, and a real server for browsers.

- `facilitator` owns workshops; `outsider` is another facilitator who must see none of them.
- `live_server_url` serves the real ASGI app with Daphne in a second process, on the test
  database, so browser tests exercise HTTP and WebSockets exactly as users do.
- `browser` is Debian's Chromium driven by Playwright. Without a Chromium the browser tests
  skip with the reason; under CI (the `CI` variable set) a missing browser fails instead.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User

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


@pytest.fixture
def facilitator(db):
    return User.objects.create_user("alice", "alice@example.com", PASSWORD)


@pytest.fixture
def outsider(db):
    return User.objects.create_user("charlie", "charlie@example.com", PASSWORD)


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


@pytest.fixture
def outsider_client(db, outsider):
    from django.test import Client

    other = Client()
    other.force_login(outsider)
    return other


@pytest.fixture
def sent_events(monkeypatch):
    """Records every workshop event as (type, rev, payload) instead of broadcasting it."""
    from breakouts import events

    sent = []

    def capture(workshop, event_type, payload):
        sent.append((event_type, workshop.rev, payload))

    monkeypatch.setattr(events, "send_workshop_event", capture)
    return sent


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup, django_db_blocker):
    """Lets PostgreSQL drop the test database at the end of the session.

    The live layer's threads (the group-commit writer, Channels' database thread) keep
    persistent connections that Django's teardown, running on the main thread, cannot close.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# -- a real server --------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url_for_subprocess():
    """Returns a DATABASE_URL naming the *test* database that this session created."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    if connection.vendor == "postgresql":
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{settings['NAME']}"
    raise RuntimeError(f"no live server support for {connection.vendor}")


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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            raise RuntimeError(f"Daphne exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("Daphne did not start listening within 30 s")


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker):
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
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from workshops.access import remember_participant

    def make(user=None, *, participant=None):
        session = SessionStore()
        if user is not None:
            from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if participant is not None:
            remember_participant(session, participant)
        session.save()
        context = new_context()
        context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": session.session_key,
            "url": live_server_url,
        }])
        return context

    return make


@pytest.fixture
def page(new_context):
    return new_context().new_page()
