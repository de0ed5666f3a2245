"""A facilitator sets up a workshop and opens the lobby; two people join and see each other live."""

import re

import pytest
from browser_steps import PASSWORD, log_in
from django.contrib.auth.models import User
from playwright.sync_api import expect

from workshops.models import Challenge, Workshop
from workshops.services import import_participants

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def create_workshop_with_two_challenges(page):
    page.get_by_role("link", name="New workshop").click()
    page.get_by_label("Title").fill("Peer problem-solving day")
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Challenges")
    for count, (title, description) in enumerate(
        [("Hybrid work", "Decisions happen in corridors."), ("Handoffs", "Work waits.")], start=1
    ):
        page.get_by_label("Title").fill(title)
        page.get_by_label("Description").fill(description)
        page.get_by_role("button", name="Add challenge").click()
        heading = page.get_by_role("heading", name=re.compile(rf"^{count} challenges?$"))
        expect(heading).to_be_visible()
    page.get_by_role("link", name="Done: back to the workshop").click()


def open_lobby(page):
    page.get_by_role("button", name="Open the lobby").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Participants can join")
    dialog.get_by_role("button", name="Open the lobby").click()
    phases = page.get_by_role("region", name="Run the workshop").get_by_role("list", name="Phases")
    expect(phases).to_contain_text("Lobby (current phase)")
    invite = page.get_by_role("region", name="Invite participants")
    return invite.get_by_role("definition").first.inner_text().strip()


def join(page, code, name, department, location):
    page.goto("/join/")
    page.get_by_label("Join code").fill(code.lower())
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Department").fill(department)
    page.get_by_label("Location").fill(location)
    page.get_by_role("button", name="Join the workshop").click()
    expect(page.get_by_role("heading", name=f"Welcome, {name}!")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible()


def test_two_participants_join_and_everyone_sees_the_lobby_fill_live(new_context):
    User.objects.create_user("dana", "dana@example.com", PASSWORD)
    facilitator = new_context().new_page()
    log_in(facilitator, "dana")
    create_workshop_with_two_challenges(facilitator)
    code = open_lobby(facilitator)
    expect(facilitator.get_by_role("status").filter(has_text="Connected")).to_be_visible()

    ana = new_context().new_page()
    join(ana, code, "Ana", "Sales", "Lyon")
    lobby = ana.get_by_role("region", name=re.compile("^Who is here"))
    expect(ana.get_by_text("Hybrid work")).to_be_visible()
    expect(ana.get_by_text("Handoffs")).to_be_visible()

    ben = new_context().new_page()
    join(ben, code, "Ben", "sales ", "Toronto")

    # Ana's page learns about Ben without a reload; Ben's lobby shows Ana.
    expect(lobby.get_by_text("Ben", exact=True)).to_be_visible()
    expect(lobby.get_by_role("heading", name="Who is here 2")).to_be_visible()
    expect(lobby.get_by_role("list", name="By department")).to_contain_text("Sales 2")
    ben_lobby = ben.get_by_role("region", name=re.compile("^Who is here"))
    expect(ben_lobby.get_by_text("Ana", exact=True)).to_be_visible()

    # A change on Ana's side reaches Ben live as well.
    ana.get_by_role("link", name="Edit my details").click()
    ana.get_by_label("Your name").fill("Ana Maria")
    ana.get_by_role("button", name="Save").click()
    expect(ben_lobby.get_by_text("Ana Maria", exact=True)).to_be_visible()

    # The facilitator's roster filled in while the page stayed open.
    roster = facilitator.get_by_role("region", name=re.compile("^Participants"))
    expect(roster.get_by_role("cell", name="Ana Maria", exact=True)).to_be_visible()
    expect(roster.get_by_role("cell", name="Ben", exact=True)).to_be_visible()
    expect(roster.get_by_role("heading", name="Participants 2")).to_be_visible()
    expect(roster.get_by_role("list", name="By location")).to_contain_text("Toronto 1")


def test_an_invited_person_appears_in_the_lobby_when_they_open_their_link(new_context):
    owner = User.objects.create_user("dana", "dana@example.com", PASSWORD)
    workshop = Workshop.objects.create(owner=owner, title="Peer day", phase=Workshop.Phase.LOBBY)
    Challenge.objects.create(workshop=workshop, title="Hybrid work")
    (ivy,) = import_participants(workshop, [
        {"name": "Ivy", "email": "ivy@example.com", "department": "IT", "location": "Oslo"},
    ])
    facilitator = new_context().new_page()
    log_in(facilitator, "dana")
    facilitator.goto(workshop.get_absolute_url())
    roster = facilitator.get_by_role("region", name=re.compile("^Participants"))
    expect(roster.get_by_role("heading", name="Invited, not here yet: 1")).to_be_visible()
    expect(roster.get_by_role("cell", name="Ivy", exact=True)).to_have_count(0)
    expect(facilitator.get_by_role("status").filter(has_text="Connected")).to_be_visible()

    ana = new_context().new_page()
    join(ana, workshop.join_code, "Ana", "Sales", "Lyon")
    lobby = ana.get_by_role("region", name=re.compile("^Who is here"))
    expect(lobby.get_by_role("heading", name="Who is here 1")).to_be_visible()
    expect(lobby.get_by_text("Ivy", exact=True)).to_have_count(0)

    # Ivy opens her personal link: she is announced as someone who joined, live.
    ivy_page = new_context().new_page()
    ivy_page.goto(ivy.get_absolute_url())
    expect(ivy_page.get_by_role("heading", name="Welcome, Ivy!")).to_be_visible()
    expect(lobby.get_by_text("Ivy", exact=True)).to_be_visible()
    expect(lobby.get_by_role("heading", name="Who is here 2")).to_be_visible()
    expect(roster.get_by_role("cell", name="Ivy", exact=True)).to_be_visible()
    expect(roster.get_by_role("heading", name="Invited, not here yet: 1")).to_have_count(0)
