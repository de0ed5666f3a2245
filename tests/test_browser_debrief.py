"""Two participants answer the debrief; the facilitator's results update live."""

import pytest
from playwright.sync_api import expect
from report_helpers import make_workshop, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chart_row(page, label):
    return page.get_by_role("table", name="Common answers").get_by_role("row", name=label)


def test_facilitators_chart_updates_live_as_two_participants_answer(
    signed_in_context, facilitator
):
    workshop = make_workshop(facilitator, rooms=1, per_room=2)
    results = signed_in_context(facilitator).new_page()
    results.goto(f"/w/{workshop.join_code}/debrief/results/")
    expect(results.get_by_role("status")).to_have_text("Connected")
    expect(results.get_by_role("list", name="Answers")).to_contain_text("No answers yet.")
    expect(chart_row(results, "Listen more")).to_contain_text("0")

    for index, words in enumerate(["Trust between strangers", "Trust and speed"]):
        page = signed_in_context(participant=member(workshop, 1, index)).new_page()
        page.goto(f"/w/{workshop.join_code}/debrief/")
        page.get_by_label(workshop.question_value).fill(words)
        page.get_by_label("Listen more").check()
        page.get_by_role("button", name="Save my answers").click()
        expect(page.get_by_text("your answers are saved")).to_be_visible()
        expect(chart_row(results, "Listen more")).to_contain_text(str(index + 1))

    expect(results.get_by_role("table", name="Common answers")).to_contain_text("2 of 2 answered")
    words = results.get_by_role("list", name=f"Most frequent words: {workshop.question_value}")
    expect(words.get_by_role("listitem").first).to_contain_text("trust (2)")
    answers = results.get_by_role("list", name="Answers")
    expect(answers.get_by_role("listitem")).to_have_count(2)
    expect(answers.get_by_role("listitem").first).to_contain_text("Trust between strangers")
    expect(answers.get_by_role("listitem").first).to_contain_text("Listen more")
    expect(answers).to_contain_text("R1 P0")
    # Names can be hidden.
    results.get_by_role("link", name="Hide names").click()
    expect(results.get_by_text("Trust and speed")).to_be_visible()
    expect(results.get_by_role("list", name="Answers")).not_to_contain_text("R1 P0")
