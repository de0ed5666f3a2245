"""Planning rooms and starting breakouts: the facilitator's flow (issue: breakouts)."""

from collections import Counter

import pytest
from django.urls import reverse

from breakouts import services
from breakouts.models import Room
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

ROSTER = [
    ("Ana", "Sales", "Lyon"), ("Ben", "Sales", "Toronto"), ("Cy", "Finance", "Lyon"),
    ("Di", "Finance", "Toronto"), ("Ed", "Operations", "Lyon"), ("Flo", "Operations", "Toronto"),
]


@pytest.fixture
def workshop(make_workshop):
    workshop = make_workshop(
        phase=Workshop.Phase.LOBBY, rooms=0, challenges=["Retention"],
        title="Peer problem solving", room_count=2, target_room_size=None,
    ).workshop
    for name, department, location in ROSTER:
        Participant.objects.create(
            workshop=workshop, name=name, department=department, location=location
        )
    return workshop


def plan_url(workshop):
    return reverse("breakouts:plan", args=[workshop.join_code])


ACTION_URLS = {
    "start": "plan_start", "reshuffle": "plan_reshuffle", "move": "plan_move", "pin": "plan_pin",
    "unpin": "plan_unpin", "apart_add": "plan_apart_add", "apart_remove": "plan_apart_remove",
    "together_add": "plan_together_add", "together_remove": "plan_together_remove",
}


CONFIRMED = {"confirmed": "1"}


def action_url(workshop, action):
    return reverse(f"breakouts:{ACTION_URLS[action]}", args=[workshop.join_code])


def test_plan_preview_shows_rooms_as_mixed_as_possible(facilitator_client, workshop):
    response = facilitator_client.get(plan_url(workshop))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert len(plan.rooms) == 2
    assert [len(room.members) for room in plan.rooms] == [3, 3]
    for room in plan.rooms:
        assert room.distinct["department"] == 3
    assert plan.gap == {"department": 0, "location": 0}
    assert "Departments: as mixed as possible" in response.content.decode()
    assert "Locations: as mixed as possible" in response.content.decode()


def test_outsider_facilitator_cannot_see_or_change_the_plan(outsider_client, workshop):
    assert outsider_client.get(plan_url(workshop)).status_code == 404
    response = outsider_client.post(action_url(workshop, "start"))
    assert response.status_code == 404
    assert not Room.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, workshop):
    response = client.get(plan_url(workshop))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_participant_cannot_start_breakouts(participant_client, workshop):
    client = participant_client(workshop.participants.first())
    assert client.post(action_url(workshop, "start"), CONFIRMED).status_code == 302
    assert client.get(plan_url(workshop)).status_code == 302  # to the log-in page
    assert not Room.objects.exists()


def test_cofacilitator_can_plan(client, workshop, bob):
    workshop.cofacilitators.add(bob)
    client.force_login(bob)
    assert client.get(plan_url(workshop)).status_code == 200


def test_reshuffle_gives_a_new_seed_and_honours_the_room_count(facilitator_client, workshop):
    facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    first_seed = workshop.draft_plan["seed"]
    facilitator_client.post(
        action_url(workshop, "reshuffle"), {"room_count": 3, "use_met_before": "on"}
    )
    workshop.refresh_from_db()
    assert workshop.draft_plan["seed"] != first_seed
    assert [len(room) for room in workshop.draft_plan["rooms"]] == [2, 2, 2]


def test_reshuffle_with_too_many_rooms_shows_an_error_and_keeps_the_plan(
    facilitator_client, workshop
):
    facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    before = workshop.draft_plan
    response = facilitator_client.post(
        action_url(workshop, "reshuffle"), {"room_count": 7}, follow=True
    )
    assert "At most one room per person" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.draft_plan == before


def test_move_then_pin_survives_a_reshuffle(facilitator_client, workshop):
    facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    ana = workshop.participants.get(name="Ana")
    target = 2 if ana.pk in workshop.draft_plan["rooms"][0] else 1
    facilitator_client.post(
        action_url(workshop, "move"), {"participant": ana.pk, "room": target}
    )
    facilitator_client.post(action_url(workshop, "pin"), {"participant": ana.pk})
    page = facilitator_client.get(plan_url(workshop)).content.decode()
    row = page[page.index(f'data-participant="{ana.pk}"'):]
    row = row[:row.index("</li>")]
    assert '<span class="badge text-bg-dark">pinned</span>' in row
    assert f'formaction="{action_url(workshop, "unpin")}">Unpin' in row
    assert page.count("pinned</span>") == 1
    for _ in range(3):
        facilitator_client.post(action_url(workshop, "reshuffle"), {"room_count": 2})
        workshop.refresh_from_db()
        assert ana.pk in workshop.draft_plan["rooms"][target - 1]


def test_keep_apart_pair_is_honoured_and_an_impossible_one_is_explained(
    facilitator_client, workshop
):
    facilitator_client.get(plan_url(workshop))
    ana = workshop.participants.get(name="Ana")
    cy = workshop.participants.get(name="Cy")
    facilitator_client.post(
        action_url(workshop, "apart_add"), {"first": ana.pk, "second": cy.pk}
    )
    workshop.refresh_from_db()
    rooms = workshop.draft_plan["rooms"]
    assert not any(ana.pk in room and cy.pk in room for room in rooms)

    # One room cannot keep anyone apart: the plan stays as it was, with the reason shown.
    facilitator_client.post(action_url(workshop, "reshuffle"), {"room_count": 1})
    workshop.refresh_from_db()
    assert len(workshop.draft_plan["rooms"]) == 2
    response = facilitator_client.post(
        action_url(workshop, "reshuffle"), {"room_count": 1}, follow=True
    )
    assert "keep_apart" in response.content.decode() or "apart" in response.content.decode()


def room_of(workshop, person):
    workshop.refresh_from_db()
    return next(i for i, room in enumerate(workshop.draft_plan["rooms"]) if person.pk in room)


def test_keep_together_pair_shares_a_room_through_reshuffles_moves_and_the_start(
    facilitator_client, workshop
):
    facilitator_client.get(plan_url(workshop))
    # Ana and Ben are both in Sales: mixing alone would put them in different rooms.
    ana, ben = (workshop.participants.get(name=name) for name in ("Ana", "Ben"))
    response = facilitator_client.post(
        action_url(workshop, "together_add"), {"first": ben.pk, "second": ana.pk}, follow=True
    )
    page = response.content.decode()
    assert "Ana and Ben share a room" in page  # as they did, or after a redraw
    assert "Stop keeping Ana and Ben together" in page
    for person in (ana, ben):  # their rows in the room cards say so
        row = page[page.index(f'data-participant="{person.pk}"'):]
        assert 'kept together</span>' in row[:row.index("</li>")]
    assert page.count("kept together</span>") == 2
    assert room_of(workshop, ana) == room_of(workshop, ben)
    for _ in range(3):
        facilitator_client.post(action_url(workshop, "reshuffle"), {"room_count": 2})
        assert room_of(workshop, ana) == room_of(workshop, ben)
    # Moving one moves both, and says so.
    target = 2 - room_of(workshop, ana)
    response = facilitator_client.post(
        action_url(workshop, "move"), {"participant": ana.pk, "room": target}, follow=True
    )
    assert f"Ana moved to room {target}, with Ben (kept together)." in response.content.decode()
    assert room_of(workshop, ana) == room_of(workshop, ben) == target - 1
    facilitator_client.post(action_url(workshop, "start"), CONFIRMED)
    ana.refresh_from_db()
    ben.refresh_from_db()
    assert ana.room == ben.room is not None


def test_keep_together_that_conflicts_is_refused_with_the_reason_and_the_plan_kept(
    facilitator_client, workshop
):
    facilitator_client.get(plan_url(workshop))
    ana, cy, di = (workshop.participants.get(name=name) for name in ("Ana", "Cy", "Di"))
    facilitator_client.post(action_url(workshop, "apart_add"), {"first": ana.pk, "second": cy.pk})
    workshop.refresh_from_db()
    before = workshop.draft_plan
    response = facilitator_client.post(
        action_url(workshop, "together_add"), {"first": cy.pk, "second": ana.pk}, follow=True
    )
    assert "Ana and Cy are kept apart. Stop keeping them apart first." in (
        response.content.decode()
    )
    workshop.refresh_from_db()
    assert workshop.draft_plan == before
    # Through a third person too: Di with Ana, then Di with Cy would seat Ana with Cy.
    facilitator_client.post(
        action_url(workshop, "together_add"), {"first": di.pk, "second": ana.pk}
    )
    response = facilitator_client.post(
        action_url(workshop, "together_add"), {"first": di.pk, "second": cy.pk}, follow=True
    )
    assert "Cy and Di cannot be kept together" in response.content.decode()
    # And the other way: keeping apart two people kept together.
    response = facilitator_client.post(
        action_url(workshop, "apart_add"), {"first": ana.pk, "second": di.pk}, follow=True
    )
    assert "Ana and Di are kept together. Stop keeping them together first." in (
        response.content.decode()
    )
    workshop.refresh_from_db()
    assert workshop.draft_plan["keep_together"] == [sorted([ana.pk, di.pk])]
    assert workshop.draft_plan["keep_apart"] == [sorted([ana.pk, cy.pk])]
    # The same person twice is a field error, not a pair.
    response = facilitator_client.post(
        action_url(workshop, "together_add"), {"first": ana.pk, "second": ana.pk}, follow=True
    )
    assert "Choose two different people." in response.content.decode()


def test_a_pair_the_plan_already_honours_keeps_the_plan_and_its_manual_moves(
    facilitator_client, workshop
):
    facilitator_client.get(plan_url(workshop))
    ana, cy = (workshop.participants.get(name=name) for name in ("Ana", "Cy"))
    # Move Cy in with Ana by hand: keeping them together must not redraw the rooms.
    facilitator_client.post(
        action_url(workshop, "move"), {"participant": cy.pk, "room": room_of(workshop, ana) + 1}
    )
    workshop.refresh_from_db()
    moved = workshop.draft_plan["rooms"]

    def add_pair(action, first, second, said):
        response = facilitator_client.post(
            action_url(workshop, action), {"first": first.pk, "second": second.pk}, follow=True
        )
        assert said in response.content.decode()
        workshop.refresh_from_db()
        assert workshop.draft_plan["rooms"] == moved

    add_pair("together_add", ana, cy,
             "Ana and Cy share a room and will stay together when you reshuffle.")
    # Likewise for two people already in different rooms, kept apart.
    other = next(p for p in workshop.participants.all() if room_of(workshop, p) != room_of(
        workshop, ana))
    add_pair("apart_add", other, ana,
             "are in different rooms and will stay apart when you reshuffle.")
    assert workshop.draft_plan["keep_apart"] == [sorted([ana.pk, other.pk])]


def test_stop_keeping_together_frees_the_pair(facilitator_client, workshop):
    facilitator_client.get(plan_url(workshop))
    ana, ben = (workshop.participants.get(name=name) for name in ("Ana", "Ben"))
    facilitator_client.post(
        action_url(workshop, "together_add"), {"first": ana.pk, "second": ben.pk}
    )
    facilitator_client.post(action_url(workshop, "together_remove"), {"pair": [ben.pk, ana.pk]})
    workshop.refresh_from_db()
    assert workshop.draft_plan["keep_together"] == []
    page = facilitator_client.get(plan_url(workshop)).content.decode()
    assert "Stop keeping Ana and Ben together" not in page


def test_outsider_cannot_keep_people_together(outsider_client, workshop):
    ana, ben = (workshop.participants.get(name=name) for name in ("Ana", "Ben"))
    response = outsider_client.post(
        action_url(workshop, "together_add"), {"first": ana.pk, "second": ben.pk}
    )
    assert response.status_code == 404
    workshop.refresh_from_db()
    assert not (workshop.draft_plan or {}).get("keep_together")


def test_start_breakouts_asks_first_without_javascript(facilitator_client, workshop):
    facilitator_client.get(plan_url(workshop))
    response = facilitator_client.post(action_url(workshop, "start"))
    assert response.status_code == 200
    assert 'name="confirmed" value="1"' in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.LOBBY
    assert not Room.objects.filter(workshop=workshop).exists()


def test_start_breakouts_saves_rooms_scribes_and_tells_everyone(
    facilitator_client, workshop, capture_events
):
    facilitator_client.get(plan_url(workshop))
    with capture_events() as events:
        response = facilitator_client.post(action_url(workshop, "start"), CONFIRMED)
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.BREAKOUTS
    rooms = list(Room.objects.filter(workshop=workshop).with_members())
    assert [room.number for room in rooms] == [1, 2]
    for room in rooms:
        members = list(room.members.all())
        assert len(members) == 3
        assert room.scribe in members
        assert len({m.department for m in members}) == 3
    assignments = events.of_type("room.assigned")[0]
    assert sorted(a["participant"] for a in assignments["assignments"]) == sorted(
        workshop.participants.values_list("pk", flat=True)
    )
    assert all(a["url"].startswith(f"/w/{workshop.join_code}/rooms/") for a in
               assignments["assignments"])


def test_start_breakouts_seats_people_who_joined_after_the_plan(facilitator_client, workshop):
    facilitator_client.get(plan_url(workshop))
    late = Participant.objects.create(
        workshop=workshop, name="Gus", department="Sales", location="Lyon"
    )
    facilitator_client.post(action_url(workshop, "start"), CONFIRMED)
    late.refresh_from_db()
    assert late.room is not None
    assert sorted(Counter(workshop.participants.values_list("room", flat=True)).values()) == [3, 4]


def test_breakouts_cannot_start_twice(facilitator_client, workshop):
    facilitator_client.post(action_url(workshop, "start"), CONFIRMED)
    response = facilitator_client.post(action_url(workshop, "start"), CONFIRMED, follow=True)
    assert Room.objects.filter(workshop=workshop).count() == 2
    assert "already started" in response.content.decode()


def test_late_joiner_goes_to_the_smallest_room_where_they_add_most_variety(workshop):
    services.start_breakouts(workshop)
    # Make room 1 smaller, so the newcomer must go there whatever their department.
    room1, room2 = Room.objects.filter(workshop=workshop).order_by("number")
    moved = room1.members.first()
    moved.room = room2
    moved.save()
    late = Participant.objects.create(
        workshop=workshop, name="Hal", department="Sales", location="Lyon"
    )
    assert services.place_late_joiner(late) == room1

    # Equal sizes again (4 and 4): a Finance/Toronto joiner goes where they repeat the fewest
    # departments and locations.
    extra = Participant.objects.create(
        workshop=workshop, name="Jo", department="Finance", location="Toronto", room=room1
    )
    assert room1.members.count() == room2.members.count() == 4
    sameness = {
        room.number: sum(
            (m.department == "Finance") + (m.location == "Toronto") for m in room.members.all()
        )
        for room in (room1, room2)
    }
    late2 = Participant.objects.create(
        workshop=workshop, name="Ivy", department="Finance", location="Toronto"
    )
    chosen = services.place_late_joiner(late2)
    assert sameness[chosen.number] == min(sameness.values())
    assert extra.room_id == room1.pk


def test_bounds_count_the_people_the_plan_places_not_late_joiners(facilitator_client, workshop):
    from collections import Counter as Tally

    from breakouts.assignment import spread_lower_bound

    facilitator_client.get(plan_url(workshop))
    for i in range(4):  # joined after the plan: listed apart, not in any room yet
        Participant.objects.create(workshop=workshop, name=f"Late {i}", department="Sales",
                                   location="Lyon")
    plan = facilitator_client.get(plan_url(workshop)).context["plan"]
    assert len(plan.unplaced) == 4
    placed = [p for room in plan.rooms for p in room.members]
    departments = Tally(p.department.casefold() for p in placed)
    assert plan.lower_bound["department"] == spread_lower_bound(
        departments.values(), len(plan.rooms)
    )
    assert plan.similar_pairs["department"] >= plan.lower_bound["department"]


def test_scribes_are_drawn_from_people_who_arrived(make_workshop):
    from django.utils import timezone

    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0, room_count=5,
                             target_room_size=None).workshop
    for i in range(20):  # an imported roster; one person in four has opened their link
        Participant.objects.create(
            workshop=workshop, name=f"P{i}", department=f"D{i % 5}", location=f"L{i % 4}",
            imported=True, last_seen_at=timezone.now() if i % 4 == 0 else None,
        )
    rooms = services.start_breakouts(workshop)
    for room in Room.objects.filter(pk__in=[r.pk for r in rooms]).with_members():
        if any(m.has_arrived for m in room.members.all()):
            assert room.scribe.has_arrived, room.number
