"""Roster: CSV import (preview, problems, confirm), personal links download, removing people."""

import csv
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workshops.models import Attribute, Participant, Workshop
from workshops.roster import csv_safe

pytestmark = pytest.mark.django_db


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.join_code, *args])


def upload(client, workshop, content, name="roster.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(url("roster_import", workshop), {"file": SimpleUploadedFile(name, data)})


def add_ana(workshop):
    return Participant.objects.create(
        workshop=workshop, name="Ana", department="Sales", location="Lyon"
    )


def confirm(client, workshop):
    return client.post(url("roster_import", workshop), {"action": "confirm"})


GOOD = "name,email,department,location\nAna,ana@example.com,Sales,Lyon\nBen,,finance,Toronto\n"


# -- import -------------------------------------------------------------------------------


def test_preview_lists_rows_and_saves_nothing_yet(facilitator_client, workshop):
    response = upload(facilitator_client, workshop, GOOD)
    assert response.status_code == 200
    assert [row["name"] for row in response.context["rows"]] == ["Ana", "Ben"]
    assert response.context["rows"][1]["department"] == "Finance"
    assert not workshop.participants.exists()


def test_confirm_imports_the_valid_rows_with_personal_links(
    facilitator_client, workshop, capture_events
):
    upload(facilitator_client, workshop, GOOD)
    with capture_events() as events:
        response = confirm(facilitator_client, workshop)
    assert response.url == workshop.get_absolute_url()
    people = list(workshop.participants.order_by("name"))
    assert [(p.name, p.email, p.imported) for p in people] == [
        ("Ana", "ana@example.com", True), ("Ben", "", True)
    ]
    assert all(len(p.token) >= 40 for p in people)
    assert events == []  # invited, not here: announced when they open their link


def test_confirm_twice_imports_once(facilitator_client, workshop):
    upload(facilitator_client, workshop, GOOD)
    confirm(facilitator_client, workshop)
    confirm(facilitator_client, workshop)
    assert workshop.participants.count() == 2


def test_header_is_case_insensitive_in_any_order_with_bom_and_semicolons(
    facilitator_client, workshop
):
    content = "\ufeffLocation;NAME;Department;E-mail\nLyon;Ana;Sales;\n".encode()
    response = upload(facilitator_client, workshop, content)
    row = response.context["rows"][0]
    assert (row["name"], row["location"], row["department"]) == ("Ana", "Lyon", "Sales")
    assert row["problems"] == []


def test_rows_with_problems_are_shown_and_skipped(facilitator_client, workshop):
    Participant.objects.create(
        workshop=workshop, name="Old", department="Sales", location="Lyon", email="old@example.com"
    )
    content = (
        "name,email,department,location\n"
        ",x@example.com,Sales,Lyon\n"           # missing name
        "Cat,cat@example.com,Legal,Lyon\n"      # unknown department in a fixed list
        "Dan,OLD@example.com,Sales,Lyon\n"      # e-mail already in the workshop
        "Eve,eve@example.com,Sales,Lyon\n"
        "Fay,EVE@example.com,Sales,Lyon\n"      # duplicate within the file
        "Gus,not-an-email,Sales,Lyon\n"         # bad e-mail
    )
    response = upload(facilitator_client, workshop, content)
    problems = {row["line"]: " ".join(row["problems"]) for row in response.context["rows"]}
    assert "Name is missing" in problems[2]
    assert "not one of this workshop's departments" in problems[3]
    assert "already uses this e-mail" in problems[4]
    assert problems[5] == ""
    assert "appears earlier in the file" in problems[6]
    assert "not an e-mail address" in problems[7]
    confirm(facilitator_client, workshop)
    assert sorted(workshop.participants.values_list("name", flat=True)) == ["Eve", "Old"]


def test_free_text_departments_merge_spellings_within_the_file(facilitator_client, workshop):
    workshop.departments = ""
    workshop.save()
    upload(facilitator_client, workshop, "name,department,location\nA,Sales ,Lyon\nB,sales,LYON\n")
    confirm(facilitator_client, workshop)
    assert set(workshop.participants.values_list("department", "location")) == {("Sales", "Lyon")}


@pytest.mark.parametrize(
    "content,error",
    [
        (b"name\n" + b"x" * (1024 * 1024 + 1), "larger than 1 MB"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        ("name,email\n".encode("utf-16"), "not a CSV file"),
        (b"name,email\n\xff\xfe\xfa,x\n", "not UTF-8"),
        (b"email,department\na@example.com,Sales\n", "must name the columns"),
        (b"name,email,department,location\n,a@example.com,Sales,Lyon\n", "No row can be imported"),
        (b"", "empty"),
    ],
)
def test_unusable_files_are_refused_and_nothing_is_saved(
    facilitator_client, workshop, content, error
):
    response = upload(facilitator_client, workshop, content)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert confirm(facilitator_client, workshop).status_code == 302
    assert not workshop.participants.exists()


def test_outsider_cannot_import(outsider_client, workshop):
    assert upload(outsider_client, workshop, GOOD).status_code == 404
    assert confirm(outsider_client, workshop).status_code == 404
    assert not workshop.participants.exists()


def test_anonymous_cannot_import(client, workshop):
    assert upload(client, workshop, GOOD).url.startswith(reverse("login"))


# -- personal links -----------------------------------------------------------------------


def test_links_csv_lists_everyone_with_absolute_personal_links(facilitator_client, workshop):
    ana = Participant.objects.create(
        workshop=workshop, name="=HYPERLINK(1)", email="a@example.com", department="Sales",
        location="+Lyon",
    )
    response = facilitator_client.get(url("roster_links", workshop))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "email", "department", "location", "personal_link"]
    assert rows[1] == [
        "'=HYPERLINK(1)", "a@example.com", "Sales", "'+Lyon",
        f"http://testserver/p/{ana.token}/",
    ]


def test_outsider_cannot_download_links(outsider_client, workshop):
    assert outsider_client.get(url("roster_links", workshop)).status_code == 404


@pytest.mark.parametrize(
    "value,safe", [("=1+1", "'=1+1"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("+x", "'+x"),
                   ("Ana", "Ana"), ("", "")]
)
def test_csv_cells_that_look_like_formulas_are_defused(value, safe):
    assert csv_safe(value) == safe


# -- removing a participant ---------------------------------------------------------------


def test_remove_asks_then_removes_and_announces(facilitator_client, workshop, capture_events):
    ana = add_ana(workshop)
    assert facilitator_client.post(url("participant_remove", workshop, ana.pk)).status_code == 200
    assert workshop.participants.exists()
    with capture_events() as events:
        facilitator_client.post(url("participant_remove", workshop, ana.pk), {"confirmed": "1"})
    assert not workshop.participants.exists()
    assert events.triples() == [("participant.left", 1, {"participant_id": ana.pk})]


def test_outsider_cannot_remove_a_participant(outsider_client, workshop):
    ana = add_ana(workshop)
    response = outsider_client.post(url("participant_remove", workshop, ana.pk), {"confirmed": "1"})
    assert response.status_code == 404
    assert workshop.participants.exists()


def test_participant_of_another_workshop_cannot_be_removed_here(
    facilitator_client, workshop, facilitator
):
    other = Workshop.objects.create(owner=facilitator, title="Other")
    ana = add_ana(other)
    response = facilitator_client.post(
        url("participant_remove", workshop, ana.pk), {"confirmed": "1"}
    )
    assert response.status_code == 404
    assert other.participants.exists()


def test_an_unclosed_quote_is_reported_on_its_own_line(facilitator_client, workshop):
    content = 'name,email\n"Ana,ana@example.com\nBen,ben@example.com\nCleo,cleo@example.com\n'
    response = upload(facilitator_client, workshop, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 2: a quote" in page
    assert "never closed" in page
    assert "longer than 100 characters" not in page
    assert not workshop.participants.exists()


def test_quotes_that_close_are_still_read(facilitator_client, workshop):
    content = 'name,email\n"Alvarez, Ana",ana@example.com\nBen "Benny" Ross,\n'
    response = upload(facilitator_client, workshop, content)
    assert response.status_code == 200
    confirm(facilitator_client, workshop)
    names = sorted(workshop.participants.values_list("name", flat=True))
    assert names == ["Alvarez, Ana", 'Ben "Benny" Ross']


def test_a_wrong_header_names_the_required_found_and_optional_columns(
    facilitator_client, workshop
):
    Attribute.objects.create(workshop=workshop, label="Team", kind="text")
    response = upload(facilitator_client, workshop, "fullname,dept\nAna,Sales\n")
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "a “name” column is required" in page
    assert "Found: fullname, dept." in page
    assert "Optional: email, department, location, Team." in page
