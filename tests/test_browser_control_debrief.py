"""The control room once the rooms have stopped: the phase, not frozen step clocks."""

import re

import pytest
from browser_steps import record_page_errors
from playwright.sync_api import expect

from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_control_room_in_debrief_says_the_rooms_have_stopped(
    signed_in_context, facilitator, make_workshop
):
    workshop, _rooms, _people = make_workshop(rooms=2, members=2, phase=Workshop.Phase.DEBRIEF)
    errors = []
    page = signed_in_context(facilitator).new_page()
    record_page_errors(page, errors)
    page.goto(f"/w/{workshop.join_code}/control/")
    expect(page.get_by_text(re.compile("^Debrief: the rooms have stopped"))).to_be_visible()
    expect(page.get_by_text(re.compile("rooms defining the problem"))).to_have_count(0)
    clocks = page.get_by_role("timer")
    expect(clocks).to_have_count(2)
    for index in range(2):
        expect(clocks.nth(index)).to_have_text("stopped")
    assert errors == []
