"""Joining by code, link and personal link; the participant's lobby and own details."""

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from breakouts.models import Room
from workshops.access import participant_from_session
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


def join_url(workshop):
    return reverse("workshops:join_code", args=[workshop.join_code])


def join(client, workshop, **fields):
    data = {"name": "Ana", "department": "Sales", "location": "Lyon", **fields}
    return client.post(join_url(workshop), data)


# -- the code box -------------------------------------------------------------------------


def test_code_box_redirects_to_the_workshops_form_ignoring_case_and_spaces(client, workshop):
    messy = f" {workshop.join_code[:3].lower()} {workshop.join_code[3:].lower()} "
    response = client.get(reverse("workshops:join"), {"code": messy})
    assert response.status_code == 302
    assert response.url == join_url(workshop)


def test_code_box_rejects_a_malformed_code_with_a_field_error(client):
    response = client.get(reverse("workshops:join"), {"code": "ab"})
    assert response.status_code == 200
    assert "A join code has 6 letters and digits" in response.content.decode()


def test_join_page_without_a_code_shows_the_code_box(client):
    response = client.get(reverse("workshops:join"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


# -- who may join -------------------------------------------------------------------------


def test_unknown_code_gets_a_friendly_404(client, db):
    response = client.get(reverse("workshops:join_code", args=["QQQQQQ"]))
    assert response.status_code == 404
    assert "No workshop with this code" in response.content.decode()


def test_draft_workshop_explains_that_it_is_not_open_yet(client, workshop):
    workshop.phase = Workshop.Phase.DRAFT
    workshop.save()
    response = client.get(join_url(workshop))
    assert response.status_code == 200
    assert "not open for joining yet" in response.content.decode()
    assert join(client, workshop).status_code == 200
    assert not workshop.participants.exists()


def test_draft_workshop_by_link_asks_to_open_the_link_again_not_to_retype_a_code(
    client, workshop
):
    workshop.phase = Workshop.Phase.DRAFT
    workshop.save()
    by_link = client.get(reverse("workshops:join_link", args=[workshop.join_token]))
    page = by_link.content.decode()
    assert "not open for joining yet" in page
    assert "open this link again" in page and "same code" not in page
    by_code = client.get(join_url(workshop)).content.decode()
    assert "with the same code" in by_code and "open this link again" not in by_code


def test_closed_workshop_explains_that_it_has_ended(client, workshop):
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save()
    response = join(client, workshop)
    assert response.status_code == 200
    assert "This workshop has ended" in response.content.decode()
    assert not workshop.participants.exists()


def test_joining_creates_a_participant_and_remembers_the_browser(client, workshop):
    response = join(client, workshop, email="ana@example.com")
    assert response.status_code == 302
    assert response.url == reverse("workshops:lobby", args=[workshop.join_code])
    participant = workshop.participants.get()
    assert (participant.name, participant.department, participant.email) == (
        "Ana", "Sales", "ana@example.com"
    )
    assert participant_from_session(client.session, workshop) == participant


def test_the_same_browser_rejoining_returns_to_the_same_participant(client, workshop):
    join(client, workshop)
    response = join(client, workshop, name="Ana again")
    assert response.status_code == 302
    assert workshop.participants.count() == 1
    assert client.get(join_url(workshop)).status_code == 302


def test_fixed_department_list_rejects_an_unknown_department(client, workshop):
    response = join(client, workshop, department="Legal")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not workshop.participants.exists()


def test_fixed_department_list_renders_a_select_box(client, workshop):
    content = client.get(join_url(workshop)).content.decode()
    assert '<select name="department"' in content
    assert 'list="location-options"' in content


def test_free_text_labels_are_normalised_case_and_space_insensitively(workshop):
    first, second = Client(), Client()
    join(first, workshop, location="  Lyon ")
    join(second, workshop, name="Ben", location="LYON")
    assert set(workshop.participants.values_list("location", flat=True)) == {"Lyon"}


def test_free_text_form_suggests_values_already_used(client, workshop):
    join(Client(), workshop, location="Toronto")
    content = client.get(join_url(workshop)).content.decode()
    assert '<option value="Toronto">' in content


def test_blank_name_is_a_field_error(client, workshop):
    response = join(client, workshop, name="   ")
    assert response.status_code == 200
    assert not workshop.participants.exists()


def test_join_link_opens_the_form_of_its_workshop(client, workshop):
    url = reverse("workshops:join_link", args=[workshop.join_token])
    assert workshop.title in client.get(url).content.decode()
    response = client.post(url, {"name": "Ana", "department": "Sales", "location": "Lyon"})
    assert response.status_code == 302
    assert workshop.participants.count() == 1


def test_unknown_join_link_is_404(client, db):
    assert client.get(reverse("workshops:join_link", args=["nope" * 10])).status_code == 404


def test_late_joiner_during_breakouts_is_seated_in_a_room_and_told(
    client, workshop, capture_events
):
    workshop.phase = Workshop.Phase.BREAKOUTS
    workshop.save()
    room = Room.objects.create(workshop=workshop, number=1)
    with capture_events() as events:
        assert join(client, workshop).status_code == 302
    participant = workshop.participants.get()
    assert participant.room == room
    room.refresh_from_db()
    assert room.scribe == participant  # a room without a scribe takes the newcomer
    assigned = events.of_type("room.assigned")
    assert assigned[0]["assignments"] == [
        {"participant": participant.pk, "room": 1, "url": room.get_absolute_url()}
    ]


def test_joining_announces_participant_joined_with_a_new_revision(
    client, workshop, capture_events
):
    with capture_events() as events:
        join(client, workshop)
    participant = workshop.participants.get()
    assert events.triples() == [
        (
            "participant.joined",
            1,
            {
                "participant": {
                    "id": participant.pk,
                    "name": "Ana",
                    "department": "Sales",
                    "location": "Lyon",
                    "joined_at": participant.joined_at.isoformat(),
                }
            },
        )
    ]
    workshop.refresh_from_db()
    assert workshop.rev == 1


def test_join_event_leaves_only_after_commit(client, workshop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        join(client, workshop)
    assert callbacks, "events are queued for after the commit, not sent inside it"


# -- personal links -----------------------------------------------------------------------


def test_personal_link_signs_the_browser_in_as_that_participant(client, workshop):
    participant = Participant.objects.create(
        workshop=workshop, name="Dee", department="Sales", location="Lyon", imported=True
    )
    response = client.get(participant.get_absolute_url())
    assert response.url == reverse("workshops:lobby", args=[workshop.join_code])
    assert participant_from_session(client.session, workshop) == participant


def test_personal_link_with_missing_details_asks_for_them_first(client, workshop):
    participant = Participant.objects.create(
        workshop=workshop, name="Dee", department="", location="", imported=True
    )
    response = client.get(participant.get_absolute_url())
    assert response.url == reverse("workshops:me", args=[workshop.join_code])


def test_unknown_personal_link_is_404(client, db):
    assert client.get(reverse("workshops:personal_link", args=["x" * 43])).status_code == 404


# -- the lobby ----------------------------------------------------------------------------


def test_lobby_shows_challenges_people_and_counts(client, workshop):
    join(Client(), workshop, name="Ben", department="Finance", location="Toronto")
    join(client, workshop)
    content = client.get(reverse("workshops:lobby", args=[workshop.join_code])).content.decode()
    for text in ("Hybrid work", "Ben", "Ana", "Finance", "Toronto", 'id="ws-path"'):
        assert text in content
    assert f"/ws/w/{workshop.join_code}/" in content


def test_lobby_roster_marks_only_the_viewer_and_follows_a_rename(client, workshop):
    """Roster rows are drawn once per process and reused: each viewer's own row is still
    theirs alone, and a changed name is drawn anew."""
    other = Client()
    join(other, workshop, name="Ben", department="Finance", location="Toronto")
    join(client, workshop, name="Ana")
    lobby = reverse("workshops:lobby", args=[workshop.join_code])
    for viewer, me, them in ((client, "Ana", "Ben"), (other, "Ben", "Ana")):
        rows = re.findall(r'<li class="lobby-person[^"]*" data-participant-id="\d+".*?</li>',
                          viewer.get(lobby).content.decode(), re.S)
        mine = [row for row in rows if "is-me" in row]
        assert len(rows) == 2 and len(mine) == 1 and f">{me}<" in mine[0]
        theirs = next(row for row in rows if "is-me" not in row)
        assert f">{them}<" in theirs and "data-me-marker hidden" in theirs
    Participant.objects.filter(name="Ben").update(name="Benjamin")
    assert ">Benjamin<" in client.get(lobby).content.decode()


def test_lobby_never_shows_e_mail_addresses(client, workshop):
    join(Client(), workshop, name="Ben", email="ben@example.com")
    join(client, workshop)
    content = client.get(reverse("workshops:lobby", args=[workshop.join_code])).content.decode()
    assert "ben@example.com" not in content


def test_lobby_sends_a_stranger_to_the_join_form(client, workshop):
    response = client.get(reverse("workshops:lobby", args=[workshop.join_code]))
    assert response.url == join_url(workshop)


def test_lobby_of_an_unknown_workshop_is_404(client, db):
    assert client.get(reverse("workshops:lobby", args=["QQQQQQ"])).status_code == 404


def test_lobby_moves_a_seated_participant_to_their_room_during_breakouts(client, workshop):
    join(client, workshop)
    room = Room.objects.create(workshop=workshop, number=1)
    workshop.participants.update(room=room)
    workshop.phase = Workshop.Phase.BREAKOUTS
    workshop.save()
    response = client.get(reverse("workshops:lobby", args=[workshop.join_code]))
    try:
        room_url = room.get_absolute_url()
    except NoReverseMatch:  # before the room page exists the lobby stays put
        assert response.status_code == 200
    else:
        assert response.url == room_url


# -- editing one's own details ------------------------------------------------------------


def test_participant_edits_own_details_and_everyone_hears(client, workshop, capture_events):
    join(client, workshop)
    with capture_events() as events:
        response = client.post(
            reverse("workshops:me", args=[workshop.join_code]),
            {"name": "Ana B", "department": "Finance", "location": "lyon "},
        )
    assert response.status_code == 302
    participant = workshop.participants.get()
    assert (participant.name, participant.department, participant.location) == (
        "Ana B", "Finance", "Lyon"
    )
    event_type, rev, payload = events.triples()[-1]
    assert event_type == "participant.updated"
    assert rev == 2
    assert payload["participant"]["name"] == "Ana B"


def test_participant_cannot_edit_details_once_breakouts_started(client, workshop):
    join(client, workshop)
    workshop.phase = Workshop.Phase.BREAKOUTS
    workshop.save()
    url = reverse("workshops:me", args=[workshop.join_code])
    response = client.post(url, {"name": "X", "department": "Finance", "location": "Lyon"})
    assert response.url == reverse("workshops:lobby", args=[workshop.join_code])
    assert workshop.participants.get().name == "Ana"


def test_stranger_cannot_edit_anyones_details(client, workshop):
    join(Client(), workshop)
    response = client.post(
        reverse("workshops:me", args=[workshop.join_code]),
        {"name": "X", "department": "Finance", "location": "Lyon"},
    )
    assert response.url == join_url(workshop)
    assert workshop.participants.get().name == "Ana"


def test_participant_of_another_workshop_is_a_stranger_here(client, workshop, facilitator):
    other = Workshop.objects.create(owner=facilitator, title="Other", phase="lobby")
    join(client, workshop)
    response = client.get(reverse("workshops:lobby", args=[other.join_code]))
    assert response.url == reverse("workshops:join_code", args=[other.join_code])


def test_lobby_after_breakouts_links_to_network_actions_and_report(
    make_workshop, participant_client
):
    workshop, _rooms, people = make_workshop(
        phase=Workshop.Phase.CLOSED, rooms=1, members=1, challenges=["C"], title="Done"
    )
    page = participant_client(people[1][0]).get(f"/w/{workshop.join_code}/lobby/").content.decode()
    for label, path in [
        ("People you worked with", "network/"),
        ("My actions", "my-actions/"),
        ("Our room's report", "report/"),
        ("Debrief", "debrief/"),
    ]:
        assert label in page
        assert f"/w/{workshop.join_code}/{path}" in page


# -- rejoining from a new browser: "Is this you?" -----------------------------------------------


def test_same_name_from_a_new_browser_asks_is_this_you_instead_of_a_duplicate(client, workshop):
    join(Client(), workshop, name="Ana", department="Sales", location="Lyon")
    response = join(client, workshop, name="  ana ", department="Finance", location="Oslo")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is this you?" in page
    assert "Sales · Lyon" in page
    assert "ask a facilitator to confirm it" in page
    assert "e-mail me my personal link" not in page  # no address on file
    assert workshop.participants.count() == 1
    assert participant_from_session(client.session, workshop) is None


def test_same_name_with_another_e_mail_is_another_person(client, workshop):
    join(Client(), workshop, email="ana@example.com")
    assert join(client, workshop, email="ana.other@example.com").status_code == 302
    assert workshop.participants.count() == 2


def test_a_returning_participant_gets_their_personal_link_by_e_mail(client, workshop, mailoutbox):
    first = Client()
    join(first, workshop, email="ana@example.com")
    ana = workshop.participants.get()
    response = join(client, workshop)  # no e-mail typed this time
    assert "e-mail me my personal link" in response.content.decode()
    response = join(client, workshop, action="email_link", participant=ana.pk)
    assert "Check your e-mail" in response.content.decode()
    assert workshop.participants.count() == 1
    [message] = mailoutbox
    assert message.to == ["ana@example.com"]
    assert f"http://testserver/p/{ana.token}/" in message.body
    assert client.get(f"/p/{ana.token}/").status_code == 302
    assert participant_from_session(client.session, workshop) == ana


def test_the_link_goes_only_to_a_participant_who_matches(client, workshop, mailoutbox):
    join(Client(), workshop, name="Ana", email="ana@example.com")
    join(Client(), workshop, name="Bo", email="bo@example.com")
    bo = workshop.participants.get(name="Bo")
    response = join(client, workshop, name="Ana", action="email_link", participant=bo.pk)
    assert "Is this you?" in response.content.decode()
    assert mailoutbox == []


def test_someone_else_with_the_same_name_joins_explicitly(client, workshop):
    join(Client(), workshop)
    response = join(client, workshop, name="Ana M.", action="someone_else")
    assert response.status_code == 302
    assert sorted(workshop.participants.values_list("name", flat=True)) == ["Ana", "Ana M."]
    response = join(Client(), workshop, action="someone_else")
    assert response.status_code == 302
    assert workshop.participants.filter(name="Ana").count() == 2


def test_a_facilitator_confirms_a_returning_participant_by_code(
    client, workshop, facilitator_client
):
    join(Client(), workshop)
    ana = workshop.participants.get()
    new_device = Client()
    response = join(new_device, workshop, action="ask_facilitator", participant=ana.pk)
    assert "Show this code to a facilitator" in response.content.decode()
    code = response.context["code"]
    assert len(code) == 6 and code.isdigit()
    # Until a facilitator confirms, the join page keeps showing the code.
    assert new_device.get(join_url(workshop)).context["code"] == code

    rejoin = reverse("workshops:rejoin_confirm", args=[workshop.join_code])
    response = facilitator_client.post(rejoin, {"claim": f"{code[:3]} {code[3:]}"})
    assert "asks to continue as <strong>Ana</strong>" in response.content.decode()
    assert participant_from_session(new_device.session, workshop) is None
    response = facilitator_client.post(rejoin, {"claim": code, "confirm": "1"})
    assert response.status_code == 302

    response = new_device.get(join_url(workshop))
    assert response.url == reverse("workshops:lobby", args=[workshop.join_code])
    assert participant_from_session(new_device.session, workshop) == ana
    assert workshop.participants.count() == 1


def test_a_wrong_confirmation_code_confirms_nobody(workshop, facilitator_client):
    rejoin = reverse("workshops:rejoin_confirm", args=[workshop.join_code])
    response = facilitator_client.post(rejoin, {"claim": "123456", "confirm": "1"}, follow=True)
    assert "No one is waiting with this code" in response.content.decode()


def test_a_waiting_browser_can_cancel_and_join_as_someone_new(client, workshop):
    join(Client(), workshop)
    ana = workshop.participants.get()
    join(client, workshop, action="ask_facilitator", participant=ana.pk)
    response = client.post(join_url(workshop), {"action": "cancel_claim"})
    assert "Your name" in response.content.decode()
    assert not response.context["form"].is_bound  # a fresh form, not a page of errors
    assert join(client, workshop, name="Ana B.").status_code == 302
    assert workshop.participants.count() == 2
