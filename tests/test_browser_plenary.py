"""The presenter moves between the rooms' report-outs; only the chosen room is on stage."""

import re

import pytest
from browser_steps import record_page_errors
from playwright.sync_api import expect

from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM_HEADING = re.compile(r"Room \d")


def test_next_room_shows_only_that_room_while_the_one_after_is_prefetched(
    signed_in_context, facilitator, make_workshop
):
    workshop, rooms, people = make_workshop(rooms=3, members=2, phase=Workshop.Phase.PLENARY)
    errors = []
    page = signed_in_context(facilitator).new_page()
    record_page_errors(page, errors)
    page.goto(f"/w/{workshop.join_code}/plenary/")
    stage_headings = page.get_by_role("heading", name=ROOM_HEADING)
    expect(stage_headings).to_have_count(1)
    expect(stage_headings).to_contain_text("Room 1")
    # Room 2 comes ahead of time; it waits off stage.
    expect(page.locator('[data-plenary-room="2"]')).to_be_attached()
    expect(stage_headings).to_have_count(1)

    page.get_by_role("button", name="Next room").click()
    expect(page.get_by_role("button", name="Room 2", exact=True)).to_have_attribute(
        "aria-current", "true")
    # Room 3 is fetched ahead once Room 2 is up: it must stay hidden.
    expect(page.locator('[data-plenary-room="3"]')).to_be_attached()
    expect(stage_headings).to_have_count(1)
    expect(stage_headings).to_contain_text("Room 2")

    page.get_by_role("button", name="Next room").click()
    expect(stage_headings).to_contain_text("Room 3")
    expect(stage_headings).to_have_count(1)
    assert errors == []
