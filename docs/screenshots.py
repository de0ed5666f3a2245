"""Takes the README's screenshots (docs/screenshots/*.png) of a running server.

    PORT=8108 make run                       # in one terminal (DEBUG=1, var/roundtable.sqlite3)
    DEBUG=1 .venv/bin/python docs/screenshots.py http://127.0.0.1:8108

It adds a workshop per phase (owned by the demo facilitator) to the same database, signs in
with session cookies, and saves desktop (1280 px) and phone (360 px) views as small PNGs.

With JITSI_URL=http://127.0.0.1:<port> given to both the server and this script, it also
takes the calls' screenshots; it then serves a stand-in call server on that port
(tests/call_stand_in.py), as no Jitsi Meet server runs on a development machine.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM runs beside Playwright's loop

import django  # noqa: E402

django.setup()

import call_stand_in  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from report_helpers import make_workshop  # noqa: E402
from signed_session import signed_session_key  # noqa: E402

from breakouts.models import HelpRequest, Room  # noqa: E402
from calls.models import CallSettings  # noqa: E402
from workshops.models import Workshop  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def cookie(base, user=None, participant=None):
    key = signed_session_key(user=user, participant=participant)
    return {"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}


def main(base):
    OUT.mkdir(parents=True, exist_ok=True)
    demo = User.objects.get(username="demo")
    running = make_workshop(demo, rooms=4, per_room=3, phase=Workshop.Phase.BREAKOUTS,
                            title="Leadership offsite")
    rooms = list(Room.objects.filter(workshop=running).order_by("number"))
    for room, step in zip(rooms, ["define", "root_causes", "alternatives", "selection"],
                          strict=True):
        Room.objects.filter(pk=room.pk).update(step=step)
    HelpRequest.objects.create(room=rooms[1], participant=rooms[1].members.first(),
                               message="Stuck on causes")
    closed = make_workshop(demo, phase=Workshop.Phase.CLOSED, title="Spring offsite")
    voter = rooms[3].members.exclude(pk=rooms[3].scribe_id).first()
    code = running.join_code
    shots = [
        ("dashboard", demo, None, f"/w/{code}/manage/", 1280),
        ("control-room", demo, None, f"/w/{code}/control/", 1280),
        ("room-desktop", None, rooms[1].scribe, rooms[1].get_absolute_url(), 1280),
        ("room-phone", None, rooms[1].members.exclude(pk=rooms[1].scribe_id).first(),
         rooms[1].get_absolute_url(), 360),
        ("voting-phone", None, voter, rooms[3].get_absolute_url(), 360),
        ("scribe-phone", None, rooms[2].scribe, rooms[2].get_absolute_url(), 360),
        ("report", demo, None, f"/w/{closed.join_code}/report/", 1280),
        ("report-phone", demo, None, f"/w/{closed.join_code}/report/", 360),
        ("dashboard-phone", demo, None, f"/w/{code}/manage/", 360),
        ("not-your-room", None, voter, rooms[0].get_absolute_url(), 360),
    ]
    if settings.JITSI_URL:
        shots += call_shots(demo)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        for name, user, participant, url, width in shots:
            context = browser.new_context(
                base_url=base, viewport={"width": width, "height": 800 if width > 400 else 740},
                device_scale_factor=1,
            )
            context.add_cookies([cookie(base, user, participant)])
            page = context.new_page()
            page.goto(url)
            page.wait_for_timeout(1200)
            if name == "control-room-call":
                page.get_by_role("button", name="Join Room 2's call").click()
                page.wait_for_timeout(800)
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path))
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
            context.close()
        browser.close()


def call_shots(demo):
    """Returns the calls' screenshots: a room with its Jitsi call, a room with its own link,
    the control room in a room's call, and the calls page; starts the stand-in call server."""
    call_stand_in.start(int(settings.JITSI_URL.rsplit(":", 1)[1]))
    virtual = make_workshop(demo, rooms=3, per_room=3, phase=Workshop.Phase.BREAKOUTS,
                            title="Virtual leadership day")
    CallSettings.objects.create(workshop=virtual, mode=CallSettings.Mode.JITSI)
    linked = make_workshop(demo, rooms=2, per_room=3, phase=Workshop.Phase.BREAKOUTS,
                           title="Regional managers")
    CallSettings.objects.create(workshop=linked, mode=CallSettings.Mode.LINKS,
                                link_pattern="https://zoom.example.com/j/8812{room}")
    room = Room.objects.filter(workshop=virtual, number=2).first()
    member = room.members.exclude(pk=room.scribe_id).first()
    linked_room = Room.objects.filter(workshop=linked, number=1).first()
    return [
        ("room-call-desktop", None, room.scribe, room.get_absolute_url(), 1280),
        ("room-call-phone", None, member, room.get_absolute_url(), 360),
        ("room-link-phone", None, linked_room.members.first(), linked_room.get_absolute_url(),
         360),
        ("control-room-call", demo, None, f"/w/{virtual.join_code}/control/", 1280),
        ("calls-settings", demo, None, f"/w/{linked.join_code}/manage/calls/", 1280),
    ]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8108")
