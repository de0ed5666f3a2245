"""The facilitator's journey: the dashboard is the workshop's home in every phase, a phase
change lands on the page of the new phase, and timers end with their phase."""

import pytest
from django.urls import reverse

from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(facilitator):
    workshop = Workshop.objects.create(owner=facilitator, title="Peer day", departments="Sales")
    workshop.add_challenge("Hybrid work", "Decisions happen in corridors.")
    return workshop


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.join_code, *args])


@pytest.mark.parametrize("start,target,landing", [
    ("draft", "lobby", "/w/{code}/manage/"),
    ("breakouts", "plenary", "/w/{code}/plenary/"),
    ("plenary", "breakouts", "/w/{code}/control/"),
    ("plenary", "debrief", "/w/{code}/debrief/results/"),
    ("debrief", "closed", "/w/{code}/report/"),
])
def test_a_phase_change_lands_on_the_page_of_the_new_phase(
    facilitator_client, workshop, start, target, landing
):
    Workshop.objects.filter(pk=workshop.pk).update(phase=start)
    response = facilitator_client.post(url("phase", workshop), {"phase": target, "confirmed": "1"})
    assert response.url == landing.format(code=workshop.join_code)


def test_timers_end_with_their_phase(facilitator, capture_events):
    from datetime import timedelta

    from django.utils import timezone
    from workshop_builder import build_workshop as make_workshop

    # An expired "Starting soon" of the lobby must not greet the rooms, nor a room's own timer
    # a reopened breakout.
    running, rooms, _people = make_workshop(facilitator, rooms=2, phase=Workshop.Phase.LOBBY)
    past = timezone.now() - timedelta(minutes=1)
    Workshop.objects.filter(pk=running.pk).update(timer_ends_at=past, timer_label="Starting soon")
    rooms[0].set_timer(timezone.now() + timedelta(minutes=5), "Wrap up")
    running.refresh_from_db()
    with capture_events() as events:
        running.move_to(Workshop.Phase.BREAKOUTS)
    running.refresh_from_db()
    rooms[0].refresh_from_db()
    assert (running.timer_ends_at, running.timer_label) == (None, "")
    assert rooms[0].timer_ends_at is None
    cleared = [payload for kind, _rev, payload in events.triples() if kind == "timer.changed"]
    assert len(cleared) == 2 and all(p["timer"] is None for p in cleared)


@pytest.mark.parametrize("phase,label,target", [
    ("lobby", "Plan the rooms", "/w/{code}/manage/plan/"),
    ("breakouts", "Open the control room", "/w/{code}/control/"),
    ("plenary", "Present the rooms", "/w/{code}/plenary/"),
    ("debrief", "See the debrief results", "/w/{code}/debrief/results/"),
    ("closed", "Open the report", "/w/{code}/report/"),
])
def test_the_dashboard_is_the_workshops_home_in_every_phase(
    facilitator_client, workshop, phase, label, target
):
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
    response = facilitator_client.get(workshop.get_absolute_url())
    page = response.content.decode()
    code = workshop.join_code
    primary = f'<a class="btn btn-primary btn-lg" href="{target.format(code=code)}">{label}</a>'
    assert primary in page
    linked = {p["url"] for p in response.context["workshop_pages"]}
    assert f"/w/{code}/manage/edit/" in linked
    if phase != "lobby":  # after the start: every page of the run is one click away
        assert {f"/w/{code}/control/", f"/w/{code}/plenary/", f"/w/{code}/report/",
                f"/w/{code}/actions/", f"/w/{code}/network/"} <= linked
    for url in linked:
        assert f'href="{url}"' in page


def test_a_draft_without_challenges_is_sent_to_add_them(facilitator_client, workshop):
    workshop.challenges.all().delete()
    page = facilitator_client.get(workshop.get_absolute_url()).content.decode()
    assert f'href="/w/{workshop.join_code}/manage/challenges/">Add challenges</a>' in page
