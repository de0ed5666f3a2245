"""The keyboard-only path: join → room → add a root cause → vote → become the scribe and
write. Focus moves by Tab only, actions are Enter/Space, and after every action and every live
change made by someone else the focus is still on a control (never on <body>)."""

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from breakouts import services
from breakouts.models import Room
from workshops.models import Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_KEPT = "() => document.activeElement && document.activeElement !== document.body"


def tab_to(page, locator, limit=80):
    """Presses Tab until `locator` has the focus; fails if it is not reachable."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{locator} cannot be reached with Tab")


def assert_focus_kept(page, where):
    assert page.evaluate(FOCUS_KEPT), f"focus fell to <body> {where}"


def test_keyboard_only_path_never_loses_focus(new_context, signed_in_context, facilitator):
    workshop = Workshop.objects.create(
        title="Keys", owner=facilitator, phase=Workshop.Phase.LOBBY, room_count=1
    )
    workshop.add_challenge("Silos", "Teams work apart")
    bo = Participant.objects.create(workshop=workshop, name="Bo", department="IT",
                                    location="Oslo")

    # Join with the keyboard.
    ada = new_context().new_page()
    ada.goto("/join/")
    tab_to(ada, ada.get_by_label("Join code"))
    ada.keyboard.type(workshop.join_code.lower())
    ada.keyboard.press("Enter")
    tab_to(ada, ada.get_by_label("Your name"))
    ada.keyboard.type("Ada")
    tab_to(ada, ada.get_by_label("Department"))
    ada.keyboard.type("Sales")
    tab_to(ada, ada.get_by_label("Location"))
    ada.keyboard.type("Lima")
    ada.keyboard.press("Enter")
    expect(ada.get_by_role("heading", name="Welcome, Ada!")).to_be_visible()

    # Breakouts start; Bo scribes and moves the room to the root causes.
    with transaction.atomic():
        services.start_breakouts(workshop)
    room = Room.objects.get(workshop=workshop)
    Room.objects.filter(pk=room.pk).update(scribe=bo)
    ada.reload()  # the lobby sends her to her room
    expect(ada).to_have_url(re.compile(r"/rooms/1/$"))
    expect(ada.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    scribe = signed_in_context(participant=bo).new_page()
    scribe.goto(room.get_absolute_url())
    expect(scribe.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    scribe.get_by_role("button", name="Choose: Silos").click()
    scribe.get_by_role("button", name="Next step").click()
    expect(ada.get_by_role("heading", name="Root causes", level=2)).to_be_visible()

    # Add a root cause; the focus stays in the form, ready for the next one.
    tab_to(ada, ada.get_by_label("Root cause", exact=True))
    ada.keyboard.type("Nobody owns the handover")
    ada.keyboard.press("Enter")
    causes = ada.get_by_role("list", name="Root causes")
    expect(causes).to_contain_text("Nobody owns the handover")
    assert_focus_kept(ada, "after adding a root cause")

    # Half-typed, the scribe moves on: Ada keeps her text and her focus, sends it, then follows.
    cause = ada.get_by_label("Root cause", exact=True)
    tab_to(ada, cause)
    ada.keyboard.type("Forms on paper")
    scribe.get_by_role("button", name="Next step").click()
    follow = ada.get_by_role("button", name="Go to the room's step: Alternative solutions")
    expect(follow).to_be_visible()
    expect(cause).to_have_value("Forms on paper")
    expect(cause).to_be_focused()
    ada.keyboard.press("Enter")
    expect(causes).to_contain_text("Forms on paper")
    assert_focus_kept(ada, "after adding a cause to a step the room has left")
    tab_to(ada, follow)
    ada.keyboard.press("Enter")
    expect(ada.get_by_role("heading", name="Alternative solutions", level=2)).to_be_visible()
    assert_focus_kept(ada, "after following the room to its step")
    for text in ("Handover checklist", "Shared channel"):
        scribe.get_by_label("Alternative", exact=True).fill(text)
        scribe.get_by_role("button", name="Add alternative").click()
    expect(ada.get_by_role("list", name="Alternatives").get_by_role("listitem")).to_have_count(2)
    scribe.get_by_role("button", name="Next step").click()
    expect(ada.get_by_role("heading", name="Select a solution", level=2)).to_be_visible()
    assert_focus_kept(ada, "when the room moved to voting")

    # Vote with the keyboard; another member's vote does not move the focus either.
    add_vote = ada.get_by_role("button", name="Add a vote to Handover checklist")
    tab_to(ada, add_vote)
    ada.keyboard.press("Enter")
    expect(ada.get_by_text(re.compile("You have 2 of 3 votes left"))).to_be_visible()
    expect(add_vote).to_be_focused()
    scribe.get_by_role("button", name="Add a vote to Shared channel").click()
    expect(ada.get_by_text("2 of 2 have voted")).to_be_visible()
    expect(add_vote).to_be_focused()

    # Bo hands the scribe role over; Ada accepts with the keyboard and writes.
    scribe.get_by_label("Hand the scribe role to").select_option(label="Ada")
    scribe.get_by_role("button", name="Offer").click()
    accept = ada.get_by_role("button", name="Become the scribe")
    tab_to(ada, accept)
    ada.keyboard.press("Enter")
    expect(ada.get_by_text("You are the scribe.")).to_be_visible()
    assert_focus_kept(ada, "after becoming the scribe")
    notes = ada.get_by_role("textbox", name="Scribe's notes")
    tab_to(ada, notes)
    ada.keyboard.type("We pick the checklist")
    expect(scribe.get_by_role("region", name="Scribe's notes")).to_have_text(
        "We pick the checklist"
    )
    expect(notes).to_be_focused()
