"""People imported from a roster are invited, not here, until they open their personal link
(`Participant.has_arrived`): the walkthrough's workshop of 4 imported people (2 opened their
links, 2 never did) and 3 who joined by link, on every page that counts people."""

import pytest
from django.test import Client
from django.urls import reverse

from breakouts import services as breakout_services
from breakouts.models import Room, Seat
from followup.models import debrief_counts
from followup.network import people_met
from workshops import services
from workshops.models import Participant, Workshop
from workshops.public_roster import roster
from workshops.snapshot import workshop_state

pytestmark = pytest.mark.django_db

ARRIVED = ["Ann", "Ben", "Jo", "Kim", "Lou"]
NO_SHOWS = ["Nia", "Ned"]


def row(name, department="Sales", location="Lima"):
    return {"name": name, "email": f"{name.lower()}@example.com", "department": department,
            "location": location}


@pytest.fixture
def walkthrough(workshop):
    """Ann, Ben, Nia, Ned imported (Ann and Ben opened their links); Jo, Kim, Lou joined."""
    imported = services.import_participants(
        workshop, [row("Ann"), row("Ben", "Finance"), row("Nia"), row("Ned", "Finance", "Oslo")]
    )
    for person in imported[:2]:
        Client().get(person.get_absolute_url())
    for name, department in (("Jo", "Sales"), ("Kim", "Finance"), ("Lou", "Sales")):
        services.join_workshop(workshop, name=name, department=department, location="Oslo")
    return workshop


def names(people):
    return sorted(p["name"] if isinstance(p, dict) else p.name for p in people)


# -- (a) the facilitator's dashboard ---------------------------------------------------------


def test_dashboard_lists_who_arrived_and_names_the_invited_apart(facilitator_client, walkthrough):
    response = facilitator_client.get(walkthrough.get_absolute_url())
    assert names(response.context["roster_page"].object_list) == ARRIVED
    assert response.context["roster_total"] == len(ARRIVED)
    content = response.content.decode()
    assert "Invited, not here yet: 2" in content
    for person in Participant.objects.filter(name__in=NO_SHOWS):
        assert person.name in content
        assert f'data-participant-id="{person.pk}"' not in content  # no row, no join time
    assert response.context["counts"]["department"] == {"Finance": 2, "Sales": 3}


def test_dashboard_without_invited_people_has_no_invited_section(facilitator_client, workshop):
    services.join_workshop(workshop, name="Jo", department="Sales", location="Oslo")
    content = facilitator_client.get(workshop.get_absolute_url()).content.decode()
    assert "Invited, not here yet" not in content


# -- (b) the participants' lobby ---------------------------------------------------------------


def test_lobby_roster_and_counts_leave_out_the_invited(client, workshop):
    """The walkthrough's lobby said 5 were here when only 1 had joined."""
    services.import_participants(workshop, [row(f"Invited {i}") for i in range(4)])
    services.join_workshop(workshop, name="Jo", department="Sales", location="Oslo")
    here = roster(workshop.pk)
    assert names(here.people) == ["Jo"]
    assert here.counts == {"department": {"Sales": 1}, "location": {"Oslo": 1}}
    assert workshop_state(workshop)["participant_count"] == 1  # the sockets' state frame
    jo = workshop.participants.get(name="Jo")
    client.get(jo.get_absolute_url())
    content = client.get(reverse("workshops:lobby", args=[workshop.join_code])).content.decode()
    assert "Invited 0" not in content


def test_lobby_roster_shows_an_invited_person_once_they_open_their_link(walkthrough):
    assert names(roster(walkthrough.pk).people) == ARRIVED
    Client().get(Participant.objects.get(name="Nia").get_absolute_url())
    assert names(roster(walkthrough.pk).people) == sorted([*ARRIVED, "Nia"])


# -- arriving is announced as joining ----------------------------------------------------------


def test_importing_announces_nobody_to_participants(workshop, capture_events):
    with capture_events() as events:
        services.import_participants(workshop, [row("Nia"), row("Ned")])
    assert events.of_type("participant.joined") == []


def test_first_visit_of_a_personal_link_announces_participant_joined_once(
    walkthrough, capture_events
):
    nia = Participant.objects.get(name="Nia")
    with capture_events() as events:
        Client().get(nia.get_absolute_url())
    nia.refresh_from_db()
    assert events.triples() == [
        ("participant.joined", events[0]["rev"], {"participant": nia.public()})
    ]
    with capture_events() as again:
        Client().get(nia.get_absolute_url())
    assert again == []


def test_a_joiner_opening_their_link_is_not_announced_again(walkthrough, capture_events):
    with capture_events() as events:
        Client().get(Participant.objects.get(name="Jo").get_absolute_url())
    assert events == []


# -- (c) planning and starting breakouts -----------------------------------------------------


def test_plan_page_seats_only_who_arrived_and_says_who_is_not_here(facilitator_client, walkthrough):
    response = facilitator_client.get(reverse("breakouts:plan", args=[walkthrough.join_code]))
    assert names(response.context["participants"]) == ARRIVED
    walkthrough.refresh_from_db()
    planned = {pid for room in walkthrough.draft_plan["rooms"] for pid in room}
    assert planned == set(Participant.objects.filter(name__in=ARRIVED).values_list("pk", flat=True))
    assert "2 invited people have not opened their personal links yet" in (
        response.content.decode()
    )


def test_breakouts_seat_only_who_arrived(walkthrough):
    walkthrough.room_count = 2
    walkthrough.save()
    rooms = breakout_services.start_breakouts(walkthrough)
    for room in rooms:
        assert all(member.has_arrived for member in room.members.all()), room.number
    assert not Seat.objects.filter(participant__name__in=NO_SHOWS).exists()
    assert not Participant.objects.filter(name__in=NO_SHOWS, room__isnull=False).exists()


def test_an_invited_person_who_arrives_during_breakouts_is_seated_as_a_late_joiner(
    walkthrough, capture_events
):
    walkthrough.room_count = 2
    walkthrough.save()
    breakout_services.start_breakouts(walkthrough)
    nia = Participant.objects.get(name="Nia")
    browser = Client()
    with capture_events() as events:
        response = browser.get(nia.get_absolute_url())
    nia.refresh_from_db()
    assert nia.room is not None
    assert Seat.objects.filter(participant=nia, room=nia.room).exists()
    assert [e["assignments"] for e in events.of_type("room.assigned")] == [
        [{"participant": nia.pk, "room": nia.room.number, "url": nia.room.get_absolute_url()}]
    ]
    assert len(events.of_type("participant.joined")) == 1
    lobby = browser.get(response.url)
    assert lobby.url == nia.room.get_absolute_url()


# -- (d) network and debrief -----------------------------------------------------------------


def test_network_and_debrief_count_only_who_arrived(walkthrough):
    walkthrough.room_count = 1
    walkthrough.save()
    breakout_services.start_breakouts(walkthrough)
    jo = Participant.objects.get(name="Jo")
    assert names(people_met(jo)) == [n for n in ARRIVED if n != "Jo"]
    walkthrough.phase = Workshop.Phase.PLENARY
    walkthrough.save()
    assert debrief_counts(walkthrough)["participants"] == len(ARRIVED)
    assert Room.objects.filter(workshop=walkthrough).count() == 1


def test_an_invited_person_confirmed_by_a_facilitator_arrives(
    walkthrough, facilitator_client, capture_events
):
    """Nia never opened her link: she joins by code as herself and a facilitator confirms."""
    new_device = Client()
    nia = Participant.objects.get(name="Nia")
    join = reverse("workshops:join_code", args=[walkthrough.join_code])
    fields = {"name": "Nia", "department": "Sales", "location": "Lima",
              "email": "nia@example.com"}
    response = new_device.post(join, {**fields, "action": "ask_facilitator",
                                      "participant": nia.pk})
    code = response.context["code"]
    rejoin = reverse("workshops:rejoin_confirm", args=[walkthrough.join_code])
    facilitator_client.post(rejoin, {"claim": code, "confirm": "1"})
    with capture_events() as events:
        new_device.get(join)
    assert [e["participant"]["id"] for e in events.of_type("participant.joined")] == [nia.pk]
    assert "Nia" in names(roster(walkthrough.pk).people)


def test_facilitator_removes_an_invited_person_without_telling_the_lobbies(
    facilitator_client, walkthrough, capture_events
):
    ned = Participant.objects.get(name="Ned")
    remove = reverse("workshops:participant_remove", args=[walkthrough.join_code, ned.pk])
    assert remove in facilitator_client.get(walkthrough.get_absolute_url()).content.decode()
    with capture_events() as events:
        facilitator_client.post(remove, {"confirmed": "1"})
    assert not Participant.objects.filter(pk=ned.pk).exists()
    assert events == []
