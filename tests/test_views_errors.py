"""Branded error pages with a way back, and no 404 for the browser's favicon request."""

import pytest
from django.urls import reverse
from report_helpers import sign_in_participant
from workshop_builder import build_workshop as make_workshop

pytestmark = pytest.mark.django_db


def test_another_groups_room_says_so_and_points_to_your_room(client, facilitator):
    workshop, rooms, people = make_workshop(facilitator, rooms=2, members=2)
    sign_in_participant(client, people[2][0])
    response = client.get(rooms[0].get_absolute_url())
    assert response.status_code == 403
    page = response.content.decode()
    assert "This is another group&#x27;s room." in page
    assert f'href="{rooms[1].get_absolute_url()}"' in page
    assert "Go to your room" in page


def test_unknown_page_is_branded_with_a_way_home(client):
    response = client.get("/w/NOPE/lobby/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert f'href="{reverse("home")}"' in page
    assert "Roundtable" in page


def test_a_signed_in_facilitator_is_sent_back_to_their_workshops(facilitator_client):
    response = facilitator_client.get("/w/NOPE/manage/")
    assert response.status_code == 404
    assert f'href="{reverse("workshops:list")}"' in response.content.decode()


def test_favicon_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon.")
