"""The plan of a later round (issue #15): it starts from the previous round's choices and names
the pairs who would meet again."""

import pytest
from django.urls import reverse

from breakouts import plan_review
from tests.test_rounds import lobby, plan_url, room_pairs, run_round, seated_rooms
from workshops.models import Attribute

pytestmark = pytest.mark.django_db


# -- the next round starts from the previous round's choices ---------------------------------


def test_the_next_round_starts_from_the_previous_rounds_choices(
    facilitator_client, make_workshop
):
    # The workshop's own setting would open 4 rooms; the facilitator chose 3 for round 1.
    workshop = lobby(make_workshop, people=12, rooms=4)
    Attribute.objects.create(workshop=workshop, label="Team", key="team", kind="text")
    facilitator_client.post(reverse("breakouts:plan_reshuffle", args=[workshop.join_code]), {
        "room_count": 3, "mix_department": "must mix", "mix_location": "mix if possible",
        "mix_team": "ignore",  # and "use_met_before" unticked
    })
    run_round(workshop)
    response = facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    draft = workshop.draft_plan
    assert draft["round"] == 2 and len(draft["rooms"]) == 3
    assert draft["mix"] == {"department": "must mix", "location": "mix if possible",
                            "team": "ignore"}
    assert draft["use_met_before"] is False
    form = response.context["settings_form"]
    assert form.initial["room_count"] == 3 and form.initial["use_met_before"] is False
    assert [field.initial for field in form.mix_fields] == ["must mix", "mix if possible",
                                                            "ignore"]
    assert "Team: not mixed (ignored)" in response.content.decode()


def test_a_round_started_without_a_drawn_plan_also_starts_from_the_previous_choices(
    facilitator_client, make_workshop
):
    # Round 2 started before anyone opened its plan page: the same choices as the page's.
    workshop = lobby(make_workshop, people=12, rooms=4, rounds=2)
    facilitator_client.post(reverse("breakouts:plan_reshuffle", args=[workshop.join_code]), {
        "room_count": 3, "mix_department": "must mix", "mix_location": "ignore",
    })
    run_round(workshop)
    rooms = run_round(workshop)
    workshop.refresh_from_db()
    assert len(rooms) == 3
    assert workshop.draft_plan["round"] == 2
    assert workshop.draft_plan["mix"] == {"department": "must mix", "location": "ignore"}


def test_a_carried_room_count_is_at_most_one_room_per_person(facilitator_client, make_workshop):
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    facilitator_client.post(reverse("breakouts:plan_reshuffle", args=[workshop.join_code]),
                            {"room_count": 6})
    run_round(workshop)
    workshop.participants.filter(name__in=["Person 04", "Person 05"]).delete()
    facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    assert len(workshop.draft_plan["rooms"]) == 4


# -- repeat pairs by name ---------------------------------------------------------------------


def test_repeat_pairs_are_named_with_their_room(facilitator_client, make_workshop):
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    run_round(workshop)
    response = facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    names = dict(workshop.participants.values_list("pk", "name"))
    earlier = room_pairs(seated_rooms(workshop, 1))
    expected = [
        f"{' and '.join(sorted(names[pid] for pid in pair))} (Room {number})"
        for number, room in enumerate(workshop.draft_plan["rooms"], start=1)
        for pair in sorted(room_pairs([room]) & earlier, key=lambda p: sorted(names[i] for i in p))
    ]
    assert len(expected) >= 2
    assert response.context["plan"].named_repeat_pairs() == (expected, 0)
    page = response.content.decode()
    listed = page.split('aria-label="Pairs who would meet again"', 1)[1].split("</ul>", 1)[0]
    for text in expected:
        assert f"<li>{text}</li>" in listed
    assert "more pair" not in listed


def test_many_repeat_pairs_are_named_up_to_a_bound(facilitator_client, make_workshop):
    # Twelve people in one room, twice: all 66 pairs meet again.
    workshop = lobby(make_workshop, people=12, rooms=1, rounds=2)
    run_round(workshop)
    response = facilitator_client.get(plan_url(workshop))
    plan = response.context["plan"]
    assert plan.repeat_pairs == 66
    named, more = plan.named_repeat_pairs()
    assert len(named) == plan_review.REPEAT_PAIRS_NAMED == 10 and more == 56
    assert named[0] == "Person 00 and Person 01 (Room 1)"
    page = response.content.decode()
    assert page.count(" (Room 1)</li>") == 10
    assert "<li>and 56 more pairs</li>" in page
