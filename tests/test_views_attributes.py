"""A workshop's own attributes: the model, the facilitator's page, the join form and the roster
import and export (issue #15, "any attribute")."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from workshops.models import Attribute, Participant, attribute_key

pytestmark = pytest.mark.django_db


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.join_code, *args])


def add_level(workshop, **options):
    fields = {"label": "Level", "key": "level", "choices": "Manager\nSenior manager\nDirector"}
    return Attribute.objects.create(workshop=workshop, **{**fields, **options})


def add_region(workshop, **options):
    fields = {"label": "Region", "key": "region", "kind": "text", "position": 1}
    return Attribute.objects.create(workshop=workshop, **{**fields, **options})


# -- the model ------------------------------------------------------------------------------


def test_keys_are_made_from_labels():
    assert attribute_key("  Years in role ") == "years_in_role"
    assert attribute_key("Équipe / Team") == "quipe_team"
    assert attribute_key("!!") == ""


def test_fixed_choices_keep_the_lists_spelling_and_free_text_is_tidied(workshop):
    level = add_level(workshop)
    assert level.canonical(" senior   MANAGER") == "Senior manager"
    assert level.canonical("Intern") is None
    assert level.canonical("  ") == ""
    assert add_region(workshop).canonical("  North   West ") == "North West"


def test_removing_an_attribute_removes_everyones_value_of_it(workshop):
    level, region = add_level(workshop), add_region(workshop)
    ana = Participant.objects.create(workshop=workshop, name="Ana", department="Sales",
                                     location="Lyon", attributes={"level": "Director",
                                                                  "region": "North"})
    level.delete()
    ana.refresh_from_db()
    assert ana.attributes == {"region": "North"}
    assert list(workshop.attributes.all()) == [region]


def test_a_copied_workshop_keeps_its_attributes_without_values(workshop, alice):
    add_level(workshop, mix="must mix")
    add_region(workshop, required=False)
    copy = workshop.duplicate(alice)
    assert [(a.label, a.key, a.kind, a.mix, a.required) for a in copy.attributes.all()] == [
        ("Level", "level", "choices", "must mix", True),
        ("Region", "region", "text", "mix if possible", False),
    ]


def test_a_missing_required_value_means_the_profile_is_incomplete(workshop):
    add_level(workshop)
    add_region(workshop, required=False)
    ana = Participant.objects.create(workshop=workshop, name="Ana", department="Sales",
                                     location="Lyon", imported=True)
    assert ana.needs_profile
    assert [a.key for a in ana.missing_attributes()] == ["level"]
    ana.attributes = {"level": "Director"}
    assert not ana.needs_profile


# -- the facilitator's page -----------------------------------------------------------------


def test_facilitator_adds_a_fixed_choice_attribute(facilitator_client, workshop):
    response = facilitator_client.post(url("attributes", workshop), {
        "label": " Level ", "kind": "choices", "choices": "Manager\nmanager\n Director ",
        "required": "on", "mix": "must mix",
    })
    assert response.status_code == 302
    level = workshop.attributes.get()
    assert (level.label, level.key, level.choice_list, level.mix, level.required) == (
        "Level", "level", ["Manager", "Director"], "must mix", True
    )
    page = facilitator_client.get(url("attributes", workshop)).content.decode()
    assert "Manager · Director" in page


def test_the_new_attribute_form_starts_with_participants_must_answer_unticked(
    facilitator_client, workshop
):
    page = facilitator_client.get(url("attributes", workshop)).content.decode()
    required = re.search(r'<input[^>]*name="required"[^>]*>', page).group(0)
    assert "checked" not in required
    level = Attribute.objects.create(workshop=workshop, label="Level", kind="text",
                                     required=True)
    edit = facilitator_client.get(url("attribute_edit", workshop, level.pk)).content.decode()
    assert "checked" in re.search(r'<input[^>]*name="required"[^>]*>', edit).group(0)


@pytest.mark.parametrize("data,field,error", [
    ({"label": "Level", "kind": "choices", "choices": ""}, "choices", "List the choices"),
    ({"label": "E-mail", "kind": "text"}, "label", "already a column of every roster"),
    ({"label": "Department", "kind": "text"}, "label", "already a column of every roster"),
    ({"label": "LEVEL", "kind": "text"}, "label", "already has an attribute called"),
    ({"label": "?!", "kind": "text"}, "label", "at least one letter or digit"),
    ({"label": "", "kind": "text"}, "label", "This field is required"),
])
def test_bad_attributes_get_a_field_error_and_nothing_is_saved(
    facilitator_client, workshop, data, field, error
):
    add_level(workshop)
    response = facilitator_client.post(url("attributes", workshop), {"mix": "ignore", **data})
    assert response.status_code == 400
    assert any(error in message for message in response.context["form"].errors[field])
    assert workshop.attributes.count() == 1


def test_facilitator_edits_reorders_and_removes_attributes(facilitator_client, workshop):
    level, region = add_level(workshop), add_region(workshop)
    response = facilitator_client.post(url("attribute_edit", workshop, region.pk), {
        "label": "Region of work", "kind": "text", "choices": "", "mix": "ignore",
    })
    assert response.status_code == 302
    region.refresh_from_db()
    assert (region.label, region.key, region.mix, region.required) == (
        "Region of work", "region", "ignore", False
    )
    facilitator_client.post(url("attribute_move", workshop, region.pk), {"direction": "up"})
    assert [a.key for a in workshop.attributes.all()] == ["region", "level"]
    asked = facilitator_client.post(url("attribute_delete", workshop, level.pk))
    assert "Remove “Level”?" in asked.content.decode()
    assert workshop.attributes.count() == 2
    facilitator_client.post(url("attribute_delete", workshop, level.pk), {"confirmed": "1"})
    assert [a.key for a in workshop.attributes.all()] == ["region"]


def test_outsider_cannot_see_or_change_attributes(outsider_client, workshop):
    level = add_level(workshop)
    assert outsider_client.get(url("attributes", workshop)).status_code == 404
    response = outsider_client.post(url("attributes", workshop), {"label": "Team", "kind": "text",
                                                                  "mix": "ignore"})
    assert response.status_code == 404
    assert outsider_client.post(url("attribute_delete", workshop, level.pk),
                                {"confirmed": "1"}).status_code == 404
    assert workshop.attributes.count() == 1


def test_participant_cannot_manage_attributes(participant_client, workshop):
    ana = Participant.objects.create(workshop=workshop, name="Ana", department="Sales",
                                     location="Lyon")
    level = add_level(workshop)
    client = participant_client(ana)
    assert client.get(url("attributes", workshop)).url.startswith(reverse("login"))
    client.post(url("attribute_delete", workshop, level.pk), {"confirmed": "1"})
    assert workshop.attributes.count() == 1


def test_an_attribute_of_another_workshop_is_404(facilitator_client, workshop, make_workshop,
                                                 bob):
    other = make_workshop(owner=bob).workshop
    theirs = add_level(other)
    assert facilitator_client.get(url("attribute_edit", workshop, theirs.pk)).status_code == 404


# -- joining --------------------------------------------------------------------------------


def join(client, workshop, **fields):
    data = {"name": "Ana", "department": "Sales", "location": "Lyon", **fields}
    return client.post(reverse("workshops:join_code", args=[workshop.join_code]), data)


def test_join_form_asks_for_the_workshops_attributes(client, workshop):
    add_level(workshop)
    add_region(workshop, required=False)
    page = client.get(reverse("workshops:join_code", args=[workshop.join_code])).content.decode()
    assert '<select name="attr_level"' in page
    assert '<option value="Senior manager">Senior manager</option>' in page
    assert '<input type="text" name="attr_region"' in page
    response = join(client, workshop, attr_level="Director", attr_region="  North ")
    assert response.status_code == 302
    assert workshop.participants.get().attributes == {"level": "Director", "region": "North"}


def test_join_form_refuses_a_value_not_among_the_choices_and_a_missing_one(client, workshop):
    add_level(workshop)
    response = join(client, workshop, attr_level="Intern")
    assert "Select a valid choice" in " ".join(response.context["form"].errors["attr_level"])
    response = join(client, workshop)
    assert "This field is required" in " ".join(response.context["form"].errors["attr_level"])
    assert not workshop.participants.exists()


def test_is_this_you_carries_the_attributes_to_someone_else(client, workshop):
    add_level(workshop)
    join(Client(), workshop, attr_level="Manager")
    page = join(client, workshop, attr_level="Director").content.decode()
    assert '<input type="hidden" name="attr_level" value="Director">' in page
    join(client, workshop, attr_level="Director", action="someone_else")
    assert workshop.participants.order_by("pk").last().attributes == {"level": "Director"}


def test_imported_participant_without_a_required_value_is_asked_for_it(client, workshop):
    add_level(workshop)
    ana = Participant.objects.create(workshop=workshop, name="Ana", department="Sales",
                                     location="Lyon", imported=True, attributes={"team": "Old"})
    response = client.get(ana.get_absolute_url())
    assert response.url == reverse("workshops:me", args=[workshop.join_code])
    client.post(response.url, {"name": "Ana", "department": "Sales", "location": "Lyon",
                               "attr_level": "Manager"})
    ana.refresh_from_db()
    assert ana.attributes == {"team": "Old", "level": "Manager"}
    assert client.get(ana.get_absolute_url()).url.endswith("/lobby/")


# -- the roster -----------------------------------------------------------------------------

FOUR = (
    "Name,Email,Department,Location,LEVEL,Region,Phone\n"
    "Ana,ana@example.com,Sales,Lyon,director,North,1\n"
    "Ben,,Finance,Oslo,Intern,South,2\n"
    "Cy,,Finance,Lyon,,  south ,3\n"
)


def upload(client, workshop, content):
    return client.post(url("roster_import", workshop),
                       {"file": SimpleUploadedFile("roster.csv", content.encode())})


def test_import_page_lists_the_expected_columns(facilitator_client, workshop):
    add_level(workshop)
    page = facilitator_client.get(url("roster_import", workshop)).content.decode()
    for column in ("name", "email", "department", "location", "Level"):
        assert f"<code>{column}</code>" in page


def test_roster_columns_fill_attributes_and_bad_choices_are_reported_by_line(
    facilitator_client, workshop
):
    add_level(workshop)
    add_region(workshop)
    response = upload(facilitator_client, workshop, FOUR)
    assert response.status_code == 200
    rows = {row["line"]: row for row in response.context["rows"]}
    assert rows[2]["attributes"] == {"level": "Director", "region": "North"}
    assert rows[2]["problems"] == []
    assert rows[3]["problems"] == [
        "“Intern” is not one of the choices for Level (Manager, Senior manager, Director)."
    ]
    assert rows[4]["attributes"] == {"region": "south"}
    page = response.content.decode()
    assert "The column “Phone” is not one of this workshop" in page
    assert "<th scope=\"col\">Level</th>" in page
    facilitator_client.post(url("roster_import", workshop), {"action": "confirm"})
    people = {p.name: p.attributes for p in workshop.participants.all()}
    assert people == {"Ana": {"level": "Director", "region": "North"}, "Cy": {"region": "south"}}


def test_links_csv_has_a_column_per_attribute_that_imports_again(facilitator_client, workshop):
    add_level(workshop)
    add_region(workshop)
    Participant.objects.create(workshop=workshop, name="Ana", department="Sales",
                               location="Lyon", attributes={"level": "Director",
                                                            "region": "=North"})
    text = facilitator_client.get(url("roster_links", workshop)).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "email", "department", "location", "Level", "Region",
                       "personal_link"]
    assert rows[1][:6] == ["Ana", "", "Sales", "Lyon", "Director", "'=North"]
