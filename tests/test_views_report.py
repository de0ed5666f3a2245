import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from report_helpers import make_workshop, member, sign_in_participant

from followup.models import DebriefAnswer

pytestmark = pytest.mark.django_db


def report_url(workshop):
    return reverse("report:report", args=[workshop.join_code])


def test_facilitator_sees_every_room_and_the_debrief(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    DebriefAnswer.record(
        member(workshop, 1), answer_value="Trust grew", answer_change="Ask peers",
        choices=["Trust and honesty"],
    )
    response = facilitator_client.get(report_url(workshop))
    assert response.status_code == 200
    html = response.content.decode()
    for n in (1, 2):
        assert f'id="room-{n}"' in html
        assert f"Problem of room {n}" in html
        assert f"Task {n}.0" in html
    assert "Manual forms" in html and "Buddy system 1" in html and "Cheapest to try" in html
    assert "Weekly check-in, room 1" in html
    assert "Trust grew" in html and "R1 P0" in html
    assert "New cross-department connections" in html
    assert 'data-print' in html


def test_hide_names_leaves_answers_but_not_who_gave_them(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1, per_room=2)
    DebriefAnswer.record(member(workshop, 1, 1), answer_value="Trust grew", answer_change="",
                         choices=[])
    html = facilitator_client.get(report_url(workshop) + "?names=hide").content.decode()
    answers = html.split('id="debrief-answers"')[1]
    assert "Trust grew" in answers
    assert "R1 P1" not in answers


def test_participant_sees_only_their_room_and_the_debrief_summary(client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    DebriefAnswer.record(member(workshop, 2), answer_value="Secret reflection",
                         answer_change="", choices=["Listen more"])
    sign_in_participant(client, member(workshop, 1, 1))
    response = client.get(report_url(workshop))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="room-1"' in html and "Problem of room 1" in html
    assert 'id="room-2"' not in html and "Problem of room 2" not in html
    assert "Listen more" in html  # the chart of common answers
    assert "Secret reflection" not in html
    assert "debrief-answers" not in html


def test_outsider_facilitator_gets_404(outsider_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    assert outsider_client.get(report_url(workshop)).status_code == 404


def test_anonymous_visitor_gets_404(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    assert client.get(report_url(workshop)).status_code == 404


def test_participant_of_another_workshop_gets_404(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    other = make_workshop(facilitator, rooms=1, title="Other")
    sign_in_participant(client, member(other, 1))
    assert client.get(report_url(workshop)).status_code == 404


def test_report_query_count_does_not_grow_with_rooms(facilitator_client, facilitator):
    small = make_workshop(facilitator, rooms=2, title="Small")
    large = make_workshop(facilitator, rooms=8, per_room=4, title="Large")
    counts = []
    for workshop in (small, large):
        facilitator_client.get(report_url(workshop))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert facilitator_client.get(report_url(workshop)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
