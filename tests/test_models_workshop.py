"""Workshop model rules used by the pages: copying, ordering challenges, the live snapshot."""

import datetime as dt

import pytest

from workshops.models import Participant, Workshop
from workshops.snapshot import workshop_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(make_workshop):
    return make_workshop(phase=Workshop.Phase.LOBBY, rooms=0, challenges=()).workshop


def test_duplicate_gets_a_new_code_and_token_while_the_original_is_open(workshop, outsider):
    workshop.add_challenge("One")
    copy = workshop.duplicate(owner=outsider)
    assert copy.owner == outsider
    assert copy.join_code != workshop.join_code
    assert copy.join_token != workshop.join_token
    assert copy.phase == Workshop.Phase.DRAFT
    assert copy.starts_at is None
    assert list(copy.cofacilitators.all()) == []


def test_add_challenge_appends_after_the_last_position(workshop):
    first = workshop.add_challenge("One")
    second = workshop.add_challenge("Two")
    assert second.position == first.position + 1


def test_move_repairs_tied_positions(workshop):
    a, b, c = (workshop.add_challenge(t) for t in "ABC")
    workshop.challenges.update(position=0)
    assert c.move(-1)
    assert [x.title for x in workshop.challenges.all()] == ["A", "C", "B"]


def test_profile_can_change_only_before_breakouts(workshop):
    assert workshop.participants_can_edit_profile
    workshop.phase = Workshop.Phase.BREAKOUTS
    assert not workshop.participants_can_edit_profile


def test_participant_public_has_the_documented_shape_and_no_secrets(workshop):
    ana = Participant.objects.create(
        workshop=workshop, name="Ana", department="Sales", location="Lyon",
        email="ana@example.com", joined_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
    )
    assert ana.public() == {
        "id": ana.pk, "name": "Ana", "department": "Sales", "location": "Lyon",
        "joined_at": "2026-11-02T09:00:00+00:00",
    }


def test_workshop_state_carries_phase_challenges_roster_counts_and_timer(workshop):
    workshop.add_challenge("Hybrid work", "Corridors")
    for name, department, location in [("A", "Sales", "Lyon"), ("B", "Sales", "Oslo"),
                                       ("C", "HR", "Lyon")]:
        Participant.objects.create(
            workshop=workshop, name=name, department=department, location=location,
            email=f"{name}@example.com",
        )
    workshop.timer_ends_at = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
    workshop.timer_label = "Break"
    state = workshop_state(workshop)
    assert state["phase"] == "lobby"
    assert state["join_code"] == workshop.join_code
    assert state["challenges"] == [
        {"id": workshop.challenges.get().pk, "title": "Hybrid work", "description": "Corridors"}
    ]
    assert [p["name"] for p in state["participants"]] == ["A", "B", "C"]
    assert state["counts"] == {
        "department": {"HR": 1, "Sales": 2}, "location": {"Lyon": 2, "Oslo": 1}
    }
    assert state["timer"] == {"ends_at": "2026-11-02T10:00:00+00:00", "label": "Break"}
    assert "@example.com" not in str(state)


def test_workshop_state_without_a_timer_says_null(workshop):
    assert workshop_state(workshop)["timer"] is None
