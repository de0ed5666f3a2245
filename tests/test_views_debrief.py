import re

import pytest
from django.templatetags.static import static
from django.urls import reverse
from report_helpers import make_workshop, member, sign_in_participant

from followup.models import DebriefAnswer
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def url(name, workshop):
    return reverse(f"report:{name}", args=[workshop.join_code])


def answer(client, workshop, **data):
    payload = {"answer_value": "", "answer_change": "", **data}
    return client.post(url("debrief", workshop), payload)


# -- the participant's form -----------------------------------------------------------------------


def test_participant_sees_the_workshops_questions_and_common_answers(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    workshop.question_value = "What did you get out of it?"
    workshop.debrief_choices = "Trust\nSpeed"
    workshop.save()
    sign_in_participant(client, member(workshop, 1))
    html = client.get(url("debrief", workshop)).content.decode()
    assert "What did you get out of it?" in html
    assert 'value="Trust"' in html and 'value="Speed"' in html
    assert "Save my answers" in html


def test_saving_answers_stores_them_bumps_rev_and_tells_the_facilitators(
    client, facilitator, capture_events
):
    workshop = make_workshop(facilitator, rooms=1)
    rev = workshop.rev
    participant = member(workshop, 1)
    sign_in_participant(client, participant)
    with capture_events() as events:
        response = answer(
            client, workshop, answer_value="Fresh eyes", answer_change="Ask wider",
            choices=["Different perspectives", "Listen more"],
        )
    assert response.status_code == 302
    saved = DebriefAnswer.objects.get(participant=participant)
    assert (saved.answer_value, saved.answer_change) == ("Fresh eyes", "Ask wider")
    assert saved.choices == ["Different perspectives", "Listen more"]
    assert Workshop.objects.get(pk=workshop.pk).rev == rev + 1
    event_type, event_rev, payload = events.triples()[-1]
    assert (event_type, event_rev) == ("debrief.changed", rev + 1)
    assert payload["respondents"] == 1
    counts = {c["label"]: c["count"] for c in payload["choices"]}
    assert counts["Listen more"] == 1 and counts["Trust and honesty"] == 0
    assert "Fresh eyes" not in str(payload)  # participants hear this event too


def test_rejoining_shows_saved_answers_and_saving_again_replaces_them(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    participant = member(workshop, 1)
    sign_in_participant(client, participant)
    answer(client, workshop, answer_value="First thought", choices=["Listen more"])
    html = client.get(url("debrief", workshop)).content.decode()
    assert "First thought" in html
    assert re.search(r'value="Listen more"\s+id="id_choices_\d+" checked', html)
    answer(client, workshop, answer_value="Second thought")
    assert DebriefAnswer.objects.filter(participant=participant).count() == 1
    assert DebriefAnswer.objects.get(participant=participant).choices == []


def test_empty_or_invalid_answers_show_errors_and_store_nothing(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    sign_in_participant(client, member(workshop, 1))
    response = answer(client, workshop)
    assert response.status_code == 200
    assert "Write an answer or tick" in response.content.decode()
    response = answer(client, workshop, answer_value="x", choices=["Not on the list"])
    assert response.status_code == 200
    assert not DebriefAnswer.objects.exists()


def test_closed_workshop_shows_answers_read_only_and_refuses_changes(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    participant = member(workshop, 1)
    DebriefAnswer.record(participant, answer_value="Kept", answer_change="", choices=[])
    Workshop.objects.filter(pk=workshop.pk).update(phase=Workshop.Phase.CLOSED)
    sign_in_participant(client, participant)
    html = client.get(url("debrief", workshop)).content.decode()
    assert "Kept" in html and "disabled" in html and "Save my answers" not in html
    answer(client, workshop, answer_value="Changed")
    assert DebriefAnswer.objects.get(participant=participant).answer_value == "Kept"


def test_before_the_debrief_the_form_is_not_offered(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1, phase=Workshop.Phase.PLENARY)
    sign_in_participant(client, member(workshop, 1))
    html = client.get(url("debrief", workshop)).content.decode()
    assert "The debrief opens after the report-out" in html
    answer(client, workshop, answer_value="Too early")
    assert not DebriefAnswer.objects.exists()


def test_facilitator_opening_the_form_is_sent_to_the_results(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    response = facilitator_client.get(url("debrief", workshop))
    assert response.status_code == 302
    assert response["Location"] == url("debrief_results", workshop)


def test_strangers_get_404_on_the_form(client, outsider_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    assert client.get(url("debrief", workshop)).status_code == 404
    assert outsider_client.get(url("debrief", workshop)).status_code == 404
    other = make_workshop(facilitator, rooms=1, title="Other")
    sign_in_participant(client, member(other, 1))
    assert client.get(url("debrief", workshop)).status_code == 404


# -- the facilitator's results --------------------------------------------------------------------


def record_two(workshop):
    DebriefAnswer.record(member(workshop, 1, 0), answer_value="Trust between teams, trust!",
                         answer_change="Listen", choices=["Trust and honesty", "Listen more"])
    DebriefAnswer.record(member(workshop, 1, 1), answer_value="The teams were great",
                         answer_change="Ask", choices=["Listen more"])


def test_results_show_counts_words_answers_and_connections(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    record_two(workshop)
    response = facilitator_client.get(url("debrief_results", workshop))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 of 3 answered" in html
    row = r'<th scope="row"[^>]*>Listen more</th>\s*<td class="text-end"[^>]*>2</td>'
    assert re.search(row, html)
    assert 'rect width="100"' in html and 'rect width="50"' in html
    assert re.search(r">trust</span> <span", html) and re.search(r">teams</span> <span", html)
    assert "R1 P0" in html and "The teams were great" in html
    assert "New cross-department connections" in html
    assert 'id="ws-path"' in html and "/ws/w/" in html
    assert static("js/debrief-results.js") in html


def test_results_json_counts_choices_and_words_and_can_hide_names(
    facilitator_client, facilitator
):
    workshop = make_workshop(facilitator, rooms=1)
    record_two(workshop)
    data = facilitator_client.get(url("debrief_results_json", workshop)).json()
    assert data["respondents"] == 2 and data["participants"] == 3
    counts = {c["label"]: c["count"] for c in data["choices"]}
    assert counts["Listen more"] == 2 and counts["Trust and honesty"] == 1
    words = data["questions"][0]["words"]
    assert words[:2] == [{"word": "teams", "count": 2}, {"word": "trust", "count": 2}]
    assert {a["name"] for a in data["answers"]} == {"R1 P0", "R1 P1"}
    hidden = facilitator_client.get(url("debrief_results_json", workshop) + "?names=hide").json()
    assert {a["name"] for a in hidden["answers"]} == {""}
    assert "R1 P0" not in str(hidden)


def test_results_are_for_the_workshops_facilitators_only(
    client, outsider_client, facilitator
):
    workshop = make_workshop(facilitator, rooms=1)
    for name in ("debrief_results", "debrief_results_json"):
        assert outsider_client.get(url(name, workshop)).status_code == 404
        anonymous = client.get(url(name, workshop))
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    sign_in_participant(client, member(workshop, 1))
    assert client.get(url("debrief_results_json", workshop)).status_code == 302


def test_facilitator_edits_the_common_answers(facilitator_client, facilitator, capture_events):
    workshop = make_workshop(facilitator, rooms=1)
    with capture_events() as events:
        response = facilitator_client.post(
            url("debrief_choices", workshop), {"debrief_choices": "Trust\n\n  Speed \nTrust"}
        )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.debrief_choice_list == ["Trust", "Speed"]
    assert events[-1]["type"] == "debrief.changed"


def test_too_many_common_answers_are_refused(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    before = workshop.debrief_choices
    lines = "\n".join(f"Answer {i}" for i in range(30))
    facilitator_client.post(url("debrief_choices", workshop), {"debrief_choices": lines})
    workshop.refresh_from_db()
    assert workshop.debrief_choices == before


def test_strangers_cannot_edit_the_common_answers(client, outsider_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    before = workshop.debrief_choices
    assert outsider_client.post(url("debrief_choices", workshop),
                                {"debrief_choices": "Hacked"}).status_code == 404
    assert client.post(url("debrief_choices", workshop),
                       {"debrief_choices": "Hacked"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.debrief_choices == before


def test_results_list_the_latest_fifty_answers_and_count_them_all(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=12, per_room=5)
    for person in workshop.participants.order_by("pk"):
        DebriefAnswer.objects.create(workshop=workshop, participant=person,
                                     answer_value=f"Value of {person.name}", answer_change="",
                                     choices=workshop.debrief_choice_list[:1])
    url = reverse("report:debrief_results", args=[workshop.join_code])
    response = facilitator_client.get(url)
    summary = response.context["summary"]
    assert len(summary["answers"]) == 50 and summary["answers_total"] == 60
    assert summary["respondents"] == 60 and summary["choices"][0]["count"] == 60
    content = response.content.decode()
    assert "The latest 50 of 60 answers; the report lists them all." in content
    assert "Value of R12 P4" in content and "Value of R1 P0" not in content
    data = facilitator_client.get(url.replace("results/", "results.json")).json()
    assert len(data["answers"]) == 50 and data["answers_total"] == 60
