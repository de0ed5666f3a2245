"""The facilitator runs two rooms from the control room, then presents in plenary."""

import re

import pytest
from browser_steps import record_page_errors
from playwright.sync_api import expect

from breakouts.models import Note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def participant_page(new_context, participant, number, errors):
    """Signs a participant in through their personal link; they land in their room."""
    page = new_context().new_page()
    record_page_errors(page, errors)
    page.goto(participant.get_absolute_url())
    expect(page).to_have_url(re.compile(rf"/rooms/{number}/$"))
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    return page


def test_facilitator_broadcasts_times_helps_closes_and_presents(
    new_context, signed_in_context, facilitator, make_workshop
):
    workshop, rooms, people = make_workshop(rooms=2, members=2)
    Note.objects.create(room=rooms[0], step="define", text="Meetings eat our week")
    Note.objects.create(room=rooms[1], step="define", text="Nobody owns onboarding")

    errors = []
    control = signed_in_context(facilitator).new_page()
    record_page_errors(control, errors)
    control.goto(f"/w/{workshop.join_code}/control/")
    expect(control.get_by_role("heading", name="Control room")).to_be_visible()
    expect(control.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    one = participant_page(new_context, people[1][1], 1, errors)
    two = participant_page(new_context, people[2][1], 2, errors)
    members = control.get_by_role("list", name="Members of Room 1").get_by_role("listitem")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="(online)")).to_have_count(1)
    expect(control.get_by_text("Participants online: 2 / 4")).to_be_visible()

    # A broadcast reaches every room as a dismissible banner.
    control.get_by_role("button", name="Broadcast a message").click()
    broadcast = control.get_by_role("dialog", name="Broadcast a message")
    broadcast.get_by_label("Message", exact=True).fill("Five minutes to go")
    broadcast.get_by_role("button", name="Send message").click()
    expect(broadcast).to_be_hidden()
    expect(control.get_by_role("button", name="Broadcast a message")).to_be_focused()
    for page in (one, two):
        banner = page.get_by_role("status").filter(has_text="Five minutes to go").first
        expect(banner).to_be_visible()
    expect(control.get_by_role("list", name="Sent messages")).to_contain_text("Five minutes to go")
    one.get_by_role("status").filter(has_text="Five minutes to go").first.get_by_role(
        "button", name="Dismiss").click()
    expect(one.get_by_role("status").filter(has_text="Five minutes to go")).to_have_count(0)

    # A timer for all rooms: every room counts down to the same stored deadline.
    control.get_by_role("button", name="Set a timer").click()
    timer_dialog = control.get_by_role("dialog", name="Set a timer")
    timer_dialog.get_by_label("Minutes").fill("10")
    timer_dialog.get_by_label("Label").fill("Root causes")
    timer_dialog.get_by_role("button", name="Start timer").click()
    expect(timer_dialog).to_be_hidden()
    for page in (one, two):
        timer = page.get_by_role("timer", name="Root causes")
        expect(timer).to_contain_text(re.compile(r"(10:00|9:\d\d) left"))
        # Screen readers hear it once, from the room's live region (the chip stays quiet).
        expect(page.get_by_text("The facilitator started a timer: Root causes.")).to_be_attached()
    room_two = control.get_by_role("article", name="Room 2")
    expect(room_two.get_by_role("timer")).to_contain_text("left")

    # Room 1 asks for help; the facilitator sees it and acknowledges it.
    one.get_by_label("Message (optional)").fill("We are stuck on causes")
    one.get_by_role("button", name="Ask for help").click()
    help_list = control.get_by_role("list", name="Help requests", exact=True)
    expect(help_list).to_contain_text("We are stuck on causes")
    room_one = control.get_by_role("article", name="Room 1")
    expect(room_one.get_by_text("Help requested")).to_be_visible()
    one.reload()  # the page still says the request waits
    expect(one.get_by_text("Help requested — the facilitator has been told.")).to_be_visible()
    help_list.get_by_role("button", name="Acknowledge help for Room 1").click()
    expect(one.get_by_text("The facilitator is on the way.").first).to_be_visible()
    expect(two.get_by_text("The facilitator is on the way.")).to_have_count(0)  # only room 1
    expect(help_list.get_by_role("listitem")).to_have_count(0)
    expect(room_one.get_by_text("Help requested")).to_be_hidden()

    # Closing breakouts: every room sees the countdown; skipping it moves everyone.
    control.get_by_role("button", name=re.compile("Close breakouts")).click()
    expect(one.get_by_text(re.compile("Rooms close in 0:[45]\\d"))).to_be_visible()
    expect(two.get_by_text(re.compile("Rooms close in"))).to_be_visible()
    control.get_by_role("button", name=re.compile("Skip the countdown")).click()
    expect(one).to_have_url(re.compile(r"/plenary/$"))
    expect(one.get_by_text("Waiting for the facilitator to present a room.")).to_be_visible()

    # The facilitator lands on the plenary, presents room 1, then moves on with the keyboard;
    # the participant follows.
    expect(control).to_have_url(re.compile(r"/plenary/$"))
    expect(control.get_by_role("heading", name="Room 1")).to_be_visible()
    expect(one.get_by_role("heading", name="Room 1")).to_be_visible()
    expect(one.get_by_text("Meetings eat our week")).to_be_visible()
    control.keyboard.press("ArrowRight")
    expect(control.get_by_role("heading", name="Room 2")).to_be_visible()
    expect(one.get_by_role("heading", name="Room 2")).to_be_visible()
    expect(one.get_by_text("Nobody owns onboarding")).to_be_visible()
    control.keyboard.press("ArrowLeft")
    expect(one.get_by_role("heading", name="Room 1")).to_be_visible()
    assert errors == []
