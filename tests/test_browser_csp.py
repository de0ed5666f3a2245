"""No page breaks the Content-Security-Policy: every main page, as each of its people, loads
and goes live in Chromium without one `securitypolicyviolation`."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect
from report_helpers import make_workshop, member

from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (Playwright injects it outside the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Visitor:
    """One person's browser that records CSP violations and console complaints per page."""

    def __init__(self, context):
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.console = []
        self.page.on(
            "console",
            lambda message: self.console.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy"
            in message.text else None,
        )

    def visit(self, url):
        """Opens url, waits until it is live where it has a socket; returns its violations."""
        self.console.clear()
        response = self.page.goto(url)
        assert response.status == 200, (url, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        live = self.page.locator("[data-live-status]")
        if live.count():
            expect(live.first).to_have_text("Connected")
        self.page.wait_for_timeout(200)  # let late scripts and styles run
        return self.page.evaluate("window.__cspViolations") + self.console


def test_main_pages_log_no_csp_violation(new_context, signed_in_context, facilitator):
    workshop = make_workshop(facilitator, rooms=2, per_room=2, phase=Workshop.Phase.BREAKOUTS)
    code = workshop.join_code
    stranger = Visitor(new_context())
    host = Visitor(signed_in_context(facilitator))
    person = Visitor(signed_in_context(participant=member(workshop, 1, 1)))
    violations = {}

    def check(visitor, url):
        found = visitor.visit(url)
        if found:
            violations[url] = found

    for url in [
        "/", "/join/", f"/join/{code}/", "/accounts/login/", "/accounts/signup/",
        "/accounts/password-reset/", "/admin/login/",
    ]:
        check(stranger, url)
    for url in [
        "/workshops/", f"/w/{code}/manage/", f"/w/{code}/manage/invite/",
        f"/w/{code}/manage/challenges/", f"/w/{code}/control/", f"/w/{code}/rooms/1/",
        f"/w/{code}/report/", f"/w/{code}/actions/", f"/w/{code}/network/",
        f"/w/{code}/manage/calls/", f"/w/{code}/manage/calls/rooms/",
    ]:
        check(host, url)
    for url in [f"/w/{code}/lobby/", f"/w/{code}/rooms/1/", f"/w/{code}/my-actions/"]:
        check(person, url)

    Workshop.objects.filter(pk=workshop.pk).update(phase=Workshop.Phase.PLENARY)
    check(host, f"/w/{code}/plenary/")
    check(person, f"/w/{code}/plenary/")
    Workshop.objects.filter(pk=workshop.pk).update(phase=Workshop.Phase.DEBRIEF)
    check(host, f"/w/{code}/debrief/results/")
    check(person, f"/w/{code}/debrief/")
    check(person, f"/w/{code}/network/")

    admin = User.objects.create_superuser("root", "root@example.com", "x")
    staff = Visitor(signed_in_context(admin))
    for url in [
        "/admin/", "/admin/workshops/workshop/", f"/admin/workshops/workshop/{workshop.pk}/change/",
        "/admin/auth/user/add/",
    ]:
        check(staff, url)

    assert violations == {}


def test_the_policy_blocks_and_reports_injected_inline_code(new_context):
    """Proves the check above can fail: an injected inline handler is refused and reported."""
    visitor = Visitor(new_context())
    assert visitor.visit("/") == []
    visitor.page.evaluate(
        """document.body.insertAdjacentHTML(
             "beforeend", '<img src="/static/none.png" onerror="window.__ran = 1">'
               + '<p style="color: red">styled</p>')"""
    )
    visitor.page.wait_for_timeout(300)
    violations = visitor.page.evaluate("window.__cspViolations")
    assert visitor.page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("style-src") for v in violations), violations
