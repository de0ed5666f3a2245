"""A facilitator adds two attributes, imports a roster with four (department, location, level,
region) and sees on the plan page how mixed each one is (issue #15, "any attribute")."""

import pytest
from browser_steps import PASSWORD, log_in
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from workshops.models import Challenge, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Three rooms of four can hold every attribute at its bound: each room gets one person of
# every level, both locations twice, and departments and regions 2-1-1.
ROSTER = """Name,Department,Location,Level,Region,Phone
Ana,Sales,Lyon,Manager,North,1
Ben,Finance,Toronto,Senior manager,South,2
Cy,Operations,Lyon,Director,East,3
Di,Sales,Toronto,VP,North,4
Ed,Finance,Lyon,Manager,East,5
Flo,Operations,Toronto,Senior manager,North,6
Gus,Sales,Lyon,Director,South,7
Hal,Finance,Toronto,VP,East,8
Ivy,Operations,Lyon,Manager,South,9
Jo,Sales,Toronto,Senior manager,East,10
Kim,Finance,Lyon,Director,North,11
Lou,Operations,Toronto,vp,South,12
"""


def add_attribute(page, label, *, choices=None, mix="Mix if possible"):
    page.get_by_label("Label").fill(label)
    if choices:
        page.get_by_label("Fixed choices").check()
        page.get_by_label("Choices", exact=True).fill("\n".join(choices))
    else:
        page.get_by_label("Free text").check()
    page.get_by_label("Mixing when planning rooms").select_option(label=mix)
    page.get_by_role("button", name="Add attribute").click()
    expect(page.get_by_text(f"“{label}” added.")).to_be_visible()


def test_facilitator_imports_four_attributes_and_sees_each_as_mixed_as_possible(
    new_context, tmp_path
):
    owner = User.objects.create_user("dana", "dana@example.com", PASSWORD)
    workshop = Workshop.objects.create(
        owner=owner, title="Leadership offsite", phase=Workshop.Phase.LOBBY, room_count=3,
        target_room_size=None,
    )
    Challenge.objects.create(workshop=workshop, title="Retention")
    page = new_context().new_page()
    log_in(page, "dana")
    page.goto(workshop.get_absolute_url())

    page.get_by_role("link", name="Attributes to mix").click()
    page.get_by_role("button", name="Add attribute").click()  # empty: field errors, nothing saved
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    expect(page.get_by_label("Label")).to_be_focused()  # where the first error is
    add_attribute(page, "Level", choices=["Manager", "Senior manager", "Director", "VP"],
                  mix="Must mix")
    add_attribute(page, "Region")
    page.get_by_role("link", name="Done: back to the workshop").click()

    page.get_by_role("link", name="Import roster (CSV)").click()
    expect(page.get_by_role("list", name="Columns")).to_contain_text("Level")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    page.get_by_label("Roster CSV file").set_input_files(roster)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("status")).to_contain_text("“Phone”")
    preview = page.get_by_role("table")
    expect(preview.get_by_role("columnheader", name="Level")).to_be_visible()
    expect(preview.get_by_role("row", name="Lou")).to_contain_text("VP")
    page.get_by_role("button", name="Import 12 participants").click()
    expect(page.get_by_text("12 participants imported")).to_be_visible()
    expect(page.get_by_role("heading", name="Invited, not here yet: 12")).to_be_visible()

    # Nobody is seated before they open their personal link; then everyone does.
    page.goto(f"/w/{workshop.join_code}/manage/plan/")
    expect(page.get_by_text("12 invited people have not opened their personal links yet")
           ).to_be_visible()
    workshop.participants.update(last_seen_at=timezone.now())
    page.goto(f"/w/{workshop.join_code}/manage/plan/")
    headline = page.get_by_role("list", name="How mixed each attribute is")
    for line in ("Departments: as mixed as possible", "Locations: as mixed as possible",
                 "Level: as mixed as possible", "Region: as mixed as possible"):
        expect(headline).to_contain_text(line)
    cards = page.get_by_role("region", name="Rooms", exact=True).get_by_role("article")
    expect(cards).to_have_count(3)
    for index in range(3):
        expect(cards.nth(index)).to_contain_text("4 people · 3 departments · 2 locations")
        expect(cards.nth(index)).to_contain_text("Level: 4 · Region: 3")

    # Ignoring an attribute is said, and the choice stays selected.
    page.get_by_label("Region").select_option(label="Ignore")
    page.get_by_role("button", name="Reshuffle (new random rooms)").click()
    expect(headline).to_contain_text("Region: not mixed (ignored)")
    expect(headline).to_contain_text("Level: as mixed as possible")
    expect(page.get_by_label("Region")).to_have_value("ignore")
    expect(page.get_by_label("Level")).to_have_value("must mix")
