"""Six people join; the facilitator plans two mixed rooms; everyone's page moves to their room."""

import re

import pytest
from browser_steps import PASSWORD, join, log_in
from django.contrib.auth.models import User
from playwright.sync_api import expect

from breakouts.models import Room
from workshops.models import Challenge, Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ana", "Sales", "Lyon"), ("Ben", "Sales", "Toronto"), ("Cy", "Finance", "Lyon"),
    ("Di", "Finance", "Toronto"), ("Ed", "Operations", "Lyon"), ("Flo", "Operations", "Toronto"),
]


def test_facilitator_plans_two_mixed_rooms_and_everyone_lands_in_theirs(new_context):
    owner = User.objects.create_user("dana", "dana@example.com", PASSWORD)
    workshop = Workshop.objects.create(
        owner=owner, title="Mixing day", phase=Workshop.Phase.LOBBY,
        departments="Sales\nFinance\nOperations", locations="Lyon\nToronto",
        room_count=3, target_room_size=None,
    )
    Challenge.objects.create(workshop=workshop, title="Retention")

    participants = {}
    for name, department, location in PEOPLE:
        page = new_context().new_page()
        join(page, workshop.join_code, name, department, location)
        participants[name] = page

    # Each lobby keeps its page and its socket when it becomes the room (static/js/page_swap.js).
    sockets = {name: [] for name in participants}
    for name, page in participants.items():
        page.evaluate("window.lobbyPageStillHere = true")
        page.on("websocket", lambda ws, name=name: sockets[name].append(ws.url))

    facilitator = new_context().new_page()
    log_in(facilitator, "dana")
    facilitator.goto(f"/w/{workshop.join_code}/manage/plan/")

    facilitator.get_by_label("Number of rooms").fill("2")
    facilitator.get_by_role("button", name="Reshuffle (new random rooms)").click()
    headline = facilitator.get_by_role("region", name="How mixed the rooms are")
    expect(headline).to_contain_text("Departments: as mixed as possible")
    expect(headline).to_contain_text("Locations: as mixed as possible")
    cards = facilitator.get_by_role("region", name="Rooms", exact=True).get_by_role("article")
    expect(cards).to_have_count(2)
    for index in range(2):
        expect(cards.nth(index)).to_contain_text("3 people · 3 departments · 2 locations")

    # The keyboard-usable move control works as well as drag and drop.
    ana_card = cards.filter(has_text="Ana")
    ana_room = ana_card.get_by_role("heading").inner_text().removeprefix("Room ")
    other = "1" if ana_room == "2" else "2"
    move_ana = facilitator.get_by_role("button", name="Move Ana", exact=True)
    move_ana.focus()
    facilitator.keyboard.press("Enter")
    dialog = facilitator.get_by_role("dialog", name="Move Ana")
    expect(dialog.get_by_label("To room")).to_be_focused()
    expect(dialog.get_by_label("To room")).to_have_value(ana_room)
    dialog.get_by_label("To room").select_option(other)
    dialog.get_by_role("button", name="Move", exact=True).click()
    expect(facilitator.get_by_text("Ana moved to room")).to_be_visible()
    expect(facilitator.get_by_role("article", name=f"Room {other}")).to_contain_text("Ana")
    facilitator.get_by_role("button", name="Reshuffle (new random rooms)").click()
    for index in range(2):
        expect(cards.nth(index)).to_contain_text("3 people · 3 departments · 2 locations")

    facilitator.get_by_role("button", name="Start breakouts").click()
    facilitator.get_by_role("dialog", name="Start breakouts").get_by_role(
        "button", name="Start breakouts"
    ).click()
    expect(facilitator.get_by_text("Breakouts started in 2 rooms")).to_be_visible()

    rooms = {room.number: room for room in Room.objects.filter(workshop=workshop).with_members()}
    assert len(rooms) == 2
    for room in rooms.values():
        assert {m.department for m in room.members.all()} == {"Sales", "Finance", "Operations"}
    for name, page in participants.items():
        room = next(r for r in rooms.values() if name in {m.name for m in r.members.all()})
        expect(page).to_have_url(re.compile(rf"/w/{workshop.join_code}/rooms/{room.number}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Room {room.number}")
        members = page.get_by_role("region", name="Members", exact=True)
        for mate in room.members.all():
            expect(members).to_contain_text(mate.name)
            expect(members).to_contain_text(f"{mate.department} · {mate.location}")
        scribe = page.get_by_role("region", name="Scribe", exact=True)
        if room.scribe.name == name:
            expect(scribe).to_contain_text("You are the scribe")
        else:
            expect(scribe).to_contain_text(room.scribe.name)
        expect(page).to_have_title(re.compile(rf"^Room {room.number} · Mixing day"))
        expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible()
        assert page.evaluate("window.lobbyPageStillHere") is True, f"{name}'s page was reloaded"
        assert sockets[name] == [], f"{name}'s page opened a new socket: {sockets[name]}"
    expect(participants["Ana"].get_by_role("heading", level=1)).to_be_focused()

    # The rooms are live on the socket the lobby opened: the scribe writes, the room sees it,
    # and a member adds a root cause that everyone sees.
    room = rooms[1]
    names = [m.name for m in room.members.all()]
    scribe_page = participants[room.scribe.name]
    member_page = participants[next(n for n in names if n != room.scribe.name)]
    scribe_page.get_by_role("textbox", name="Scribe's notes").fill("Only new hires leave early")
    expect(member_page.get_by_role("region", name="Scribe's notes")).to_have_text(
        "Only new hires leave early")
    scribe_page.get_by_role("button", name="Next step").click()
    expect(member_page.get_by_role("heading", level=2, name="Root causes")).to_be_visible()
    member_page.get_by_role("textbox", name="Root cause").fill("No onboarding buddy")
    member_page.get_by_role("button", name="Add root cause").click()
    for page in (scribe_page, member_page):
        expect(page.get_by_role("list", name="Root causes")).to_contain_text("No onboarding buddy")
    # A reload shows the same room, drawn by the server.
    member_page.reload()
    expect(member_page.get_by_role("list", name="Root causes")).to_contain_text(
        "No onboarding buddy")


def test_facilitator_keeps_two_people_together_and_moves_them_as_one(new_context):
    owner = User.objects.create_user("dana", "dana@example.com", PASSWORD)
    workshop = Workshop.objects.create(
        owner=owner, title="Mixing day", phase=Workshop.Phase.LOBBY, room_count=2,
        target_room_size=None,
    )
    for name, department, location in PEOPLE:
        Participant.objects.create(
            workshop=workshop, name=name, department=department, location=location
        )
    facilitator = new_context().new_page()
    log_in(facilitator, "dana")
    facilitator.goto(f"/w/{workshop.join_code}/manage/plan/")
    pairs = facilitator.get_by_role("region", name="Keep apart or together")
    pairs.get_by_label("Person", exact=True).select_option(label="Ana (Sales, Lyon)")
    pairs.get_by_label("and person").select_option(label="Ben (Sales, Toronto)")
    pairs.get_by_role("button", name="Keep these two together").click()
    # As they were, or after a redraw: either way the page says they share a room.
    expect(facilitator.get_by_text(re.compile("Ana and Ben share a room"))).to_be_visible()
    expect(facilitator.get_by_role("list", name="Pairs kept together")).to_contain_text(
        "Ana + Ben"
    )
    rooms = facilitator.get_by_role("region", name="Rooms", exact=True)
    ana_card = rooms.get_by_role("article").filter(has_text="Ana")
    expect(ana_card).to_contain_text("Ben")
    ana_room = ana_card.get_by_role("heading").inner_text().removeprefix("Room ")
    other = "1" if ana_room == "2" else "2"
    facilitator.get_by_role("button", name="Move Ana", exact=True).click()
    dialog = facilitator.get_by_role("dialog", name="Move Ana")
    dialog.get_by_label("To room").select_option(other)
    dialog.get_by_role("button", name="Move", exact=True).click()
    expect(facilitator.get_by_text(f"Ana moved to room {other}, with Ben (kept together).")
           ).to_be_visible()
    moved = facilitator.get_by_role("article", name=f"Room {other}")
    expect(moved).to_contain_text("Ana")
    expect(moved).to_contain_text("Ben")
