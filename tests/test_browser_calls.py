"""Calls in the browser (issue: calls): a room page loads its Jitsi call from the configured
server (a stand-in on loopback), with the member's name and the room's token, under a policy
that allows exactly that server; the page keeps working when the call cannot load; the
facilitator drops into a room's call from the control room; and the plan goes out to Zoom
before breakouts start."""

import csv
import io
import re
from urllib.parse import unquote

import pytest
from django.conf import settings
from playwright.sync_api import expect
from signed_session import signed_session_key

from breakouts.models import Room
from calls.models import CallSettings, RoomCall
from tests import call_stand_in
from tests.conftest import start_daphne
from workshops.models import Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def call_server():
    server = call_stand_in.start(call_stand_in.free_port())
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def jitsi_site(django_db_setup, django_db_blocker, _collected_static_files, call_server):
    """Roundtable with JITSI_URL set to the stand-in server (its own Daphne)."""
    port = call_stand_in.free_port()
    with django_db_blocker.unblock():
        process = start_daphne(port, {"JITSI_URL": call_server})
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def visit(browser, jitsi_site):
    """Returns a factory of pages on the Jitsi-enabled site, signed in as a user or as a
    participant, recording CSP violations."""
    contexts = []

    def make(user=None, participant=None):
        session_key = signed_session_key(user=user, participant=participant)
        context = browser.new_context(base_url=jitsi_site)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": session_key, "url": jitsi_site}])
        context.add_init_script(RECORD_VIOLATIONS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def live(page):
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible(timeout=15_000)


def test_room_page_embeds_its_own_call_from_the_configured_server(
    make_workshop, visit, call_server
):
    workshop, rooms, people = make_workshop(rooms=2, members=2)
    CallSettings.objects.create(workshop=workshop, mode=CallSettings.Mode.JITSI)
    page = visit(participant=people[2][1])
    response = page.goto(rooms[1].get_absolute_url())
    policy = {
        part.split()[0]: part.split()[1:]
        for part in response.headers["content-security-policy"].split(";") if part.strip()
    }
    assert policy["script-src"] == ["'self'", call_server]
    assert policy["frame-src"] == [call_server]
    everything_else = [v for k, values in policy.items() if k not in {"script-src", "frame-src"}
                       for v in values]
    assert call_server not in everything_else
    live(page)
    call = page.get_by_role("region", name="Room 2's call")
    frame = call.locator("iframe")
    expect(frame).to_have_count(1)
    token = RoomCall.objects.get(workshop=workshop, number=2).token
    other = RoomCall.objects.filter(workshop=workshop, number=1).first()
    src = frame.get_attribute("src")
    assert src.startswith(f"{call_server}/rt-{token}#")
    assert unquote(src).endswith('userInfo.displayName="P2-1"')
    assert other is None or other.token not in page.content()
    # The call's own page loaded inside the frame (the policy let it in).
    expect(page.frame_locator("iframe").get_by_text("Stand-in call")).to_be_visible()
    expect(call.get_by_role("link", name="Open the call in a new tab")).to_have_attribute(
        "href", f'{call_server}/rt-{token}#userInfo.displayName=%22P2-1%22'
    )
    assert page.evaluate("window.__cspViolations") == []
    # Leaving and joining again works.
    call.get_by_role("button", name="Leave the call").click()
    expect(frame).to_have_count(0)
    call.get_by_role("button", name="Join the call").click()
    expect(call.locator("iframe")).to_have_count(1)


def test_the_room_keeps_working_when_the_call_cannot_load(make_workshop, visit):
    workshop, rooms, people = make_workshop(rooms=1, members=2)
    CallSettings.objects.create(workshop=workshop, mode=CallSettings.Mode.JITSI)
    page = visit(participant=people[1][0])  # the scribe
    page.route("**/external_api.js", lambda route: route.abort())
    page.goto(rooms[0].get_absolute_url())
    live(page)
    expect(page.get_by_role("alert").filter(has_text="The call could not load")).to_be_visible()
    expect(page.get_by_role("link", name="Open the call in a new tab")).to_be_visible()
    page.get_by_role("button", name="Choose: Silos").click()
    expect(page.get_by_text("Challenge: Silos")).to_be_visible()
    page.get_by_role("button", name="Next step").click()
    expect(page.get_by_role("heading", name="Root causes", level=2)).to_be_visible()


def test_facilitator_drops_into_a_rooms_call_from_the_control_room(
    make_workshop, visit, facilitator, call_server
):
    facilitator.first_name, facilitator.last_name = "Alice", "Host"
    facilitator.save()
    workshop, rooms, people = make_workshop(rooms=2, members=2)
    CallSettings.objects.create(workshop=workshop, mode=CallSettings.Mode.JITSI)
    page = visit(user=facilitator)
    page.goto(f"/w/{workshop.join_code}/control/")
    live(page)
    expect(page.locator("[data-call-frame] iframe")).to_have_count(0)  # nobody joins unasked
    page.get_by_role("button", name="Join Room 1's call").click()
    frame = page.locator("[data-call-frame] iframe")
    expect(frame).to_have_count(1)
    token = RoomCall.objects.get(workshop=workshop, number=1).token
    src = unquote(frame.get_attribute("src"))
    assert src.startswith(f"{call_server}/rt-{token}#")
    assert src.endswith('displayName="Alice Host (facilitator)"')
    page.get_by_role("button", name="Join Room 2's call").click()
    token_2 = RoomCall.objects.get(workshop=workshop, number=2).token
    expect(page.locator("[data-call-frame] iframe")).to_have_count(1)
    expect(page.locator("[data-call-frame] iframe")).to_have_attribute(
        "src", f'{call_server}/rt-{token_2}#userInfo.displayName=%22Alice%20Host%20(facilitator)%22'
    )
    assert page.evaluate("window.__cspViolations") == []


def test_plan_then_zoom_export_then_start(signed_in_context, facilitator):
    workshop = Workshop.objects.create(
        owner=facilitator, title="Virtual day", phase=Workshop.Phase.LOBBY, room_count=2,
        target_room_size=None,
    )
    workshop.add_challenge("Silos", "")
    for name, department in [
        ("Ana", "Sales"), ("Ben", "IT"), ("Cy", "Sales"), ("Di", "IT"), ("Ed", "HR")
    ]:
        Participant.objects.create(
            workshop=workshop, name=name, department=department, location="Lyon",
            email="" if name == "Ed" else f"{name.lower()}@example.com",
        )
    page = signed_in_context(facilitator).new_page()
    page.goto(f"/w/{workshop.join_code}/manage/plan/")
    exports = page.get_by_role("region", name="Carry the rooms into Zoom or Teams")
    expect(exports.get_by_role("alert")).to_contain_text("1 person has no e-mail")
    expect(exports.get_by_role("alert")).to_contain_text("Ed → Room")
    with page.expect_download() as info:
        exports.get_by_role("link", name="Zoom breakout rooms (pre-assignment CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith("zoom-breakout-rooms.csv")
    with open(download.path(), encoding="utf-8") as handle:
        table = list(csv.reader(io.StringIO(handle.read())))
    assert table[0] == ["Pre-assign Room Name", "Email Address"]
    assert len(table) == 5
    exported = {email: room for room, email in table[1:]}

    page.get_by_role("button", name="Start breakouts").click()
    page.get_by_role("dialog", name="Start breakouts").get_by_role(
        "button", name="Start breakouts"
    ).click()
    expect(page.get_by_text("Breakouts started in 2 rooms")).to_be_visible()
    started = {
        person.email: f"Room {room.number}"
        for room in Room.objects.filter(workshop=workshop).with_members()
        for person in room.members.all() if person.email
    }
    assert started == exported


def test_the_call_modes_are_big_enough_to_tap_and_jitsi_says_why_it_is_off(
    signed_in_context, facilitator, make_workshop
):
    # The default test server has no Jitsi Meet address.
    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0).workshop
    page = signed_in_context(facilitator).new_page()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/w/{workshop.join_code}/manage/calls/")
    modes = page.get_by_role("group", name="How the rooms talk")
    jitsi = modes.get_by_role("radio", name="A Jitsi Meet call built into every room")
    expect(jitsi).to_be_disabled()
    expect(jitsi).to_have_accessible_description(re.compile("^Jitsi is not available"))
    links = modes.get_by_role("radio", name="Our own meeting links, one per room")
    box = links.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    modes.get_by_text("Our own meeting links, one per room").click()
    expect(links).to_be_checked()
    links.press("ArrowDown")  # the keyboard skips the disabled option and moves on
    expect(modes.get_by_role("radio", name="Breakout rooms of one Zoom or Teams meeting")
           ).to_be_checked()
