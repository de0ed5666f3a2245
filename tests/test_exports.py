import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse
from report_helpers import make_workshop, member, sign_in_participant

from breakouts.models import Item, Step
from followup.report import escape_text, fold, md, spreadsheet_safe

pytestmark = pytest.mark.django_db

DOWNLOADS = ["report_md", "report_json", "actions_csv", "actions_ics"]


def get(client, name, workshop):
    return client.get(reverse(f"report:{name}", args=[workshop.join_code]))


def parse_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def parse_ics(text):
    """Unfolds and splits an iCalendar into a list of events (dicts of name → unescaped value)."""
    assert text.endswith("\r\n")
    unfolded = text.replace("\r\n ", "")
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and line:
            name, _sep, value = line.partition(":")
            value = (value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
                     .replace("\\\\", "\\"))
            current[name] = value
    return events


# -- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOWNLOADS)
def test_facilitator_downloads_each_export_as_an_attachment(facilitator_client, facilitator, name):
    workshop = make_workshop(facilitator, rooms=1)
    response = get(facilitator_client, name, workshop)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize("name", DOWNLOADS)
def test_outsider_facilitator_and_anonymous_get_404_for_exports(
    outsider_client, client, facilitator, name
):
    workshop = make_workshop(facilitator, rooms=1)
    assert get(outsider_client, name, workshop).status_code == 404
    assert get(client, name, workshop).status_code == 404


@pytest.mark.parametrize("name", DOWNLOADS)
def test_participant_of_another_workshop_gets_404_for_exports(client, facilitator, name):
    workshop = make_workshop(facilitator, rooms=1)
    other = make_workshop(facilitator, rooms=1, title="Other")
    sign_in_participant(client, member(other, 1))
    assert get(client, name, workshop).status_code == 404


def test_participant_exports_contain_only_their_room(client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    sign_in_participant(client, member(workshop, 2))
    rows = parse_csv(get(client, "actions_csv", workshop))
    assert {row[0] for row in rows[1:]} == {"Room 2"}
    data = json.loads(get(client, "report_json", workshop).content)
    assert [room["number"] for room in data["rooms"]] == [2]
    assert "answers" not in data["debrief"]
    assert data["connections"] is None


# -- CSV ------------------------------------------------------------------------------------------


def test_csv_lists_every_action_item_with_its_columns(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2, per_room=2)
    rows = parse_csv(get(facilitator_client, "actions_csv", workshop))
    assert rows[0] == ["Room", "Task", "Owner", "Due date", "Success measure", "Status"]
    assert rows[1] == ["Room 1", "Task 1.0", "R1 P0", "2026-12-01", "Measure 1.0", "Not started"]
    assert len(rows) == 1 + 4


def test_csv_task_with_comma_quote_and_newline_survives_a_round_trip(
    facilitator_client, facilitator
):
    workshop = make_workshop(facilitator, rooms=1, per_room=1)
    tricky = 'Call "Bob", then\nwrite it up; ok'
    Item.objects.filter(step=Step.PLAN).update(text=tricky)
    rows = parse_csv(get(facilitator_client, "actions_csv", workshop))
    assert rows[1][1] == tricky


def test_csv_neutralises_formula_looking_values(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1, per_room=1)
    Item.objects.filter(step=Step.PLAN).update(
        text='=HYPERLINK("http://evil.example","click")', success_measure="+1 sales"
    )
    member(workshop, 1).__class__.objects.filter(workshop=workshop).update(name="@admin")
    rows = parse_csv(get(facilitator_client, "actions_csv", workshop))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert rows[1][2] == "'@admin"
    assert rows[1][4] == "'+1 sales"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe_prefixes_every_formula_trigger(value):
    assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("plain") == "plain"


# -- JSON -----------------------------------------------------------------------------------------


def test_json_has_the_versioned_schema_and_everything(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    data = json.loads(get(facilitator_client, "report_json", workshop).content)
    assert data["schema"] == "roundtable.report"
    assert data["schema_version"] == 1
    assert data["workshop"]["code"] == workshop.join_code
    room = data["rooms"][0]
    assert room["problem_statement"] == "Problem of room 1"
    assert [g["category"] for g in room["root_causes"]] == ["people", "process"]
    assert room["alternatives"][0] == {
        "id": room["alternatives"][0]["id"], "title": "Buddy system 1", "pros": "cheap",
        "cons": "slow", "votes": 3, "selected": True,
    }
    assert room["selection"] == {"title": "Buddy system 1", "rationale": "Cheapest to try"}
    assert room["actions"][0]["due_date"] == "2026-12-01"
    assert room["actions"][0]["owner"]["name"] == "R1 P0"
    assert room["accountability"] == "Weekly check-in, room 1"
    assert {m["name"] for m in room["members"]} == {"R1 P0", "R1 P1", "R1 P2"}
    assert data["debrief"]["respondents"] == 0
    assert set(data["connections"]) == {"pairs", "new_pairs", "cross_department",
                                        "cross_location", "rounds"}


# -- iCalendar ------------------------------------------------------------------------------------


def test_ics_has_one_all_day_event_per_dated_action(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2, per_room=2)
    Item.objects.filter(step=Step.PLAN, text="Task 2.1").update(due_date=None)
    response = get(facilitator_client, "actions_ics", workshop)
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = parse_ics(text)
    assert [e["SUMMARY"] for e in events] == ["Task 1.0", "Task 1.1", "Task 2.0"]
    first = events[0]
    assert first["DTSTART;VALUE=DATE"] == "20261201"
    assert first["DTEND;VALUE=DATE"] == "20261202"
    assert "Owner: R1 P0" in first["DESCRIPTION"]
    assert "Measure 1.0" in first["DESCRIPTION"]
    assert len({e["UID"] for e in events}) == 3


def test_ics_escapes_and_folds_long_text_with_special_characters(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1, per_room=1)
    task = "Ünïcödé, semi; back\\slash\nsecond line " + "long " * 30
    Item.objects.filter(step=Step.PLAN).update(text=task, due_date=date(2027, 1, 5))
    text = get(facilitator_client, "actions_ics", workshop).content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert parse_ics(text)[0]["SUMMARY"] == task


def test_fold_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "é" * 100
    folded = fold(line)
    for piece in folded.split("\r\n"):
        assert len(piece.encode()) <= 75
        piece.encode().decode()  # no broken UTF-8
    assert folded.replace("\r\n ", "") == line
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


# -- Markdown -------------------------------------------------------------------------------------


def test_markdown_has_a_section_per_room_and_the_action_table(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    response = get(facilitator_client, "report_md", workshop)
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    assert text.startswith("# Offsite\n")
    assert text.count("\n## Room ") == 2
    assert "### Root causes" in text and "  - Manual forms" in text
    assert "**Buddy system 1** (3 votes)" in text
    assert "| Task 1.0 | R1 P0 | 2026-12-01 | Measure 1.0 | Not started |" in text
    assert "## Debrief" in text


def test_markdown_escapes_user_text():
    assert md("a *b* [c](http://x) <script> | d") == (
        "a \\*b\\* \\[c\\](http://x) \\<script\\> \\| d"
    )
    assert md("two\nlines") == "two lines"
