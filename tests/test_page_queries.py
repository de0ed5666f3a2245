"""The facilitator's pages cost a fixed number of queries: a workshop of 6 rooms x 5 with content
in every step costs what one of 2 rooms x 3 does (issue #16; bench/pages.py times them at
100 rooms x 10)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from report_helpers import make_workshop

from breakouts.models import Broadcast, HelpRequest
from followup.models import DebriefAnswer
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

PAGES = [
    "workshops:detail",
    "workshops:roster",
    "breakouts:control",
    "breakouts:plenary",
    "report:tracker",
    "report:debrief_results",
    "report:report",
    "report:report_json",
    "report:actions_csv",
]


def finished(owner, rooms, per_room, title):
    """A workshop in the debrief phase: every step's content (report_helpers), an open help
    request and a broadcast per room, everyone's debrief answer."""
    workshop = make_workshop(owner, rooms=rooms, per_room=per_room, title=title)
    for room in workshop.rooms.all():
        scribe = room.members.first()
        HelpRequest.objects.create(room=room, participant=scribe, message="Stuck")
        Broadcast.objects.create(workshop=workshop, room=room, message=f"Hi {room.number}")
    for person in workshop.participants.all():
        DebriefAnswer.objects.create(workshop=workshop, participant=person,
                                     answer_value="Time to think", answer_change="Less email",
                                     choices=workshop.debrief_choice_list[:1])
    return workshop


def count_queries(client, url):
    client.get(url)  # warm up: session, content types, a first plan
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("name", PAGES)
def test_page_queries_do_not_grow_with_rooms_and_people(facilitator_client, facilitator, name):
    small = finished(facilitator, 2, 3, "Small")
    big = finished(facilitator, 6, 5, "Big")
    urls = [reverse(name, args=[workshop.join_code]) for workshop in (small, big)]
    baseline, measured = (count_queries(facilitator_client, url) for url in urls)
    assert len(measured) == len(baseline), measured
    assert len(measured) <= 20


def test_plan_page_queries_do_not_grow_with_people(facilitator_client, make_workshop):
    urls = []
    for people in (6, 40):
        workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0).workshop
        Participant.objects.bulk_create(
            Participant(workshop=workshop, name=f"P{i}", department=("Sales", "IT")[i % 2],
                        location="Oslo") for i in range(people)
        )
        urls.append(reverse("breakouts:plan", args=[workshop.join_code]))
    baseline, measured = (count_queries(facilitator_client, url) for url in urls)
    assert len(measured) == len(baseline), measured


def test_plan_page_grows_with_people_not_with_people_times_rooms(facilitator_client,
                                                                 make_workshop):
    """A row per person, one move control: 60 people in 30 rooms cost about what 60 rows do
    (a room select per person made 1,000 people in 200 rooms a 9 MB page)."""
    sizes = []
    for people in (6, 60):
        workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0, room_count=people // 2,
                                 target_room_size=None).workshop
        Participant.objects.bulk_create(
            Participant(workshop=workshop, name=f"P{i:03d}", department=("Sales", "IT")[i % 2],
                        location="Oslo") for i in range(people)
        )
        response = facilitator_client.get(reverse("breakouts:plan", args=[workshop.join_code]))
        assert len(response.context["plan"].rooms) == people // 2
        sizes.append(len(response.content))
    per_person = (sizes[1] - sizes[0]) / (60 - 6)
    assert per_person < 1200, per_person


@pytest.mark.parametrize("name", ["workshops:detail", "workshops:roster"])
def test_dashboard_queries_do_not_grow_with_invited_people(facilitator_client, make_workshop,
                                                           name):
    """Imported people who never opened their link are counted and named apart (3 vs 60:
    fewer and more than the dashboard names)."""
    urls = []
    for invited in (3, 60):
        workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0).workshop
        Participant.objects.bulk_create(
            Participant(workshop=workshop, name=f"P{i}", department="Sales", location="Oslo",
                        imported=True) for i in range(invited)
        )
        urls.append(reverse(name, args=[workshop.join_code]))
    baseline, measured = (count_queries(facilitator_client, url) for url in urls)
    assert len(measured) == len(baseline), measured
