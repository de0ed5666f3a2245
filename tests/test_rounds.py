"""Several rounds of breakouts (issue #15): planning round 2 from plenary without repeat pairs,
seats per round, access, the report and the network across rounds."""

import itertools

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from breakouts import ops, planning, services
from breakouts.models import HelpRequest, Room, Seat
from followup.network import connection_counts, met_before, people_met
from followup.report import build_report
from live.pipeline import Actor, OpError
from workshops.forms import WorkshopForm
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "1"}
DEPARTMENTS = ["Sales", "Finance", "Operations", "IT"]
LOCATIONS = ["Lyon", "Toronto", "Lima"]


def lobby(make_workshop, people=12, rooms=4, rounds=3):
    workshop = make_workshop(
        phase=Workshop.Phase.LOBBY, rooms=0, challenges=["Retention"], room_count=rooms,
        target_room_size=None, rounds=rounds,
    ).workshop
    for i in range(people):
        Participant.objects.create(
            workshop=workshop, name=f"Person {i:02d}", department=DEPARTMENTS[i % 4],
            location=LOCATIONS[i % 3], email=f"p{i}@example.org",
        )
    return workshop


def room_pairs(rooms):
    return {frozenset(pair) for room in rooms for pair in itertools.combinations(room, 2)}


def seated_rooms(workshop, round_number):
    return [
        sorted(room.seats.values_list("participant_id", flat=True))
        for room in Room.objects.filter(workshop=workshop, round=round_number)
    ]


def run_round(workshop):
    """Starts the next round from its draft and goes to plenary, as a facilitator would."""
    rooms = services.start_breakouts(workshop)
    workshop.refresh_from_db()
    workshop.go_to_plenary()
    workshop.refresh_from_db()
    return rooms


def plan_url(workshop):
    return reverse("breakouts:plan", args=[workshop.join_code])


def start_url(workshop):
    return reverse("breakouts:plan_start", args=[workshop.join_code])


# -- the model ------------------------------------------------------------------------------


def test_room_numbers_are_unique_per_round_not_per_workshop(make_workshop):
    workshop = make_workshop(rooms=0).workshop
    Room.objects.create(workshop=workshop, number=1)
    Room.objects.create(workshop=workshop, round=2, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(workshop=workshop, round=2, number=1)


def test_one_seat_per_person_and_round(make_workshop):
    workshop, rooms, people = make_workshop(rooms=2, members=1)
    Seat.objects.create(participant=people[1][0], room=rooms[0], round=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(participant=people[1][0], room=rooms[1], round=1)


def test_a_move_changes_the_current_rounds_seat(make_workshop):
    workshop = lobby(make_workshop, people=6, rooms=2)
    services.start_breakouts(workshop)
    person = workshop.participants.first()
    other = Room.objects.filter(workshop=workshop).exclude(pk=person.room_id).get()
    other.seat(person)
    assert list(person.seats.values_list("room_id", "round")) == [(other.pk, 1)]


# -- planning and starting a later round ------------------------------------------------------


def test_round_two_is_planned_in_plenary_with_no_repeat_pair(facilitator_client, make_workshop):
    workshop = lobby(make_workshop)
    run_round(workshop)
    response = facilitator_client.get(plan_url(workshop))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.round == 2 and plan.repeat_pairs == 0
    page = response.content.decode()
    assert "round 2 of 3" in page
    assert "Nobody meets someone they sat with in an earlier round." in page

    response = facilitator_client.post(start_url(workshop), CONFIRMED)
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.phase, workshop.current_round) == ("breakouts", 2)
    first, second = seated_rooms(workshop, 1), seated_rooms(workshop, 2)
    assert sum(map(len, second)) == 12
    assert not room_pairs(first) & room_pairs(second)
    # Everyone's current room is their round-2 room; round 1's rooms keep their seats.
    for person in workshop.participants.all():
        assert person.room.round == 2
        assert person.seats.count() == 2


def test_three_rounds_repeat_no_pair(make_workshop):
    workshop = lobby(make_workshop)
    for _ in range(3):
        run_round(workshop)
    rounds = [room_pairs(seated_rooms(workshop, n)) for n in (1, 2, 3)]
    assert not (rounds[0] & rounds[1]) and not (rounds[0] & rounds[2])
    assert not rounds[1] & rounds[2]
    assert workshop.next_round is None


def test_repeat_pairs_shown_equal_the_actual_ones_when_sizes_force_them(
    facilitator_client, make_workshop
):
    # Six people in two rooms of three: any second round repeats at least two pairs.
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    run_round(workshop)
    plan = facilitator_client.get(plan_url(workshop)).context["plan"]
    draft_rooms = Workshop.objects.get(pk=workshop.pk).draft_plan["rooms"]
    actual = len(room_pairs(draft_rooms) & room_pairs(seated_rooms(workshop, 1)))
    assert plan.repeat_pairs == actual >= 2
    page = facilitator_client.get(plan_url(workshop)).content.decode()
    assert f"{actual} pairs sat together in an earlier round" in page
    assert not plan.optimal


def test_a_manual_move_that_repeats_a_pair_is_counted(facilitator_client, make_workshop):
    workshop = lobby(make_workshop)
    run_round(workshop)
    facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    first_room = seated_rooms(workshop, 1)[0]
    a, b = first_room[0], first_room[1]
    target = next(i for i, room in enumerate(workshop.draft_plan["rooms"]) if a in room)
    facilitator_client.post(
        reverse("breakouts:plan_move", args=[workshop.join_code]),
        {"participant": b, "room": target + 1},
    )
    plan = facilitator_client.get(plan_url(workshop)).context["plan"]
    assert plan.repeat_pairs >= 1


def test_keep_apart_keep_together_and_pins_carry_over_to_the_next_round(
    facilitator_client, make_workshop
):
    workshop = lobby(make_workshop)
    ids = sorted(workshop.participants.values_list("pk", flat=True))
    facilitator_client.get(plan_url(workshop))
    facilitator_client.post(
        reverse("breakouts:plan_apart_add", args=[workshop.join_code]),
        {"first": ids[0], "second": ids[5]},
    )
    facilitator_client.post(
        reverse("breakouts:plan_together_add", args=[workshop.join_code]),
        {"first": ids[2], "second": ids[3]},
    )
    facilitator_client.post(
        reverse("breakouts:plan_pin", args=[workshop.join_code]), {"participant": ids[1]}
    )
    run_round(workshop)
    pinned_room = Participant.objects.get(pk=ids[1]).room.number
    facilitator_client.get(plan_url(workshop))
    workshop.refresh_from_db()
    draft = workshop.draft_plan
    assert draft["round"] == 2 and draft["keep_apart"] == [[ids[0], ids[5]]]
    assert draft["keep_together"] == [[ids[2], ids[3]]]
    assert ids[1] in draft["rooms"][pinned_room - 1]
    assert not any({ids[0], ids[5]} <= set(room) for room in draft["rooms"])
    assert any({ids[2], ids[3]} <= set(room) for room in draft["rooms"])
    # Sitting together again on purpose is not a repeat pair.
    plan = facilitator_client.get(plan_url(workshop)).context["plan"]
    assert not any({a.pk, b.pk} == {ids[2], ids[3]} for a, b, _ in plan.repeat_pair_list)


def test_no_round_can_be_planned_during_breakouts_or_after_the_last(
    facilitator_client, make_workshop
):
    workshop = lobby(make_workshop, rounds=1)
    services.start_breakouts(workshop)
    response = facilitator_client.get(plan_url(workshop), follow=True)
    assert "The next round is planned in plenary" in response.content.decode()
    workshop.refresh_from_db()
    workshop.go_to_plenary()
    response = facilitator_client.post(start_url(workshop), CONFIRMED, follow=True)
    assert "All 1 rounds have run" in response.content.decode()
    assert Room.objects.filter(workshop=workshop, round=2).count() == 0


def test_a_late_joiner_in_round_two_avoids_their_earlier_room_mates(make_workshop):
    workshop = lobby(make_workshop, people=8, rooms=2, rounds=2)
    run_round(workshop)
    services.start_breakouts(workshop)
    workshop.refresh_from_db()
    # A person who left and came back (same e-mail is not needed: the seat is theirs).
    returning = workshop.participants.first()
    earlier_mates = set(
        Seat.objects.filter(room=returning.seats.get(round=1).room)
        .exclude(participant=returning).values_list("participant_id", flat=True)
    )
    Participant.objects.filter(pk=returning.pk).update(room=None)
    Seat.objects.filter(participant=returning, round=2).delete()
    returning.refresh_from_db()
    room = services.place_late_joiner(returning)
    assert room.round == 2
    now_with = set(room.members.exclude(pk=returning.pk).values_list("pk", flat=True))
    assert len(now_with & earlier_mates) == min(
        len(set(r.members.values_list("pk", flat=True)) & earlier_mates)
        for r in Room.objects.current(workshop)
        if r.members.count() == room.members.count() - 1 or r.pk == room.pk
    )
    assert returning.seats.get(round=2).room_id == room.pk


def test_rounds_setting_has_clear_errors(make_workshop):
    workshop = lobby(make_workshop, rounds=2)
    data = {
        "title": "T", "define_minutes": 10, "root_causes_minutes": 10,
        "alternatives_minutes": 10, "selection_minutes": 10, "plan_minutes": 10,
        "votes_per_member": 3, "question_value": "Q1", "question_change": "Q2",
        "room_count": 2,
    }
    for bad in (0, 6):
        form = WorkshopForm({**data, "rounds": bad}, instance=workshop)
        assert not form.is_valid()
        assert form.errors["rounds"] == ["Enter a number from 1 to 5."]
    run_round(workshop)
    run_round(workshop)
    form = WorkshopForm({**data, "rounds": 1}, instance=workshop)
    assert form.errors["rounds"] == ["2 rounds have already started: keep at least 2."]
    assert WorkshopForm({**data, "rounds": 3}, instance=workshop).is_valid()


# -- access ---------------------------------------------------------------------------------


def test_a_round_two_participant_opens_only_their_current_room(participant_client, make_workshop):
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    run_round(workshop)
    services.start_breakouts(workshop)
    person = workshop.participants.first()
    client = participant_client(person)
    own = person.room.number
    other = 3 - own
    assert person.room.round == 2
    assert client.get(reverse("breakouts:room", args=[workshop.join_code, own])).status_code == 200
    response = client.get(reverse("breakouts:room", args=[workshop.join_code, other]))
    assert response.status_code == 403
    # The room URL means the current round: round 1's rooms are read in the report.
    response = client.get(reverse("breakouts:room", args=[workshop.join_code, own]))
    assert response.context["room"].round == 2


# -- the report and the network ----------------------------------------------------------------


def test_report_groups_rooms_by_round_with_their_members(make_workshop):
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    run_round(workshop)
    run_round(workshop)
    report = build_report(workshop)
    assert [(r["round"], r["number"]) for r in report["rooms"]] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert report["rooms"][0]["name"] == "Round 1 · Room 1"
    for room in report["rooms"]:
        assert len(room["members"]) == 3
    person = workshop.participants.first()
    mine = build_report(workshop, participant=person)
    assert [r["round"] for r in mine["rooms"]] == [1, 2]
    assert all(person.pk in {m["id"] for m in r["members"]} for r in mine["rooms"])


def test_network_counts_everyone_met_across_rounds(participant_client, make_workshop):
    workshop = lobby(make_workshop, people=12, rooms=4, rounds=2)
    run_round(workshop)
    run_round(workshop)
    person = workshop.participants.first()
    rooms = person.seats.values_list("room_id", flat=True)
    expected = set(
        Seat.objects.filter(room_id__in=rooms).exclude(participant=person)
        .values_list("participant_id", flat=True)
    )
    assert len(expected) == 4  # 2 + 2 new people: round 2 repeats nobody
    assert {p.pk for p in people_met(person)} == expected
    response = participant_client(person).get(
        reverse("report:network", args=[workshop.join_code])
    )
    assert "You met 4 people across the rounds." in response.content.decode()
    assert {m.pk for m in response.context["mates"]} == expected


def test_connections_count_pairs_once_and_per_round(facilitator_client, make_workshop):
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    run_round(workshop)
    run_round(workshop)
    counts = connection_counts(workshop)
    first, second = (room_pairs(seated_rooms(workshop, n)) for n in (1, 2))
    assert counts["pairs"] == len(first | second)
    assert [(r["round"], r["pairs"]) for r in counts["rounds"]] == [(1, 6), (2, 6)]
    response = facilitator_client.get(reverse("report:network", args=[workshop.join_code]))
    assert "Room-mate pairs per round" in response.content.decode()


def test_met_before_spans_every_round_of_an_earlier_workshop(make_workshop):
    earlier = lobby(make_workshop, rounds=2)
    run_round(earlier)
    run_round(earlier)
    # Round 2 repeats no pair, so this pair sat together only in round 1.
    first_round_pair = seated_rooms(earlier, 1)[0][:2]
    assert frozenset(first_round_pair) not in room_pairs(seated_rooms(earlier, 2))
    emails = set(
        Participant.objects.filter(pk__in=first_round_pair).values_list("email", flat=True)
    )
    later = lobby(make_workshop)
    assert frozenset(emails) in met_before(later)
    ids = set(later.participants.filter(email__in=emails).values_list("pk", flat=True))
    assert frozenset(ids) in planning.met_before_pairs(later, list(later.participants.all()))


def test_an_earlier_rounds_room_is_read_only_even_for_a_facilitator_who_joined_it(
    make_workshop, facilitator
):
    workshop = lobby(make_workshop, people=6, rooms=2, rounds=2)
    run_round(workshop)
    old = Room.objects.get(workshop=workshop, round=1, number=1)
    actor = Actor(workshop_id=workshop.pk, room_id=old.pk, user_id=facilitator.pk,
                  role="facilitator")
    assert ops.load_room(actor).pk == old.pk  # round 1 is still the current round
    services.start_breakouts(workshop)
    with pytest.raises(OpError) as refused:
        ops.load_room(actor)
    assert refused.value.code == "forbidden"


def test_without_script_the_confirmation_names_the_new_round(facilitator_client, make_workshop):
    workshop = lobby(make_workshop)
    run_round(workshop)
    page = facilitator_client.post(start_url(workshop)).content.decode()
    assert "Start round 2" in page and "Rooms continue where they stopped" not in page
    assert not Room.objects.filter(workshop=workshop, round=2).exists()


# -- found by trying two rounds as a facilitator --------------------------------------------


def start_round_two(workshop):
    run_round(workshop)
    services.start_breakouts(workshop)
    workshop.refresh_from_db()


def test_the_control_room_shows_the_current_rounds_rooms_once(facilitator_client, make_workshop):
    workshop = lobby(make_workshop)
    start_round_two(workshop)
    page = facilitator_client.get(reverse("breakouts:control", args=[workshop.join_code]))
    html = page.content.decode()
    assert html.count('class="card room-card') == 4
    assert [html.count(f'data-room="{n}"') for n in (1, 2, 3, 4)] == [1, 1, 1, 1]


def test_the_plenary_has_one_tab_per_room_of_the_current_round(facilitator_client, make_workshop):
    workshop = lobby(make_workshop)
    start_round_two(workshop)
    workshop.go_to_plenary()
    page = facilitator_client.get(reverse("breakouts:plenary", args=[workshop.join_code]))
    assert [tab["number"] for tab in page.context["rooms"]] == [1, 2, 3, 4]


def test_meeting_exports_between_rounds_follow_the_next_rounds_plan(
    facilitator_client, make_workshop
):
    from calls.rosters import meeting_plan

    workshop = lobby(make_workshop)
    run_round(workshop)
    facilitator_client.get(plan_url(workshop))  # drafts round 2
    workshop.refresh_from_db()
    assert workshop.draft_plan["round"] == 2
    plan = meeting_plan(workshop)
    assert plan.from_draft
    exported = sorted(sorted(p.pk for p in room.members) for room in plan.rooms)
    assert exported == sorted(sorted(room) for room in workshop.draft_plan["rooms"])
    assert not room_pairs(exported) & room_pairs(seated_rooms(workshop, 1))



def test_an_earlier_rounds_open_help_request_does_not_reach_the_next_rounds_room(
    facilitator_client, make_workshop
):
    workshop = lobby(make_workshop)
    first = run_round(workshop)
    asker = first[0].members.first()
    HelpRequest.objects.create(room=first[0], participant=asker, message="Stuck in round 1")
    services.start_breakouts(workshop)
    workshop.refresh_from_db()
    assert workshop.current_round == 2
    assert list(HelpRequest.objects.open_in(workshop)) == []
    page = facilitator_client.get(
        reverse("breakouts:control", args=[workshop.join_code])
    ).content.decode()
    assert "Stuck in round 1" not in page
