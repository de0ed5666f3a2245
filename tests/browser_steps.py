"""Steps the browser tests take the way people do: log in through the form, join by link."""

import re

from playwright.sync_api import expect

PASSWORD = "a-long-passphrase"


def log_in(page, username, password=PASSWORD):
    """Logs in through the login form and waits for the workshops list it lands on."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/workshops/$"))


def join(page, code, name, department, location):
    """Joins through the workshop's link (department and location are fixed choices) and
    waits for the lobby's live status."""
    page.goto(f"/join/{code}/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Department").select_option(department)
    page.get_by_label("Location").select_option(location)
    page.get_by_role("button", name="Join the workshop").click()
    expect(page.get_by_role("heading", name=f"Welcome, {name}!")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible()


def record_page_errors(page, errors):
    """Appends every uncaught script error of `page` to `errors` (a test asserts it stays
    empty) and returns the page."""
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page
