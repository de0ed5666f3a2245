"""The control room page and the plenary pages: who sees what, and what it costs."""

import datetime

import pytest
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from breakouts.models import Broadcast, HelpRequest, Item, Note
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def control_url(workshop):
    return reverse("breakouts:control", args=[workshop.join_code])


def plenary_url(workshop):
    return reverse("breakouts:plenary", args=[workshop.join_code])


def with_work(workshop, rooms, people):
    """Gives every room a note, items of each kind, a help request and a broadcast."""
    for room in rooms:
        scribe = people[room.number][0]
        Note.objects.create(room=room, step="define", text=f"Problem of room {room.number}")
        for step, text in [("root_causes", "Silos"), ("alternatives", "Rotate"),
                           ("plan", "Pilot")]:
            Item.objects.create(room=room, step=step, text=text, author=scribe,
                                category="process" if step == "root_causes" else "")
        HelpRequest.objects.create(room=room, participant=scribe, message="Stuck")
        Broadcast.objects.create(workshop=workshop, room=room, message=f"Hi {room.number}")


# -- the control room -----------------------------------------------------------------------


def test_facilitator_sees_every_room_as_a_card(facilitator_client, facilitator, setup):
    workshop, rooms, people = setup
    with_work(workshop, rooms, people)
    response = facilitator_client.get(control_url(workshop))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-room="1"' in content and 'data-room="2"' in content
    assert f"/ws/w/{workshop.join_code}/control/" in content
    assert "P1-0" in content and "Hi 2" in content
    assert "2 rooms defining the problem" in content
    assert f"{rooms[0].get_absolute_url()}?as=facilitator" in content
    cards = response.context["cards"]
    assert cards[0]["counts"]["root_causes"] == 1
    assert cards[0]["notes"]["define"]["text"] == "Problem of room 1"
    assert [r["message"] for r in cards[0]["help"]] == ["Stuck"]
    assert response.context["participant_total"] == 6


def test_control_room_links_follow_the_phase(facilitator_client, setup):
    # During breakouts: the dashboard, not the report; afterwards the report pages too.
    workshop, _rooms, _people = setup
    links = {
        "report": reverse("report:report", args=[workshop.join_code]),
        "results": reverse("report:debrief_results", args=[workshop.join_code]),
        "plenary": plenary_url(workshop),
    }
    content = facilitator_client.get(control_url(workshop)).content.decode()
    assert workshop.get_absolute_url() in content
    assert f'href="{links["report"]}"' not in content
    assert f'href="{links["results"]}"' not in content
    workshop.phase = workshop.Phase.DEBRIEF
    workshop.save()
    content = facilitator_client.get(control_url(workshop)).content.decode()
    for url in links.values():
        assert f'href="{url}"' in content


def test_outsider_facilitator_gets_404(outsider_client, setup):
    workshop, _rooms, _people = setup
    assert outsider_client.get(control_url(workshop)).status_code == 404


def test_participant_gets_404(setup, participant_client):
    workshop, _rooms, people = setup
    assert participant_client(people[1][0]).get(control_url(workshop)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, setup):
    workshop, _rooms, _people = setup
    response = client.get(control_url(workshop))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("rooms", [2, 50])
def test_control_room_queries_do_not_grow_with_rooms(facilitator_client, make_workshop, rooms):
    """Both sizes must cost exactly what a 2-room workshop costs."""
    small, small_rooms, small_people = make_workshop(rooms=2, members=3)
    with_work(small, small_rooms, small_people)
    big, big_rooms, big_people = make_workshop(rooms=rooms, members=5)
    with_work(big, big_rooms, big_people)
    facilitator_client.get(control_url(small))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as baseline:
        assert facilitator_client.get(control_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as measured:
        assert facilitator_client.get(control_url(big)).status_code == 200
    assert len(measured) == len(baseline), [q["sql"] for q in measured]
    assert len(measured) < 30


def test_control_room_finishes_a_closing_that_ran_out(facilitator_client, setup):
    workshop, _rooms, _people = setup
    Workshop.objects.filter(pk=workshop.pk).update(
        closing_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = facilitator_client.get(control_url(workshop))
    assert response.status_code == 200
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.PLENARY and workshop.closing_at is None


# -- the plenary ----------------------------------------------------------------------------


def test_facilitator_presents_every_room(facilitator_client, setup):
    # Every room is a tab; the page holds the presented room (the first before any) and
    # fetches the others as the presenter moves (static/js/plenary.js).
    workshop, rooms, people = setup
    with_work(workshop, rooms, people)
    workshop.go_to_plenary()
    response = facilitator_client.get(plenary_url(workshop))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Problem of room 1" in content and "Problem of room 2" not in content
    assert f"/ws/w/{workshop.join_code}/control/" in content
    assert [room["number"] for room in response.context["rooms"]] == [1, 2]
    assert 'data-present="2"' in content
    fragment = facilitator_client.get(
        reverse("breakouts:plenary_room", args=[workshop.join_code, 2])).content.decode()
    assert "Problem of room 2" in fragment
    workshop.present(rooms[1])
    content = facilitator_client.get(plenary_url(workshop)).content.decode()
    assert "Problem of room 2" in content and "Problem of room 1" not in content


def test_participant_follows_the_presented_room_only(setup, participant_client):
    workshop, rooms, people = setup
    with_work(workshop, rooms, people)
    workshop.go_to_plenary()
    Workshop.objects.filter(pk=workshop.pk).update(presenting_room=rooms[1])
    client = participant_client(people[1][0])
    response = client.get(plenary_url(workshop))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Problem of room 2" in content and "Problem of room 1" not in content
    assert f'"/ws/w/{workshop.join_code}/"' in content
    assert static("js/workshop_signals.js") in content


def test_participant_outside_plenary_goes_to_the_lobby(setup, participant_client):
    workshop, _rooms, people = setup
    response = participant_client(people[1][0]).get(plenary_url(workshop))
    assert response.status_code == 302
    assert response.url == reverse("workshops:lobby", args=[workshop.join_code])


def test_participant_whose_countdown_ran_out_finishes_the_closing(setup, participant_client):
    workshop, _rooms, people = setup
    Workshop.objects.filter(pk=workshop.pk).update(
        closing_at=timezone.now() - datetime.timedelta(seconds=3)
    )
    response = participant_client(people[1][0]).get(plenary_url(workshop))
    assert response.status_code == 200
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.PLENARY


def test_a_closing_still_counting_down_is_left_alone(setup, participant_client):
    workshop, _rooms, people = setup
    Workshop.objects.filter(pk=workshop.pk).update(
        closing_at=timezone.now() + datetime.timedelta(seconds=30)
    )
    response = participant_client(people[1][0]).get(plenary_url(workshop))
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.BREAKOUTS


def test_outsider_and_strangers_get_404_from_the_plenary(client, outsider_client, setup):
    workshop, _rooms, _people = setup
    workshop.go_to_plenary()
    assert outsider_client.get(plenary_url(workshop)).status_code == 404
    assert client.get(plenary_url(workshop)).status_code == 404


def test_presented_room_fragment_for_a_following_participant(setup, participant_client):
    workshop, rooms, people = setup
    with_work(workshop, rooms, people)
    workshop.go_to_plenary()
    Workshop.objects.filter(pk=workshop.pk).update(presenting_room=rooms[1])
    client = participant_client(people[1][0])

    def fragment(number):
        return client.get(
            reverse("breakouts:plenary_room", args=[workshop.join_code, number])
        )

    response = fragment(2)
    assert response.status_code == 200
    assert b"Problem of room 2" in response.content
    assert b"<html" not in response.content
    assert fragment(1).status_code == 200  # their own room
    Workshop.objects.filter(pk=workshop.pk).update(presenting_room=None)
    assert fragment(2).status_code == 403


def test_room_fragment_refuses_outsiders(client, outsider_client, setup):
    workshop, _rooms, _people = setup
    url = reverse("breakouts:plenary_room", args=[workshop.join_code, 1])
    assert outsider_client.get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_plenary_renders_user_text_escaped(facilitator_client, setup):
    workshop, rooms, _people = setup
    Note.objects.create(room=rooms[0], step="define", text="<script>alert(1)</script>")
    workshop.go_to_plenary()
    content = facilitator_client.get(plenary_url(workshop)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_control_room_tiles_render_user_text_escaped(facilitator_client, setup):
    workshop, rooms, people = setup
    scribe = people[1][0]
    scribe.name = '<b>Bo & "Co"</b>'
    scribe.save()
    rooms[0].challenge = workshop.challenges.create(title="<i>Silos</i>")
    rooms[0].save()
    Note.objects.create(room=rooms[0], step="define", text="<script>alert(1)</script>")
    HelpRequest.objects.create(room=rooms[0], participant=scribe, message="<u>Stuck</u>")
    content = facilitator_client.get(control_url(workshop)).content.decode()
    for raw in ("<script>alert(1)", "<i>Silos", "<u>Stuck", "<b>Bo"):
        assert raw not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;i&gt;Silos&lt;/i&gt;" in content
    assert "&lt;b&gt;Bo &amp; &quot;Co&quot;&lt;/b&gt;: &lt;u&gt;Stuck&lt;/u&gt;" in content


# -- participant pages carry the signals ----------------------------------------------------


def test_room_and_lobby_pages_include_the_workshop_signals(setup, participant_client):
    workshop, rooms, people = setup
    client = participant_client(people[1][0])
    room_page = client.get(rooms[0].get_absolute_url()).content.decode()
    assert "data-workshop-signals" in room_page and static("js/workshop_signals.js") in room_page
    assert plenary_url(workshop) in room_page
    workshop.go_to_plenary()
    lobby = client.get(reverse("workshops:lobby", args=[workshop.join_code])).content.decode()
    assert "data-workshop-signals" in lobby
