"""A call per room (issue: calls): each room page shows its own call and no other room's; the
facilitator's calls page validates what it stores; the Jitsi origin reaches the policy only
on pages that draw a call."""

import re

import pytest
from django.urls import reverse

from calls.models import CallSettings, RoomCall, new_token
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

JITSI = "https://meet.example.org"


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def built(make_workshop):
    return make_workshop(rooms=2, members=2)


def use(workshop, mode, **fields):
    return CallSettings.objects.update_or_create(
        workshop=workshop, defaults={"mode": mode, **fields}
    )[0]


def tokens_in(text):
    return set(re.findall(r"rt-([0-9a-f]{32})", text))


def test_each_member_gets_their_own_rooms_jitsi_call_and_never_another(
    built, participant_client, facilitator_client, outsider_client, settings
):
    settings.JITSI_URL = JITSI
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.JITSI)
    one = participant_client(people[1][1]).get(rooms[0].get_absolute_url())
    two = participant_client(people[2][1]).get(rooms[1].get_absolute_url())
    token_1 = RoomCall.objects.get(workshop=workshop, number=1).token
    token_2 = RoomCall.objects.get(workshop=workshop, number=2).token
    assert tokens_in(one.content.decode()) == {token_1}
    assert tokens_in(two.content.decode()) == {token_2}
    assert token_1 != token_2
    assert 'data-call-name="P2-1"' in two.content.decode()
    # A member of room 2 asking for room 1 gets no page at all, so no call name either.
    denied = participant_client(people[2][1]).get(rooms[0].get_absolute_url())
    assert denied.status_code == 403
    assert token_1 not in denied.content.decode()
    stranger = outsider_client.get(rooms[0].get_absolute_url())
    assert stranger.status_code == 404
    assert not tokens_in(stranger.content.decode())
    # The facilitator may look into room 1 and join its call on purpose (no autostart).
    host = facilitator_client.get(rooms[0].get_absolute_url()).content.decode()
    assert tokens_in(host) == {token_1}
    assert "data-call-autostart" not in host
    assert "data-call-autostart" in one.content.decode()


def test_call_names_are_unguessable_and_stable_for_the_workshop(built, participant_client,
                                                               make_workshop, settings):
    settings.JITSI_URL = JITSI
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.JITSI)
    client = participant_client(people[1][0])
    first = tokens_in(client.get(rooms[0].get_absolute_url()).content.decode())
    again = tokens_in(client.get(rooms[0].get_absolute_url()).content.decode())
    assert first == again
    other = make_workshop(rooms=1, members=1)
    use(other.workshop, CallSettings.Mode.JITSI)
    elsewhere = participant_client(other.people[1][0]).get(other.rooms[0].get_absolute_url())
    assert tokens_in(elsewhere.content.decode()).isdisjoint(first)
    (token,) = first
    assert re.fullmatch(r"[0-9a-f]{32}", token)  # 128 random bits
    assert len({new_token() for _ in range(500)}) == 500


def test_own_links_show_each_room_its_link_and_the_pattern_fills_the_rest(
    built, participant_client, facilitator_client
):
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.LINKS, link_pattern="https://meet.example.com/peer-{room}")
    RoomCall.objects.create(workshop=workshop, number=1, link="https://zoom.example/j/111")
    one = participant_client(people[1][0]).get(rooms[0].get_absolute_url()).content.decode()
    two = participant_client(people[2][0]).get(rooms[1].get_absolute_url()).content.decode()
    assert 'href="https://zoom.example/j/111"' in one and "Join your room's call" in one
    assert "peer-2" not in one
    assert 'href="https://meet.example.com/peer-2"' in two
    assert "zoom.example/j/111" not in two
    control = facilitator_client.get(reverse("breakouts:control", args=[workshop.join_code]))
    listed = control.content.decode()
    assert "https://zoom.example/j/111" in listed and "https://meet.example.com/peer-2" in listed


def test_a_room_without_a_link_says_so(built, participant_client):
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.LINKS)
    page = participant_client(people[1][0]).get(rooms[0].get_absolute_url()).content.decode()
    assert "has not set a call link for this room yet" in page


def test_the_jitsi_origin_is_allowed_only_on_pages_that_show_a_call(
    built, participant_client, facilitator_client, settings
):
    settings.JITSI_URL = JITSI
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.JITSI)
    code = workshop.join_code
    member = participant_client(people[1][0])
    room = directives(member.get(rooms[0].get_absolute_url()))
    assert room["script-src"] == ["'self'", JITSI]
    assert room["frame-src"] == [JITSI]
    assert room["default-src"] == ["'self'"] and room["connect-src"][0] == "'self'"
    assert JITSI not in " ".join(room["connect-src"] + room["img-src"] + room["style-src"])
    control = directives(facilitator_client.get(reverse("breakouts:control", args=[code])))
    assert control["frame-src"] == [JITSI]
    workshop.phase = Workshop.Phase.PLENARY
    workshop.save()
    plenary = member.get(reverse("breakouts:plenary", args=[code]))
    assert directives(plenary)["frame-src"] == [JITSI]
    assert CallSettings.objects.get(workshop=workshop).plenary_token in plenary.content.decode()
    for url in (reverse("workshops:lobby", args=[code]), reverse("home"),
                reverse("calls:settings", args=[code]), workshop.get_absolute_url()):
        client = member if "lobby" in url else facilitator_client
        response = client.get(url)
        assert JITSI not in response["Content-Security-Policy"], url


@pytest.mark.parametrize("mode", [CallSettings.Mode.NONE, CallSettings.Mode.LINKS])
def test_no_third_party_origin_without_jitsi_calls(built, participant_client, settings, mode):
    settings.JITSI_URL = JITSI
    workshop, rooms, people = built
    use(workshop, mode, link_pattern="https://meet.example.com/{room}")
    response = participant_client(people[1][0]).get(rooms[0].get_absolute_url())
    assert "frame-src" not in response["Content-Security-Policy"]
    assert "external_api.js" not in response.content.decode()


def test_jitsi_chosen_but_no_server_configured_keeps_the_page_working(
    built, participant_client, settings
):
    settings.JITSI_URL = ""
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.JITSI)
    response = participant_client(people[1][0]).get(rooms[0].get_absolute_url())
    assert response.status_code == 200
    assert "The call is not available" in response.content.decode()
    assert "frame-src" not in response["Content-Security-Policy"]
    assert not RoomCall.objects.exists()


def test_meeting_mode_tells_members_which_breakout_room_to_join(built, participant_client):
    workshop, rooms, people = built
    use(workshop, CallSettings.Mode.MEETING, meeting_link="https://teams.example/l/meetup")
    page = participant_client(people[2][1]).get(rooms[1].get_absolute_url()).content.decode()
    assert "go to breakout room <strong>Room 2</strong>" in page
    workshop.phase = Workshop.Phase.PLENARY
    workshop.save()
    lobby = participant_client(people[2][1]).get(reverse("workshops:lobby",
                                                         args=[workshop.join_code]))
    text = lobby.content.decode()
    assert "go to breakout room <strong>Room 2</strong>" in text
    assert 'href="https://teams.example/l/meetup"' in text


# -- the facilitator's calls page -------------------------------------------------------------


def settings_url(workshop):
    return reverse("calls:settings", args=[workshop.join_code])


def test_facilitator_saves_links_per_room(built, facilitator_client):
    workshop = built.workshop
    response = facilitator_client.post(settings_url(workshop), {
        "mode": "links", "link_pattern": "", "meeting_link": "https://zoom.example/j/all",
        "room_1": "https://zoom.example/j/1", "room_2": " https://zoom.example/j/2 ",
    })
    assert response.status_code == 302
    stored = CallSettings.objects.get(workshop=workshop)
    assert stored.mode == "links" and stored.meeting_link == "https://zoom.example/j/all"
    assert dict(workshop.room_calls.values_list("number", "link")) == {
        1: "https://zoom.example/j/1", 2: "https://zoom.example/j/2",
    }
    page = facilitator_client.get(settings_url(workshop)).content.decode()
    assert 'value="https://zoom.example/j/2"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("room_1", "javascript:alert(1)", "full meeting address"),
        ("room_2", "zoom.example/j/2", "full meeting address"),
        ("meeting_link", "ftp://files.example/x", "full meeting address"),
        ("link_pattern", "https://meet.example.com/team", "Put {room} where"),
        ("link_pattern", "data:{room}", "full meeting address"),
    ],
)
def test_bad_links_are_refused_with_a_field_error_and_nothing_is_saved(
    built, facilitator_client, field, value, message
):
    workshop = built.workshop
    data = {"mode": "links", "link_pattern": "", "meeting_link": "",
            "room_1": "https://zoom.example/j/1", "room_2": "", field: value}
    response = facilitator_client.post(settings_url(workshop), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert f'value="{value}"' in response.content.decode()  # what was typed is kept
    assert not CallSettings.objects.filter(workshop=workshop).exists()
    assert not workshop.room_calls.exclude(link="").exists()


def test_links_mode_needs_some_link(built, facilitator_client):
    response = facilitator_client.post(settings_url(built.workshop), {"mode": "links"})
    assert response.status_code == 400
    assert "at least one room" in response.content.decode()


def test_jitsi_cannot_be_chosen_without_a_jitsi_server(built, facilitator_client, settings):
    settings.JITSI_URL = ""
    response = facilitator_client.post(settings_url(built.workshop), {"mode": "jitsi"})
    assert response.status_code == 400
    assert "JITSI_URL" in response.content.decode()
    settings.JITSI_URL = JITSI
    response = facilitator_client.post(settings_url(built.workshop), {"mode": "jitsi"})
    assert response.status_code == 302
    assert CallSettings.objects.get(workshop=built.workshop).mode == "jitsi"


def test_a_cofacilitator_may_set_calls_an_outsider_may_not(built, bob, bob_client,
                                                          outsider_client):
    built.workshop.cofacilitators.add(bob)
    data = {"mode": "meeting", "meeting_link": "https://zoom.example/j/9"}
    assert outsider_client.post(settings_url(built.workshop), data).status_code == 404
    assert not CallSettings.objects.exists()
    assert bob_client.post(settings_url(built.workshop), data).status_code == 302
    assert CallSettings.objects.get().mode == "meeting"


def test_the_dashboard_links_the_calls_page(built, facilitator_client):
    page = facilitator_client.get(built.workshop.get_absolute_url()).content.decode()
    assert f'href="{settings_url(built.workshop)}"' in page


def mode_inputs(response):
    """Returns {value: the <input> tag} of the mode's radio buttons."""
    page = response.content.decode()
    return {
        re.search(r'value="(\w+)"', tag).group(1): tag
        for tag in re.findall(r'<input[^>]*name="mode"[^>]*>', page)
    }


def test_without_a_jitsi_server_the_jitsi_option_is_disabled_and_says_why(
    built, facilitator_client, settings
):
    settings.JITSI_URL = ""
    response = facilitator_client.get(settings_url(built.workshop))
    inputs = mode_inputs(response)
    assert set(inputs) == {"none", "jitsi", "links", "meeting"}
    assert " disabled" in inputs["jitsi"]
    assert 'aria-describedby="jitsi-unavailable"' in inputs["jitsi"]
    assert 'id="jitsi-unavailable">Jitsi is not available' in response.content.decode()
    for value in ("none", "links", "meeting"):
        assert "disabled" not in inputs[value]
        assert 'class="form-check-input"' in inputs[value]  # Bootstrap's size, not 13 px


def test_with_a_jitsi_server_the_jitsi_option_can_be_chosen(built, facilitator_client, settings):
    settings.JITSI_URL = JITSI
    inputs = mode_inputs(facilitator_client.get(settings_url(built.workshop)))
    assert "disabled" not in inputs["jitsi"] and "aria-describedby" not in inputs["jitsi"]


def test_a_workshop_that_chose_jitsi_before_the_server_went_keeps_it_changeable(
    built, facilitator_client, settings
):
    settings.JITSI_URL = ""
    CallSettings.objects.create(workshop=built.workshop, mode=CallSettings.Mode.JITSI)
    inputs = mode_inputs(facilitator_client.get(settings_url(built.workshop)))
    assert " checked" in inputs["jitsi"] and "disabled" not in inputs["jitsi"]
    assert 'aria-describedby="jitsi-unavailable"' in inputs["jitsi"]
