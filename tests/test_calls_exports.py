"""The rooms carried into Zoom and Teams (issue: calls): Zoom's pre-assignment CSV and the
per-room roster, from the draft plan before breakouts and from the rooms after."""

import csv
import io

import pytest
from django.urls import reverse

from breakouts import services
from calls.models import CallSettings, RoomCall
from workshops.models import Attribute, Participant, Workshop

pytestmark = pytest.mark.django_db

ZOOM_HEADER = ["Pre-assign Room Name", "Email Address"]


def rows(response):
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def url(name, workshop):
    return reverse(f"calls:{name}", args=[workshop.join_code])


@pytest.fixture
def running(make_workshop):
    """Breakouts in two rooms; everyone has an e-mail but P2-2; one e-mail looks like a
    formula (a valid address all the same)."""
    built = make_workshop(rooms=2, members=3)
    for room, people in built.people.items():
        for index, person in enumerate(people):
            person.email = f"p{room}{index}@example.com"
            person.save()
    built.people[2][2].email = ""
    built.people[2][2].save()
    built.people[1][1].email = "=cmd@example.com"
    built.people[1][1].name = "=HYPERLINK(\"http://x\")"
    built.people[1][1].save()
    return built


def test_zoom_csv_has_zooms_header_and_one_row_per_person_with_an_email(
    running, facilitator_client
):
    table = rows(facilitator_client.get(url("zoom_csv", running.workshop)))
    assert table[0] == ZOOM_HEADER
    body = table[1:]
    assert len(body) == 5  # six people, one without an e-mail
    assert ["Room 1", "p10@example.com"] in body
    assert ["Room 1", "'=cmd@example.com"] in body  # neutralised, not run as a formula
    assert [r[1] for r in body if r[0] == "Room 2"] == ["p20@example.com", "p21@example.com"]
    for name, _email in body:
        # Names Zoom accepts: short, no comma, nothing a spreadsheet would evaluate.
        assert len(name) <= 32 and "," not in name and name[0].isalpha()
    text = facilitator_client.get(url("zoom_csv", running.workshop)).content.decode()
    assert not text.startswith("\ufeff")  # Zoom matches the header literally
    assert text.startswith("Pre-assign Room Name,Email Address\r\n")


def test_roster_csv_lists_everyone_by_room_with_a_warning_for_missing_emails(
    running, facilitator_client
):
    response = facilitator_client.get(url("roster_csv", running.workshop))
    assert response.content.decode().startswith("\ufeff")  # spreadsheets read it as UTF-8
    table = rows(response)
    assert table[0] == ["Room", "Name", "Department", "Location", "E-mail"]
    assert len(table) == 7
    assert ["Room 2", "P2-2", "HR", "Lima", "(no e-mail: add by hand)"] in table
    assert ["Room 1", "'=HYPERLINK(\"http://x\")", "IT", "Oslo", "'=cmd@example.com"] in table


def test_printable_roster_shows_every_room_and_flags_people_without_email(
    running, facilitator_client
):
    page = facilitator_client.get(url("roster", running.workshop)).content.decode()
    assert page.count('class="col roster-room"') == 2
    assert "1 person has no e-mail" in page and "no e-mail</strong>" in page
    assert "data-print" in page and "css/print" in page


@pytest.fixture
def lobby(make_workshop):
    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0, challenges=["Silos"],
                             room_count=3, target_room_size=None).workshop
    for index, (name, department) in enumerate(
        [("Ana", "Sales"), ("Ben", "IT"), ("Cy", "Sales"), ("Di", "IT"), ("Ed", "HR")]
    ):
        Participant.objects.create(
            workshop=workshop, name=name, department=department, location="Lyon",
            email="" if name == "Ed" else f"{name.lower()}{index}@example.com",
        )
    return workshop


def test_the_plan_page_downloads_the_draft_numbered_as_breakouts_will_number_it(
    lobby, facilitator_client
):
    facilitator_client.get(reverse("breakouts:plan", args=[lobby.join_code]))
    lobby.refresh_from_db()
    by_name = {p.pk: p for p in lobby.participants.all()}
    # Empty the first room by hand: starting breakouts skips empty rooms and numbers on.
    draft = lobby.draft_plan
    draft["rooms"] = [[], draft["rooms"][0] + draft["rooms"][1], draft["rooms"][2]]
    lobby.draft_plan = draft
    lobby.save()
    page = facilitator_client.get(reverse("breakouts:plan", args=[lobby.join_code]))
    text = page.content.decode()
    assert f'href="{url("zoom_csv", lobby)}"' in text
    assert "1 person has no e-mail" in text and "Ed → Room" in text
    planned = {
        by_name[pid].email: f"Room {number}"
        for number, ids in enumerate([r for r in draft["rooms"] if r], start=1) for pid in ids
        if by_name[pid].email
    }
    table = rows(facilitator_client.get(url("zoom_csv", lobby)))
    assert dict((email, room) for room, email in table[1:]) == planned
    # What was downloaded is what starting breakouts makes.
    rooms = services.start_breakouts(lobby)
    started = {p.email: f"Room {room.number}" for room in rooms for p in room.members.all()
               if p.email}
    assert started == planned
    after = rows(facilitator_client.get(url("zoom_csv", lobby)))
    assert dict((email, room) for room, email in after[1:]) == planned


def test_people_who_joined_after_the_plan_are_named_as_missing(lobby, facilitator_client):
    facilitator_client.get(reverse("breakouts:plan", args=[lobby.join_code]))
    Participant.objects.create(workshop=lobby, name="Late", department="HR", location="Oslo",
                               email="late@example.com")
    text = facilitator_client.get(reverse("breakouts:plan", args=[lobby.join_code]))
    assert "1 person joined after this plan and is in none of these files" in text.content.decode()
    table = rows(facilitator_client.get(url("zoom_csv", lobby)))
    assert "late@example.com" not in {email for _room, email in table}


def test_nothing_to_export_before_a_plan(make_workshop, facilitator_client):
    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0).workshop
    response = facilitator_client.get(url("zoom_csv", workshop), follow=True)
    assert response.redirect_chain[-1][0] == url("settings", workshop)
    assert "plan the rooms first" in response.content.decode()


@pytest.fixture
def with_attributes_and_links(running):
    """The running rooms with a free-text attribute and our own links (room 2 its own)."""
    workshop = running.workshop
    team = Attribute.objects.create(workshop=workshop, label="Team", kind="text", required=False)
    person = running.people[1][0]
    person.attributes = {team.key: "=Blue"}
    person.save()
    CallSettings.objects.create(
        workshop=workshop, mode=CallSettings.Mode.LINKS,
        link_pattern="https://meet.example.com/peer-{room}",
    )
    RoomCall.objects.create(workshop=workshop, number=2, link="https://zoom.example.com/j/2")
    return running


def test_roster_csv_carries_the_attributes_and_each_rooms_link(
    with_attributes_and_links, facilitator_client
):
    table = rows(facilitator_client.get(url("roster_csv", with_attributes_and_links.workshop)))
    assert table[0] == [
        "Room", "Name", "Department", "Location", "Team", "E-mail", "Call link"
    ]
    assert ["Room 1", "P1-0", "Sales", "Lima", "'=Blue", "p10@example.com",
            "https://meet.example.com/peer-1"] in table  # the formula stays neutralised
    assert ["Room 2", "P2-2", "HR", "Lima", "", "(no e-mail: add by hand)",
            "https://zoom.example.com/j/2"] in table


def test_roster_csv_has_no_link_column_outside_links_mode(running, facilitator_client):
    CallSettings.objects.create(
        workshop=running.workshop, mode=CallSettings.Mode.MEETING,
        link_pattern="https://meet.example.com/peer-{room}",
    )
    table = rows(facilitator_client.get(url("roster_csv", running.workshop)))
    assert "Call link" not in table[0]


def test_printable_roster_shows_the_attributes_and_each_rooms_link(
    with_attributes_and_links, facilitator_client
):
    response = facilitator_client.get(url("roster", with_attributes_and_links.workshop))
    page = response.content.decode()
    assert '<th scope="col">Team</th>' in page
    assert '<td data-label="Team">=Blue</td>' in page
    assert '<a href="https://meet.example.com/peer-1">' in page
    assert '<a href="https://zoom.example.com/j/2">' in page
