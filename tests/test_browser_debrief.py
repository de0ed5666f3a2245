"""Two participants answer the debrief; the facilitator's results update live."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from playwright.sync_api import expect
from report_helpers import make_workshop, member

from workshops.access import remember_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def context_with_session(new_context, live_server_url, session_key):
    context = new_context()
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server_url}
    ])
    return context


def as_facilitator(new_context, live_server_url, user):
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return context_with_session(new_context, live_server_url, key)


def as_participant(new_context, live_server_url, participant):
    session = SessionStore()
    remember_participant(session, participant)
    session.save()
    return context_with_session(new_context, live_server_url, session.session_key)


def chart_row(page, label):
    return page.get_by_role("table", name="Common answers").get_by_role("row", name=label)


def test_facilitators_chart_updates_live_as_two_participants_answer(
    new_context, live_server_url, facilitator
):
    workshop = make_workshop(facilitator, rooms=1, per_room=2)
    results = as_facilitator(new_context, live_server_url, facilitator).new_page()
    results.goto(f"/w/{workshop.join_code}/debrief/results/")
    expect(results.get_by_role("status")).to_have_text("Live")
    expect(chart_row(results, "Listen more")).to_contain_text("0")

    for index, words in enumerate(["Trust between strangers", "Trust and speed"]):
        page = as_participant(new_context, live_server_url, member(workshop, 1, index)).new_page()
        page.goto(f"/w/{workshop.join_code}/debrief/")
        page.get_by_label(workshop.question_value).fill(words)
        page.get_by_label("Listen more").check()
        page.get_by_role("button", name="Save my answers").click()
        expect(page.get_by_text("your answers are saved")).to_be_visible()
        expect(chart_row(results, "Listen more")).to_contain_text(str(index + 1))

    expect(results.get_by_role("table", name="Common answers")).to_contain_text("2 of 2 answered")
    expect(results.locator('.word-list[data-question="value"] li').first).to_contain_text("trust")
    expect(results.get_by_text("Trust between strangers")).to_be_visible()
    # Names can be hidden.
    results.get_by_role("link", name="Hide names").click()
    expect(results.get_by_text("Trust and speed")).to_be_visible()
    expect(results.locator(".answer-name")).to_have_count(0)
