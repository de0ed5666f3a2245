"""A facilitator runs a whole workshop without typing a URL: from "My workshops" through the
dashboard's next step in every phase, each phase change landing on the page of the new phase."""

import re

import pytest
from playwright.sync_api import expect

from workshops.models import Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def confirm(page, action):
    page.get_by_role("button", name=action, exact=True).click()
    page.get_by_role("dialog", name=action).get_by_role("button", name=action).click()


def test_a_facilitator_runs_a_workshop_by_following_the_next_step(
    signed_in_context, facilitator
):
    workshop = Workshop.objects.create(title="Journey day", owner=facilitator,
                                       phase=Workshop.Phase.LOBBY, room_count=1)
    workshop.add_challenge("Silos", "Teams work apart")
    for name, department in (("Ada", "Sales"), ("Bo", "IT")):
        Participant.objects.create(workshop=workshop, name=name, department=department,
                                   location="Oslo")
    code = workshop.join_code
    page = signed_in_context(facilitator).new_page()
    page.goto("/workshops/")  # the only address typed: the facilitator's home

    page.get_by_role("link", name="Journey day").click()
    phases = page.get_by_role("list", name="Phases")
    expect(phases).to_contain_text("Lobby (current phase)")
    page.get_by_role("link", name="Plan the rooms").click()
    confirm(page, "Start breakouts")
    expect(page).to_have_url(re.compile(rf"/w/{code}/control/$"))
    workshop_pages = page.get_by_role("navigation", name="Workshop pages")
    expect(workshop_pages.get_by_role("link", name="Report")).to_have_count(0)

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Open the control room").click()
    page.get_by_role("button", name=re.compile("Close breakouts")).click()
    page.get_by_role("button", name=re.compile("Skip the countdown")).click()
    expect(page).to_have_url(re.compile(rf"/w/{code}/plenary/$"))

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("link", name="Present the rooms")).to_be_visible()
    confirm(page, "Start the debrief")
    expect(page).to_have_url(re.compile(rf"/w/{code}/debrief/results/$"))

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("link", name="See the debrief results")).to_be_visible()
    confirm(page, "Close the workshop")
    expect(page).to_have_url(re.compile(rf"/w/{code}/report/$"))
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("link", name="Open the report")).to_be_visible()
    expect(phases).to_contain_text("Closed (current phase)")
