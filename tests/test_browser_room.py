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
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible(timeout=15_000)
    return context, page


def action_rows(page):
    return page.get_by_role("table", name="Action items").get_by_role("row")


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
        expect(page.get_by_text("Challenge: Silos")).to_be_visible()

    # The scribe types the problem; the others read it live.
    notes = scribe.get_by_role("textbox", name="Scribe's notes")
    notes.fill("Handovers between teams lose context")
    for page in (ann_page, bob_page):
        expect(page.get_by_role("region", name="Scribe's notes")).to_have_text(
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
        causes = page.get_by_role("list", name="Root causes")
        expect(causes.get_by_role("listitem")).to_have_count(1)
        expect(causes).to_contain_text("Nobody owns the handover")

    # Ann edits her own cause (Bob may not); everyone sees the change.
    expect(bob_page.get_by_role("button", name="Edit: Nobody owns the handover")).to_be_hidden()
    ann_page.get_by_role("button", name="Edit: Nobody owns the handover").click()
    editor = ann_page.get_by_role("list", name="Root causes").get_by_label("Root cause", exact=True)
    expect(editor).to_be_focused()
    editor.fill("Nobody owns the handover between shifts")
    ann_page.get_by_role("button", name="Save").click()
    edited = "Nobody owns the handover between shifts"
    expect(ann_page.get_by_role("button", name=f"Edit: {edited}")).to_be_focused()
    for page in everyone:
        expect(page.get_by_role("list", name="Root causes")).to_contain_text("between shifts")

    # Alternatives, then everyone votes.
    scribe.get_by_role("button", name="Next step").click()
    for text in ("Handover checklist", "Shared channel"):
        bob_page.get_by_label("Alternative", exact=True).fill(text)
        bob_page.get_by_role("button", name="Add alternative").click()
    expect(scribe.get_by_role("list", name="Alternatives").get_by_role("listitem")).to_have_count(2)
    scribe.get_by_role("button", name="Next step").click()
    for page in everyone:
        expect(page.get_by_text("0 of 3 have voted")).to_be_visible()
    for page in everyone:
        page.get_by_role("button", name="Add a vote to Handover checklist").click()
    ann_page.get_by_role("button", name="Add a vote to Shared channel").click()
    for page in everyone:
        expect(page.get_by_text("3 of 3 have voted")).to_be_visible()
        votes = page.get_by_role("list", name="Dot voting").get_by_role("listitem")
        expect(votes.filter(has_text="Handover checklist")).to_contain_text("3 votes")
        expect(votes.filter(has_text="Shared channel")).to_contain_text("1 vote")
        expect(votes.filter(has_text="Shared channel")).not_to_contain_text("1 votes")

    # The scribe records the choice and why.
    scribe.get_by_label("Chosen alternative", exact=True).select_option(label="Handover checklist")
    scribe.get_by_label("Why this one?", exact=True).fill("Cheapest to try this week")
    scribe.get_by_role("button", name="Record the choice").click()
    for page in (ann_page, bob_page):
        expect(page.get_by_text("Chosen: Handover checklist")).to_be_visible()

    # The plan: an action item with an owner.
    scribe.get_by_role("button", name="Next step").click()
    ann_page.get_by_label("Task", exact=True).fill("Draft the checklist")
    ann_page.get_by_label("Owner", exact=True).select_option(label=bob.name)
    ann_page.get_by_label("Success measure", exact=True).fill("Used in 5 handovers")
    ann_page.get_by_role("button", name="Add action item").click()
    for page in everyone:
        row = action_rows(page).filter(has_text="Draft the checklist")
        expect(row).to_contain_text(bob.name)

    # Offline: Bob adds an item without a network; it arrives once for everyone.
    bob_context.set_offline(True)
    expect(bob_page.get_by_role("status")).to_have_text(re.compile("Offline"))
    bob_page.get_by_label("Task", exact=True).fill("Book a review meeting")
    bob_page.get_by_role("button", name="Add action item").click()
    expect(action_rows(scribe).filter(has_text="Book a review meeting")).to_have_count(0)
    bob_context.set_offline(False)
    expect(bob_page.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    for page in everyone:
        rows = action_rows(page).filter(has_text="Book a review meeting")
        expect(rows).to_have_count(1)
    bob_page.reload()  # and the outbox does not send it again after a reload
    expect(bob_page.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    for page in everyone:
        rows = action_rows(page).filter(has_text="Book a review meeting")
        expect(rows).to_have_count(1)
    from breakouts.models import Item

    assert Item.objects.filter(text="Book a review meeting").count() == 1
    assert workshop.rooms.get().items.count() == 5


def focus_is_on_body(page):
    return page.evaluate(
        "document.activeElement === null || document.activeElement === document.body"
    )


def test_half_typed_input_and_keyboard_focus_survive_live_changes(new_context, make_workshop):
    from breakouts.models import Item

    workshop, rooms, people = make_workshop(rooms=1, members=2)
    room = rooms[0]
    room.step = "root_causes"
    room.save()
    for text in ("Checklist", "Shared channel"):
        Item.objects.create(room=room, step="alternatives", text=text)
    scribe_person, ann = people[1]
    _sc, scribe = enter(new_context, scribe_person, room.get_absolute_url())
    _ac, ann_page = enter(new_context, ann, room.get_absolute_url())

    # Ann is typing a root cause when the scribe moves the room on: her text and focus stay.
    cause = ann_page.get_by_label("Root cause", exact=True)
    cause.fill("Half-typed cau")
    scribe.get_by_role("button", name="Next step").click()
    expect(ann_page.get_by_text("You are viewing step 2 — the room is on step 3.")).to_be_visible()
    expect(cause).to_have_value("Half-typed cau")
    expect(cause).to_be_focused()
    ann_page.get_by_role("button", name="Go to the room's step: Alternative solutions").click()
    expect(ann_page.get_by_role("heading", name="Alternative solutions", level=2)).to_be_focused()
    ann_page.get_by_role("button", name="2. Root causes").click()
    expect(cause).to_have_value("Half-typed cau")

    # Voting with the keyboard: when the last dot is spent, focus moves to "remove", not <body>.
    scribe.get_by_role("button", name="Next step").click()
    ann_page.get_by_role("button", name="4. Select a solution").click()
    add = ann_page.get_by_role("button", name="Add a vote to Checklist")
    for left in (2, 1, 0):
        add.focus()
        ann_page.keyboard.press("Enter")
        expect(ann_page.get_by_text(f"You have {left} of 3 votes left.")).to_be_visible()
    expect(add).to_be_disabled()
    expect(ann_page.get_by_role("button", name="Remove a vote from Checklist")).to_be_focused()
    votes = ann_page.get_by_role("list", name="Dot voting").get_by_role("listitem")
    expect(votes.filter(has_text="Checklist")).to_contain_text("3 votes")
    expect(votes.filter(has_text="Shared channel")).to_contain_text("0 votes")
    # Another member's vote leaves Ann's focus where it was.
    scribe.get_by_role("button", name="Add a vote to Shared channel").click()
    expect(votes.filter(has_text="Shared channel")).to_contain_text("1 vote")
    expect(ann_page.get_by_role("button", name="Remove a vote from Checklist")).to_be_focused()

    # "Next step" into the last step: the button turns disabled; focus goes to "Previous step".
    scribe.get_by_role("button", name="Next step").focus()
    scribe.keyboard.press("Enter")
    expect(scribe.get_by_role("button", name="Next step")).to_be_disabled()
    expect(scribe.get_by_role("button", name="Previous step")).to_be_focused()

    # Handing over: Ann accepts with the keyboard and lands in the notes she now writes.
    scribe.get_by_label("Hand the scribe role to").select_option(label=ann.name)
    scribe.get_by_role("button", name="Offer").click()
    accept = ann_page.get_by_role("button", name="Become the scribe")
    accept.focus()
    ann_page.keyboard.press("Enter")
    expect(ann_page.get_by_role("textbox", name="Scribe's notes")).to_be_focused()
    assert not focus_is_on_body(ann_page) and not focus_is_on_body(scribe)
