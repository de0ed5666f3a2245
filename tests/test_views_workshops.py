"""Facilitator pages of a workshop: list, create, edit, dashboard, phases, invite, co-facilitators,
duplicate and delete — each shown to its facilitator, an outsider, anonymous and a participant."""

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(make_workshop):
    return make_workshop(
        phase=Workshop.Phase.DRAFT, rooms=0, departments="Sales",
        challenges=[("Hybrid work", "Decisions happen in corridors.")],
    ).workshop


@pytest.fixture
def cofacilitator(workshop, bob, bob_client):
    """bob's signed-in client, bob co-facilitating the workshop."""
    workshop.cofacilitators.add(bob)
    return bob_client



def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.join_code, *args])


PRIVATE_PAGES = ["detail", "edit", "challenges", "roster_import", "roster_links", "qr", "invite"]


def settings_data(**overrides):
    data = {
        "title": "Peer day", "description": "", "starts_at": "", "time_zone": "",
        "room_count": "", "target_room_size": "5", "define_minutes": "10",
        "root_causes_minutes": "15", "alternatives_minutes": "15", "selection_minutes": "10",
        "plan_minutes": "15", "votes_per_member": "3", "departments": "", "locations": "",
        "question_value": "Value?", "question_change": "Change?", "debrief_choices": "",
    }
    return {**data, **overrides}


# -- the three people ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_facilitator_opens_every_private_page(facilitator_client, workshop, name):
    assert facilitator_client.get(url(name, workshop)).status_code == 200


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_outsider_facilitator_gets_404_on_every_private_page(outsider_client, workshop, name):
    assert outsider_client.get(url(name, workshop)).status_code == 404


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_is_sent_to_log_in(client, workshop, name):
    response = client.get(url(name, workshop))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_a_participant_session_cannot_reach_facilitator_pages(participant_client, workshop, name):
    ana = Participant.objects.create(
        workshop=workshop, name="Ana", department="Sales", location="Lyon"
    )
    response = participant_client(ana).get(url(name, workshop))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_cofacilitator_opens_every_private_page(cofacilitator, workshop, name):
    assert cofacilitator.get(url(name, workshop)).status_code == 200


def test_unknown_workshop_code_is_404(facilitator_client, db):
    assert facilitator_client.get("/w/QQQQQQ/manage/").status_code == 404


# -- my workshops -------------------------------------------------------------------------


def test_list_splits_upcoming_and_past_newest_first(facilitator_client, facilitator, outsider):
    now = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    Workshop.objects.create(owner=facilitator, title="Older", starts_at=now)
    Workshop.objects.create(owner=facilitator, title="Newer", starts_at=now + dt.timedelta(days=7))
    Workshop.objects.create(owner=facilitator, title="Done", phase="closed")
    Workshop.objects.create(owner=outsider, title="Not mine")
    response = facilitator_client.get(reverse("workshops:list"))
    assert [w.title for w in response.context["upcoming"]] == ["Newer", "Older"]
    assert [w.title for w in response.context["past"]] == ["Done"]
    assert "Not mine" not in response.content.decode()


def test_list_includes_workshops_i_cofacilitate(cofacilitator, workshop):
    assert workshop.title in cofacilitator.get(reverse("workshops:list")).content.decode()


# -- create and edit ----------------------------------------------------------------------


def test_create_stores_a_draft_owned_by_me_and_asks_for_challenges(facilitator_client, facilitator):
    response = facilitator_client.post(
        reverse("workshops:create"),
        settings_data(title="Spring", departments="Sales\nsales \n Finance", locations=""),
    )
    workshop = Workshop.objects.get(title="Spring")
    assert response.url == url("challenges", workshop)
    assert workshop.owner == facilitator
    assert workshop.phase == Workshop.Phase.DRAFT
    assert workshop.departments == "Sales\nFinance"


def test_create_requires_anonymous_users_to_log_in(client, db):
    response = client.post(reverse("workshops:create"), settings_data())
    assert response.status_code == 302
    assert not Workshop.objects.exists()


def test_start_time_is_read_in_the_browsers_time_zone(facilitator_client):
    facilitator_client.post(
        reverse("workshops:create"),
        settings_data(starts_at="2026-12-01T09:30", time_zone="America/Toronto"),
    )
    stored = Workshop.objects.get().starts_at
    assert stored == dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)


def test_start_time_without_a_time_zone_is_utc(facilitator_client):
    facilitator_client.post(
        reverse("workshops:create"), settings_data(starts_at="2026-12-01T09:30")
    )
    assert Workshop.objects.get().starts_at == dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def test_room_count_and_target_size_are_alternatives_and_the_server_accepts_the_obvious(
    facilitator_client,
):
    # Both filled: the number of rooms wins; neither: five per room. No error either way.
    for title, rooms, size, expected in (
        ("Both", "4", "5", (4, None)), ("Neither", "", "", (None, 5)), ("Size", "", "6", (None, 6)),
    ):
        response = facilitator_client.post(
            reverse("workshops:create"),
            settings_data(title=title, room_count=rooms, target_room_size=size),
        )
        assert response.status_code == 302
        workshop = Workshop.objects.get(title=title)
        assert (workshop.room_count, workshop.target_room_size) == expected


@pytest.mark.parametrize(
    "field,value", [("define_minutes", "0"), ("plan_minutes", "121"), ("votes_per_member", "11")]
)
def test_durations_and_votes_are_bounded(facilitator_client, field, value):
    response = facilitator_client.post(reverse("workshops:create"), settings_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]


def test_edit_saves_settings(facilitator_client, workshop):
    response = facilitator_client.post(
        url("edit", workshop), settings_data(title="Renamed", room_count="3", target_room_size="")
    )
    assert response.url == workshop.get_absolute_url()
    workshop.refresh_from_db()
    assert (workshop.title, workshop.room_count, workshop.target_room_size) == ("Renamed", 3, None)


def test_edit_shows_the_stored_time_for_the_browser_to_localise(facilitator_client, workshop):
    workshop.starts_at = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)
    workshop.save()
    content = facilitator_client.get(url("edit", workshop)).content.decode()
    assert 'data-utc="2026-12-01T14:30:00+00:00"' in content


def test_outsider_cannot_edit(outsider_client, workshop):
    response = outsider_client.post(url("edit", workshop), settings_data(title="Hacked"))
    assert response.status_code == 404
    workshop.refresh_from_db()
    assert workshop.title == "Peer day"


# -- dashboard and phases -----------------------------------------------------------------


def test_dashboard_shows_only_allowed_transitions(facilitator_client, workshop):
    response = facilitator_client.get(workshop.get_absolute_url())
    assert [a["phase"] for a in response.context["phase_actions"]] == ["lobby"]
    workshop.phase = Workshop.Phase.PLENARY
    workshop.save()
    response = facilitator_client.get(workshop.get_absolute_url())
    phases = [a["phase"] for a in response.context["phase_actions"]]
    assert phases == ["breakouts", "debrief", "closed"]
    labels = [a["label"] for a in response.context["phase_actions"]]
    assert "Reopen breakouts" in labels


def test_dashboard_shows_roster_counts_invite_and_control_socket(facilitator_client, workshop):
    Participant.objects.create(workshop=workshop, name="Ana", department="Sales", location="Lyon")
    content = facilitator_client.get(workshop.get_absolute_url()).content.decode()
    for text in ("Ana", "Lyon", workshop.join_code, workshop.join_token, "qr.svg", "Copy link"):
        assert text in content
    assert f"/ws/w/{workshop.join_code}/control/" in content


def test_start_breakouts_goes_through_the_room_planner(facilitator_client, workshop):
    workshop.phase = Workshop.Phase.LOBBY
    workshop.save()
    response = facilitator_client.get(workshop.get_absolute_url())
    start = next(a for a in response.context["phase_actions"] if a["phase"] == "breakouts")
    planner = f"/w/{workshop.join_code}/manage/plan/"
    assert start["plan_url"] == planner
    assert f'href="{planner}"' in response.content.decode()


def test_phase_change_asks_for_confirmation_first(facilitator_client, workshop):
    response = facilitator_client.post(url("phase", workshop), {"phase": "lobby"})
    assert response.status_code == 200
    assert 'name="confirmed"' in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.DRAFT


def test_confirmed_phase_change_moves_and_broadcasts(facilitator_client, workshop, capture_events):
    with capture_events() as events:
        response = facilitator_client.post(
            url("phase", workshop), {"phase": "lobby", "confirmed": "1"}
        )
    assert response.url == workshop.get_absolute_url()
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.LOBBY
    assert events.triples() == [("phase.changed", 1, {"phase": "lobby"})]


def test_disallowed_phase_change_is_refused_with_a_message(facilitator_client, workshop):
    response = facilitator_client.post(
        url("phase", workshop), {"phase": "debrief", "confirmed": "1"}, follow=True
    )
    assert "not possible now" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.DRAFT


def test_lobby_without_challenges_shows_the_phase_error(facilitator_client, workshop):
    workshop.challenges.all().delete()
    response = facilitator_client.post(
        url("phase", workshop), {"phase": "lobby", "confirmed": "1"}, follow=True
    )
    assert "Add at least one challenge" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.DRAFT


def test_cofacilitator_can_run_the_workshop(cofacilitator, workshop):
    cofacilitator.post(url("phase", workshop), {"phase": "lobby", "confirmed": "1"})
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.LOBBY


def test_outsider_cannot_change_the_phase(outsider_client, workshop):
    response = outsider_client.post(url("phase", workshop), {"phase": "lobby", "confirmed": "1"})
    assert response.status_code == 404
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.DRAFT


# -- invite -------------------------------------------------------------------------------


def test_qr_code_is_an_svg_of_the_join_link(facilitator_client, workshop):
    response = facilitator_client.get(url("qr", workshop))
    assert response["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_invite_screen_shows_code_and_link(facilitator_client, workshop):
    content = facilitator_client.get(url("invite", workshop)).content.decode()
    assert workshop.join_code in content
    assert reverse("workshops:join_link", args=[workshop.join_token]) in content


# -- co-facilitators ----------------------------------------------------------------------


def test_owner_adds_a_cofacilitator_by_e_mail(facilitator_client, workshop, outsider):
    response = facilitator_client.post(
        url("cofacilitator_add", workshop), {"who": "CHARLIE@example.com"}
    )
    assert response.url == workshop.get_absolute_url()
    assert list(workshop.cofacilitators.all()) == [outsider]


@pytest.mark.parametrize(
    "who,error",
    [
        ("nobody", "No facilitator account"),
        ("alice", "owns this workshop"),
        ("bob", "already a co-facilitator"),
    ],
)
def test_adding_a_cofacilitator_explains_refusals(
    facilitator_client, workshop, cofacilitator, who, error
):
    response = facilitator_client.post(url("cofacilitator_add", workshop), {"who": who})
    assert response.status_code == 400
    assert error in response.content.decode()


def test_cofacilitator_cannot_manage_cofacilitators(cofacilitator, workshop, outsider):
    response = cofacilitator.post(url("cofacilitator_add", workshop), {"who": "charlie"})
    assert response.status_code == 403
    bob = workshop.cofacilitators.get()
    response = cofacilitator.post(url("cofacilitator_remove", workshop, bob.pk))
    assert response.status_code == 403
    assert workshop.cofacilitators.count() == 1


def test_owner_removes_a_cofacilitator(facilitator_client, workshop, cofacilitator):
    bob = workshop.cofacilitators.get()
    facilitator_client.post(url("cofacilitator_remove", workshop, bob.pk))
    assert not workshop.cofacilitators.exists()
    assert cofacilitator.get(workshop.get_absolute_url()).status_code == 404


# -- duplicate and delete -----------------------------------------------------------------


def test_duplicate_copies_settings_and_challenges_not_people(facilitator_client, workshop):
    workshop.question_value = "Custom?"
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save()
    Participant.objects.create(workshop=workshop, name="Ana", department="Sales", location="Lyon")
    response = facilitator_client.post(url("duplicate", workshop))
    copy = Workshop.objects.exclude(pk=workshop.pk).get()
    assert response.url == url("edit", copy)
    assert copy.title == "Peer day (copy)"
    assert copy.phase == Workshop.Phase.DRAFT
    assert copy.join_code != workshop.join_code or workshop.phase == "closed"
    assert copy.join_token != workshop.join_token
    assert (copy.question_value, copy.departments) == ("Custom?", "Sales")
    assert [c.title for c in copy.challenges.all()] == ["Hybrid work"]
    assert not copy.participants.exists()


def test_outsider_cannot_duplicate(outsider_client, workshop):
    assert outsider_client.post(url("duplicate", workshop)).status_code == 404
    assert Workshop.objects.count() == 1


def test_owner_deletes_after_confirmation(facilitator_client, workshop):
    assert facilitator_client.post(url("delete", workshop)).status_code == 200
    assert Workshop.objects.exists()
    response = facilitator_client.post(url("delete", workshop), {"confirmed": "1"})
    assert response.url == reverse("workshops:list")
    assert not Workshop.objects.exists()


def test_cofacilitator_cannot_delete(cofacilitator, workshop):
    assert cofacilitator.post(url("delete", workshop), {"confirmed": "1"}).status_code == 403
    assert Workshop.objects.exists()


def test_outsider_cannot_delete(outsider_client, workshop):
    assert outsider_client.post(url("delete", workshop), {"confirmed": "1"}).status_code == 404
    assert Workshop.objects.exists()


# -- admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["workshop", "challenge", "participant"])
def test_admin_lists_each_workshop_model(admin_client, workshop, model):
    Participant.objects.create(workshop=workshop, name="Ana", department="Sales", location="Lyon")
    assert admin_client.get(f"/admin/workshops/{model}/").status_code == 200
