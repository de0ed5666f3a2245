import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_and_a_facilitator_can_log_in(page):
    User.objects.create_user("dana", "dana@example.com", "a-long-passphrase")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Solve real problems")
    expect(page.get_by_label("Join code")).to_be_visible()

    page.get_by_role("link", name="Facilitator log in").first.click()
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()

    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/workshops/$"))
    expect(page.get_by_text("Signed in as dana")).to_be_visible()
