"""Printing the report through Chromium gives a clean PDF: one page-started section per room."""

import re

import pytest
from playwright.sync_api import expect
from report_helpers import make_workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_prints_to_a_pdf_with_a_page_per_room(signed_in_context, facilitator):
    workshop = make_workshop(facilitator, rooms=3)
    page = signed_in_context(facilitator).new_page()
    page.goto(f"/w/{workshop.join_code}/report/")
    expect(page.get_by_role("heading", name=re.compile(r"^Room 1"))).to_be_visible()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    sections = page.locator("section.report-room")
    expect(sections).to_have_count(3)
    breaks = sections.evaluate_all("els => els.map(e => getComputedStyle(e).breakBefore)")
    assert breaks == ["page", "page", "page"]

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    # The title page, one (or more) per room, then the debrief.
    assert pages >= 1 + 3 + 1
