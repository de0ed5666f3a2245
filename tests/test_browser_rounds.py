"""Two rounds: the facilitator runs round 1, goes to plenary, plans round 2 (no repeat pair)
and starts it; a participant's page moves to their new room on its own."""

import re

import pytest
from browser_steps import PASSWORD, join, log_in
from django.contrib.auth.models import User
from playwright.sync_api import expect

from breakouts.models import Room
from workshops.models import Challenge, Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ana", "Sales", "Lyon"), ("Ben", "Sales", "Toronto"),
    ("Cy", "Finance", "Lyon"), ("Di", "Finance", "Toronto"),
]


def start(facilitator, button):
    """Clicks the plan page's start button, then confirms in the dialog named like it
    ("Start breakouts", "Start round 2")."""
    facilitator.get_by_role("button", name=button).click()
    facilitator.get_by_role("dialog", name=button).get_by_role("button", name=button).click()


def test_facilitator_runs_two_rounds_and_a_participant_moves_to_the_new_room(new_context):
    owner = User.objects.create_user("dana", "dana@example.com", PASSWORD)
    workshop = Workshop.objects.create(
        owner=owner, title="Two rounds", phase=Workshop.Phase.LOBBY,
        departments="Sales\nFinance", locations="Lyon\nToronto",
        room_count=2, target_room_size=None, rounds=2,
    )
    Challenge.objects.create(workshop=workshop, title="Retention")
    pages = {}
    for name, department, location in PEOPLE:
        pages[name] = new_context().new_page()
        join(pages[name], workshop.join_code, name, department, location)

    facilitator = new_context().new_page()
    log_in(facilitator, "dana")
    facilitator.goto(f"/w/{workshop.join_code}/manage/plan/")
    expect(facilitator.get_by_role("heading", name="round 1 of 2")).to_be_visible()
    start(facilitator, "Start breakouts")
    expect(facilitator.get_by_text("Breakouts started in 2 rooms")).to_be_visible()
    expect(facilitator.get_by_text("Round 1 of 2")).to_be_visible()

    ana = pages["Ana"]
    first_room = Participant.objects.get(workshop=workshop, name="Ana").room
    expect(ana.get_by_role("heading", name=f"Room {first_room.number}", exact=True)).to_be_visible()
    expect(ana.get_by_text("Round 1 of 2")).to_be_visible()
    mate = Participant.objects.filter(room=first_room).exclude(name="Ana").get().name

    # Round 1 ends: the control room's countdown, skipped.
    expect(facilitator.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    facilitator.get_by_role("button", name=re.compile("Close breakouts")).click()
    facilitator.get_by_role("button", name=re.compile("Skip the countdown")).click()
    expect(ana).to_have_url(re.compile(r"/plenary/$"), timeout=15_000)
    # The control room takes the facilitator to the plenary too: let it land before leaving.
    expect(facilitator).to_have_url(re.compile(r"/plenary/$"), timeout=15_000)
    facilitator.goto(f"/w/{workshop.join_code}/control/")
    facilitator.get_by_role("link", name="Plan round 2").click()
    expect(facilitator.get_by_role("heading", name="round 2 of 2")).to_be_visible()
    expect(facilitator.get_by_test_id("plan-repeats")).to_have_text(
        "Nobody meets someone they sat with in an earlier round."
    )
    start(facilitator, "Start round 2")
    expect(facilitator.get_by_text("Round 2 started in 2 rooms")).to_be_visible()
    expect(facilitator.get_by_text("Round 2 of 2")).to_be_visible()

    # Ana's page went to plenary with everyone, then follows her to her round-2 room.
    second_room = Participant.objects.get(workshop=workshop, name="Ana").room
    assert second_room.round == 2
    expect(ana.get_by_text("Round 2 of 2")).to_be_visible(timeout=15_000)
    heading = ana.get_by_role("heading", name=f"Room {second_room.number}", exact=True)
    expect(heading).to_be_visible()
    assert mate not in {m.name for m in second_room.members.all()}
    assert Room.objects.filter(workshop=workshop).count() == 4

    ana.goto(f"/w/{workshop.join_code}/network/")
    expect(ana.get_by_text("You met 2 people across the rounds.")).to_be_visible()
