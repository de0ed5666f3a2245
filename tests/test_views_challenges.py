"""Challenges: add, edit, reorder, remove, copy a starter; only the workshop's facilitators."""

import pytest
from django.urls import reverse

from workshops.models import Workshop
from workshops.starter_challenges import STARTERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(make_workshop):
    challenges = [(title, f"About {title.lower()}") for title in ("First", "Second", "Third")]
    return make_workshop(phase=Workshop.Phase.DRAFT, rooms=0, challenges=challenges).workshop


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.join_code, *args])


def titles(workshop):
    return list(workshop.challenges.values_list("title", flat=True))


def test_facilitator_sees_challenges_and_starters(facilitator_client, workshop):
    content = facilitator_client.get(url("challenges", workshop)).content.decode()
    assert "Second" in content
    assert str(STARTERS[0].title) in content


def test_outsider_gets_404_and_anonymous_logs_in(outsider_client, client, workshop):
    assert outsider_client.get(url("challenges", workshop)).status_code == 404
    assert client.get(url("challenges", workshop)).url.startswith(reverse("login"))
    first = workshop.challenges.first()
    for name in ("challenge_edit", "challenge_move", "challenge_delete"):
        response = outsider_client.post(url(name, workshop, first.pk), {"confirmed": "1"})
        assert response.status_code == 404
    assert titles(workshop) == ["First", "Second", "Third"]


def test_add_appends_a_challenge(facilitator_client, workshop):
    facilitator_client.post(url("challenges", workshop), {"title": "Fourth", "description": "d"})
    assert titles(workshop)[-1] == "Fourth"


def test_add_without_a_title_is_a_field_error(facilitator_client, workshop):
    response = facilitator_client.post(url("challenges", workshop), {"title": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert len(titles(workshop)) == 3


def test_edit_changes_title_and_description(facilitator_client, workshop):
    first = workshop.challenges.first()
    facilitator_client.post(
        url("challenge_edit", workshop, first.pk), {"title": "Renamed", "description": "New"}
    )
    first.refresh_from_db()
    assert (first.title, first.description) == ("Renamed", "New")


def test_challenge_of_another_workshop_is_404(facilitator_client, workshop, outsider):
    other = Workshop.objects.create(owner=outsider, title="Other")
    foreign = other.add_challenge("Theirs")
    response = facilitator_client.get(url("challenge_edit", workshop, foreign.pk))
    assert response.status_code == 404


def test_move_up_and_down_reorders(facilitator_client, workshop):
    third = workshop.challenges.get(title="Third")
    facilitator_client.post(url("challenge_move", workshop, third.pk), {"direction": "up"})
    assert titles(workshop) == ["First", "Third", "Second"]
    first = workshop.challenges.get(title="First")
    facilitator_client.post(url("challenge_move", workshop, first.pk), {"direction": "down"})
    assert titles(workshop) == ["Third", "First", "Second"]


def test_moving_past_the_ends_changes_nothing(facilitator_client, workshop):
    first = workshop.challenges.get(title="First")
    facilitator_client.post(url("challenge_move", workshop, first.pk), {"direction": "up"})
    assert titles(workshop) == ["First", "Second", "Third"]


def test_remove_asks_then_deletes(facilitator_client, workshop):
    second = workshop.challenges.get(title="Second")
    assert facilitator_client.post(url("challenge_delete", workshop, second.pk)).status_code == 200
    assert len(titles(workshop)) == 3
    facilitator_client.post(url("challenge_delete", workshop, second.pk), {"confirmed": "1"})
    assert titles(workshop) == ["First", "Third"]


def test_open_workshop_keeps_its_last_challenge(facilitator_client, workshop):
    workshop.challenges.exclude(title="First").delete()
    workshop.phase = Workshop.Phase.LOBBY
    workshop.save()
    only = workshop.challenges.get()
    response = facilitator_client.post(
        url("challenge_delete", workshop, only.pk), {"confirmed": "1"}, follow=True
    )
    assert "needs at least one challenge" in response.content.decode()
    assert workshop.challenges.exists()


def test_copy_a_starter_appends_it(facilitator_client, workshop):
    starter = STARTERS[2]
    facilitator_client.post(url("challenge_starter", workshop, starter.slug))
    last = workshop.challenges.last()
    assert (last.title, last.description) == (str(starter.title), str(starter.description))


def test_unknown_starter_is_404(facilitator_client, workshop):
    assert facilitator_client.post(url("challenge_starter", workshop, "nope")).status_code == 404


def test_starter_set_has_five_to_eight_distinct_challenges():
    assert 5 <= len(STARTERS) <= 8
    assert len({s.slug for s in STARTERS}) == len(STARTERS)


def test_changes_in_an_open_workshop_reach_the_lobby(facilitator_client, workshop, capture_events):
    with capture_events() as events:
        facilitator_client.post(
            url("challenges", workshop), {"title": "Draft only", "description": ""}
        )
    assert events == []
    workshop.phase = Workshop.Phase.LOBBY
    workshop.save()
    with capture_events() as events:
        facilitator_client.post(url("challenges", workshop), {"title": "Live", "description": ""})
    event_type, _rev, payload = events.triples()[-1]
    assert event_type == "challenges.changed"
    assert [c["title"] for c in payload["challenges"]][-1] == "Live"
