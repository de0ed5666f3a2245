"""Three people in one breakout room, in three browsers: everything they do is live for all."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter(new_context, participant, room_url):
    context = new_context()
    page = context.new_page()
    page.goto(f"/p/{participant.token}/")
    page.goto(room_url)
    # The first socket of a fresh server may take a moment (imports, database).
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible(timeout=15_000)
    return context, page


def test_three_people_work_a_room_live_and_offline_changes_arrive_once(
    new_context, make_workshop
):
    workshop, rooms, people = make_workshop(rooms=1, members=3)
    scribe_person, ann, bob = people[1]
    url = rooms[0].get_absolute_url()
    _sc, scribe = enter(new_context, scribe_person, url)
    _ac, ann_page = enter(new_context, ann, url)
    bob_context, bob_page = enter(new_context, bob, url)
    everyone = [scribe, ann_page, bob_page]

    # The scribe chooses a challenge; a member could only propose one.
    expect(ann_page.get_by_role("button", name="Propose: Churn")).to_be_visible()
    scribe.get_by_role("button", name="Choose: Silos").click()
    for page in everyone:
        expect(page.locator("[data-challenge-title]")).to_have_text("Silos")

    # The scribe types the problem; the others read it live.
    notes = scribe.get_by_role("textbox", name="Scribe's notes")
    notes.fill("Handovers between teams lose context")
    for page in (ann_page, bob_page):
        expect(page.locator("[data-note-view]")).to_have_text(
            "Handovers between teams lose context"
        )

    # Next step: a member adds a root cause.
    scribe.get_by_role("button", name="Next step").click()
    for page in everyone:
        expect(page.get_by_role("heading", name="Root causes", level=2)).to_be_visible()
    ann_page.get_by_label("Root cause", exact=True).fill("Nobody owns the handover")
    ann_page.get_by_label("Category", exact=True).select_option(label="Process")
    ann_page.get_by_role("button", name="Add root cause").click()
    for page in everyone:
        expect(page.locator("[data-items] li")).to_have_count(1)
        expect(page.locator("[data-items]")).to_contain_text("Nobody owns the handover")

    # Alternatives, then everyone votes.
    scribe.get_by_role("button", name="Next step").click()
    for text in ("Handover checklist", "Shared channel"):
        bob_page.get_by_label("Alternative", exact=True).fill(text)
        bob_page.get_by_role("button", name="Add alternative").click()
    expect(scribe.locator("[data-items] li")).to_have_count(2)
    scribe.get_by_role("button", name="Next step").click()
    for page in everyone:
        expect(page.get_by_text("0 of 3 have voted")).to_be_visible()
    for page in everyone:
        page.get_by_role("button", name="Add a vote to Handover checklist").click()
    ann_page.get_by_role("button", name="Add a vote to Shared channel").click()
    for page in everyone:
        expect(page.get_by_text("3 of 3 have voted")).to_be_visible()
        expect(page.locator("[data-tally]").first).to_have_text("3 votes")

    # The scribe records the choice and why.
    scribe.get_by_label("Chosen alternative", exact=True).select_option(label="Handover checklist")
    scribe.get_by_label("Why this one?", exact=True).fill("Cheapest to try this week")
    scribe.get_by_role("button", name="Record the choice").click()
    for page in (ann_page, bob_page):
        expect(page.locator("[data-selection-view]")).to_contain_text(
            "Chosen: Handover checklist"
        )

    # The plan: an action item with an owner.
    scribe.get_by_role("button", name="Next step").click()
    ann_page.get_by_label("Task", exact=True).fill("Draft the checklist")
    ann_page.get_by_label("Owner", exact=True).select_option(label=bob.name)
    ann_page.get_by_label("Success measure", exact=True).fill("Used in 5 handovers")
    ann_page.get_by_role("button", name="Add action item").click()
    for page in everyone:
        row = page.locator("[data-plan-rows] tr").filter(has_text="Draft the checklist")
        expect(row).to_contain_text(bob.name)

    # Offline: Bob adds an item without a network; it arrives once for everyone.
    bob_context.set_offline(True)
    expect(bob_page.get_by_role("status")).to_have_text(re.compile("Offline"))
    bob_page.get_by_label("Task", exact=True).fill("Book a review meeting")
    bob_page.get_by_role("button", name="Add action item").click()
    expect(scribe.locator("[data-plan-rows]")).not_to_contain_text("Book a review meeting")
    bob_context.set_offline(False)
    expect(bob_page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    for page in everyone:
        rows = page.locator("[data-plan-rows] tr").filter(has_text="Book a review meeting")
        expect(rows).to_have_count(1)
    bob_page.reload()  # and the outbox does not send it again after a reload
    expect(bob_page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    for page in everyone:
        rows = page.locator("[data-plan-rows] tr").filter(has_text="Book a review meeting")
        expect(rows).to_have_count(1)
    from breakouts.models import Item

    assert Item.objects.filter(text="Book a review meeting").count() == 1
    assert workshop.rooms.get().items.count() == 5
