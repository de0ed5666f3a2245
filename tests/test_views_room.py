"""The room page /w/<code>/rooms/<n>/: who sees it, and user text never becomes HTML."""

import json

import pytest

from breakouts.models import Item, Note

pytestmark = pytest.mark.django_db


def room_url(workshop, number=1):
    return f"/w/{workshop.join_code}/rooms/{number}/"


def page_state(response):
    html = response.content.decode()
    start = html.index('<script id="room-state" type="application/json">') + len(
        '<script id="room-state" type="application/json">'
    )
    return json.loads(html[start:html.index("</script>", start)])


def test_member_sees_own_room_with_socket_path(setup, participant_client):
    workshop, rooms, people = setup
    response = participant_client(people[1][1]).get(room_url(workshop))
    assert response.status_code == 200
    assert response.context["ws_path"] == f"/ws/w/{workshop.join_code}/"
    state = page_state(response)
    assert state["room"]["number"] == 1
    assert state["me"]["participant"]["id"] == people[1][1].pk
    assert rooms[0].get_absolute_url() == room_url(workshop)


def test_facilitator_sees_any_room_read_only_or_joined(setup, facilitator_client):
    workshop, _rooms, _people = setup
    response = facilitator_client.get(room_url(workshop, 2))
    assert response.status_code == 200
    assert response.context["ws_path"] == f"/ws/w/{workshop.join_code}/?room=2"
    assert page_state(response)["me"]["role"] == "observer"
    joined = facilitator_client.get(room_url(workshop, 2) + "?as=facilitator")
    assert joined.context["ws_path"].endswith("?room=2&as=facilitator")
    assert page_state(joined)["me"]["role"] == "facilitator"


def test_outsider_facilitator_gets_404(setup, outsider_client):
    workshop, _rooms, _people = setup
    assert outsider_client.get(room_url(workshop)).status_code == 404


def test_anonymous_gets_404(setup, client):
    workshop, _rooms, _people = setup
    assert client.get(room_url(workshop)).status_code == 404


def test_participant_of_another_room_gets_403(setup, participant_client):
    workshop, _rooms, people = setup
    assert participant_client(people[2][0]).get(room_url(workshop)).status_code == 403


def test_unknown_room_is_404(setup, participant_client):
    workshop, _rooms, people = setup
    assert participant_client(people[1][0]).get(room_url(workshop, 9)).status_code == 404


def test_user_text_is_never_html(setup, participant_client):
    workshop, rooms, people = setup
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    people[1][1].name = attack
    people[1][1].save()
    Note.objects.create(room=rooms[0], step="define", text=attack)
    Item.objects.create(room=rooms[0], step="root_causes", text=attack)
    response = participant_client(people[1][0]).get(room_url(workshop))
    html = response.content.decode()
    assert "<img src=x" not in html and "<script>alert" not in html
    state = page_state(response)
    assert state["room"]["notes"]["define"]["text"] == attack
    assert state["room"]["items"][0]["text"] == attack
