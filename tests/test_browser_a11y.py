"""Every page in every main state, checked with axe-core (WCAG 2.2 A and AA rules) at 1280 px
and 320 px: no violations, and nothing scrolls sideways on a phone.

axe-core is vendored in static/vendor/axe-core-*/ (MPL-2.0, licence beside it) and evaluated
in the page by Playwright, so the page's own Content Security Policy does not apply to it.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from report_helpers import make_workshop as make_finished_workshop
from workshop_builder import build_workshop as make_room_workshop

from breakouts.models import Room
from calls.models import CallSettings
from workshops.models import Attribute, Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = next(Path(__file__).resolve().parent.parent.glob("static/vendor/axe-core-*/axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
Phase = Workshop.Phase


def axe_violations(page):
    """Returns ["rule-id (impact): target, …"] for every violation axe finds on the page."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in result["violations"]
    ]


WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > innerWidth + 1 && ![...el.children].some(
        (c) => c.getBoundingClientRect().right > innerWidth + 1)) {
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")}#${el.id}`);
    }
  }
  return out.slice(0, 3);
}"""


def sideways_scroll(page):
    """Returns (scroll width, viewport width, the innermost elements sticking out)."""
    scroll, inner = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    return scroll, inner, page.evaluate(WIDEST) if scroll > inner else []


def pages_to_check(facilitator):
    """Returns [(who, label, url, ready text or None)]; who is None (anonymous), the
    facilitator, or a participant. Every workshop phase and every room step is covered."""
    lobby = Workshop.objects.create(title="Lobby day", owner=facilitator, phase=Phase.LOBBY)
    lobby.add_challenge("Silos", "Teams work apart")
    level = Attribute.objects.create(workshop=lobby, label="Level", choices="Manager\nDirector")
    waiting = [
        Participant.objects.create(workshop=lobby, name=name, department="Sales",
                                   location="Oslo", attributes={"level": value})
        for name, value in (("Ada", "Manager"), ("Bo", "Director"), ("Cy", "Manager"))
    ]
    running, rooms, people = make_room_workshop(facilitator, rooms=2, members=3)
    # The rooms roster with an attribute and our own links (a long link must wrap).
    Attribute.objects.create(workshop=running, label="Team", kind="text", required=False)
    CallSettings.objects.create(
        workshop=running, mode=CallSettings.Mode.LINKS,
        link_pattern="https://meet.example.com/a-rather-long-meeting-name-for-room-{room}",
    )
    steps = ["define", "root_causes", "alternatives", "selection", "plan"]
    finished = {
        phase: make_finished_workshop(facilitator, phase=phase, title=f"Offsite {phase}")
        for phase in (Phase.BREAKOUTS, Phase.PLENARY, Phase.DEBRIEF, Phase.CLOSED)
    }
    member = {
        phase: w.participants.order_by("pk").first() for phase, w in finished.items()
    }
    code = {phase: w.join_code for phase, w in finished.items()}
    checks = [
        (None, "home", "/", None),
        (None, "join", "/join/", None),
        (None, "join form", f"/join/{lobby.join_code}/", None),
        (None, "log in", "/accounts/login/", None),
        (None, "sign up", "/accounts/signup/", None),
        (None, "not found", "/w/NOPE/lobby/", None),
        (facilitator, "my workshops", "/workshops/", None),
        (facilitator, "new workshop", "/workshops/new/", None),
        (facilitator, "dashboard (lobby)", f"/w/{lobby.join_code}/manage/", None),
        (facilitator, "challenges", f"/w/{lobby.join_code}/manage/challenges/", None),
        (facilitator, "attributes", f"/w/{lobby.join_code}/manage/attributes/", None),
        (facilitator, "attribute", f"/w/{lobby.join_code}/manage/attributes/{level.pk}/edit/",
         None),
        (facilitator, "invite screen", f"/w/{lobby.join_code}/manage/invite/", None),
        (facilitator, "roster import", f"/w/{lobby.join_code}/manage/roster/import/", None),
        (facilitator, "plan", f"/w/{lobby.join_code}/manage/plan/", None),
        (facilitator, "calls", f"/w/{lobby.join_code}/manage/calls/", None),
        (facilitator, "rooms roster", f"/w/{running.join_code}/manage/calls/rooms/", None),
        (waiting[0], "participant lobby", f"/w/{lobby.join_code}/lobby/", None),
        (facilitator, "dashboard (breakouts)", f"/w/{running.join_code}/manage/", None),
        (facilitator, "control room", f"/w/{running.join_code}/control/", "Connected"),
        (facilitator, "control room (finished rooms)", f"/w/{code['breakouts']}/control/",
         "Connected"),
        (facilitator, "control room (debrief)", f"/w/{code['debrief']}/control/",
         "Connected"),
        (facilitator, "plenary (presenter)", f"/w/{code['plenary']}/plenary/", None),
        (member["plenary"], "plenary (participant)", f"/w/{code['plenary']}/plenary/", None),
        (facilitator, "dashboard (debrief)", f"/w/{code['debrief']}/manage/", None),
        (facilitator, "debrief results", f"/w/{code['debrief']}/debrief/results/", None),
        (member["debrief"], "debrief form", f"/w/{code['debrief']}/debrief/", None),
        (facilitator, "dashboard (closed)", f"/w/{code['closed']}/manage/", None),
        (facilitator, "report", f"/w/{code['closed']}/report/", None),
        (facilitator, "action tracker", f"/w/{code['closed']}/actions/", None),
        (facilitator, "network (facilitator)", f"/w/{code['closed']}/network/", None),
        (member["closed"], "my actions", f"/w/{code['closed']}/my-actions/", None),
        (member["closed"], "network", f"/w/{code['closed']}/network/", None),
        (people[2][1], "another group's room", rooms[0].get_absolute_url(), None),
    ]
    # A fresh room at its first step, then a worked room at every step.
    checks.append((people[1][1], "room: choose a challenge", rooms[0].get_absolute_url(),
                   "Connected"))
    worked = Room.objects.filter(workshop=finished[Phase.BREAKOUTS]).order_by("number")[0]
    scribe = worked.scribe
    viewer = worked.members.exclude(pk=scribe.pk).order_by("pk").first()
    for step in steps:
        checks.append(((worked, step), f"room step {step} (scribe)", scribe, "Connected"))
        checks.append(((worked, step), f"room step {step} (member)", viewer, "Connected"))
    return checks


def visit(signed_in_context, contexts, who, url, width):
    key = (who, width)
    if key not in contexts:
        user = who if who is not None and not isinstance(who, Participant) else None
        participant = who if isinstance(who, Participant) else None
        context = signed_in_context(user, participant=participant)
        context.set_default_timeout(15_000)
        contexts[key] = context.new_page()
        contexts[key].set_viewport_size({"width": width, "height": 800})
    page = contexts[key]
    page.goto(url)
    return page


@pytest.mark.parametrize("width", [1280, 768, 320])
def test_every_page_has_no_axe_violations_and_fits_the_screen(
    signed_in_context, facilitator, width
):
    found, sideways = {}, {}
    pages = {}
    for who, label, target, ready in pages_to_check(facilitator):
        if isinstance(who, tuple):  # a room at a given step, seen by `target`
            room, step = who
            Room.objects.filter(pk=room.pk).update(step=step)
            who, url = target, room.get_absolute_url()
        else:
            url = target
        page = visit(signed_in_context, pages, who, url, width)
        if ready:
            expect(page.get_by_role("status").filter(has_text=ready).first).to_be_visible()
        page.wait_for_timeout(150)
        violations = axe_violations(page)
        if violations:
            found[label] = violations
        scroll_width, inner_width, culprits = sideways_scroll(page)
        if scroll_width > inner_width:
            sideways[label] = f"{scroll_width} > {inner_width} ({', '.join(culprits)})"
    count = sum(len(v) for v in found.values())
    report = "\n".join(f"{label}: {v}" for label, items in found.items() for v in items)
    assert not found and not sideways, (
        f"{count} axe violations at {width} px:\n{report}\n"
        f"{len(sideways)} pages scroll sideways at {width} px: {sideways}"
    )


MAIN_ACTION = {
    "define": ("textbox", "Scribe's notes"),
    "root_causes": ("textbox", "Root cause"),
    "alternatives": ("textbox", "Alternative"),
    "selection": ("button", "Add a vote to Buddy system 1"),
    "plan": ("textbox", "Task"),
}


def test_the_task_is_above_the_fold_on_a_small_phone(signed_in_context, facilitator):
    # 320 × 568 (the smallest phone in use): each step's main action is visible without
    # scrolling, for the scribe (the note while defining) and for a member.
    workshop = make_finished_workshop(facilitator, rooms=1, phase=Phase.BREAKOUTS)
    room = Room.objects.get(workshop=workshop)
    member = room.members.exclude(pk=room.scribe_id).first()
    below = {}
    for who, person in (("scribe", room.scribe), ("member", member)):
        page = signed_in_context(participant=person).new_page()
        page.set_viewport_size({"width": 320, "height": 568})
        for step, (role, name) in MAIN_ACTION.items():
            if step == "define" and who == "member":
                role = "region"
            Room.objects.filter(pk=room.pk).update(step=step)
            page.goto(room.get_absolute_url())
            expect(page.get_by_role("status").filter(has_text="Connected").first).to_be_visible()
            target = page.get_by_role(role, name=name, exact=True).first
            box = target.bounding_box()
            if box is None or box["y"] + min(box["height"], 40) > 568:
                below[f"{who} at {step}"] = box and round(box["y"])
    assert not below, f"main action below the fold at 320 × 568: {below}"


def test_a_phone_shows_where_the_participant_is_beside_a_long_workshop_title(
    signed_in_context, facilitator
):
    workshop = make_finished_workshop(facilitator, rooms=1, phase=Phase.BREAKOUTS)
    workshop.__class__.objects.filter(pk=workshop.pk).update(
        title="Leadership offsite for the whole operations and finance management team"
    )
    room = Room.objects.get(workshop=workshop)
    page = signed_in_context(participant=room.scribe).new_page()
    page.set_viewport_size({"width": 320, "height": 568})
    page.goto(room.get_absolute_url())
    place = page.get_by_role("navigation", name="Workshop").get_by_text(room.name, exact=True)
    expect(place).to_be_visible()
    box = place.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
