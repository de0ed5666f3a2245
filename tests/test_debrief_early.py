"""Starting the debrief before every round ran: the confirmation says which rounds are
skipped, and the control room shows the phase instead of the rooms' stopped steps."""

import html
import re

import pytest
from django.urls import reverse

from breakouts import services
from tests.test_rounds import lobby, run_round
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def in_plenary_after_round(make_workshop, done, rounds=3):
    workshop = lobby(make_workshop, rounds=rounds)
    for _round in range(done):
        run_round(workshop)
    return workshop


def ask_to_start_debrief(client, workshop):
    """Posts the phase button without `confirmed`: the server's confirmation page."""
    url = reverse("workshops:phase", args=[workshop.join_code])
    return html.unescape(client.post(url, {"phase": "debrief"}).content.decode())


def test_debrief_after_round_two_of_three_warns_that_round_three_never_ran(
    facilitator_client, make_workshop
):
    workshop = in_plenary_after_round(make_workshop, done=2)
    assert workshop.current_round == 2
    page = ask_to_start_debrief(facilitator_client, workshop)
    assert "Round 3 of 3 has not run: starting the debrief skips it." in page
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.PLENARY  # only asked, not moved
    # The dashboard's button carries the same words for its dialog.
    dashboard = html.unescape(facilitator_client.get(workshop.get_absolute_url()).content.decode())
    assert "Round 3 of 3 has not run" in dashboard


def test_debrief_after_round_one_of_three_names_both_skipped_rounds(
    facilitator_client, make_workshop
):
    workshop = in_plenary_after_round(make_workshop, done=1)
    page = ask_to_start_debrief(facilitator_client, workshop)
    assert "Rounds 2 to 3 of 3 have not run: starting the debrief skips them." in page


def test_debrief_after_the_last_round_has_no_warning(facilitator_client, make_workshop):
    workshop = in_plenary_after_round(make_workshop, done=2, rounds=2)
    page = ask_to_start_debrief(facilitator_client, workshop)
    assert "has not run" not in page and "have not run" not in page
    assert "Participants answer the two debrief questions." in page


def summary(response):
    """Returns the control room's summary line (rooms per step, or the phase)."""
    found = re.search(r"<p [^>]*data-rooms-per-step[^>]*>(.*?)</p>", response.content.decode())
    return html.unescape(found.group(1))


def test_control_room_in_debrief_shows_the_phase_not_the_stopped_steps(
    facilitator_client, make_workshop
):
    workshop = lobby(make_workshop)
    services.start_breakouts(workshop)
    workshop.refresh_from_db()
    control = reverse("breakouts:control", args=[workshop.join_code])
    assert "4 rooms defining the problem" in summary(facilitator_client.get(control))
    workshop.go_to_plenary()
    workshop.refresh_from_db()
    workshop.start_debrief()
    response = facilitator_client.get(control)
    assert summary(response).startswith("Debrief: the rooms have stopped")
    assert response.context["page_data"]["phase_summary"].startswith("Debrief:")
