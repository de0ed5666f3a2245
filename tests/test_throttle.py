"""Guesses are throttled per client (and per account for log-in), with a 429 page and a
Retry-After header; a whole office joining from one address is never slowed."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def workshop(facilitator):
    workshop = Workshop.objects.create(owner=facilitator, title="Peer day")
    workshop.add_challenge("Hybrid work")
    workshop.phase = Workshop.Phase.LOBBY
    workshop.save()
    return workshop


def wrong_code(index):
    """Returns a well-formed join code that no workshop has."""
    alphabet = "ACDEFGHJKMNPQRTUVWXY34679"
    return "Q" + "".join(alphabet[(index // 25**i) % 25] for i in range(5))


def guess(client, code, address=OFFICE):
    return client.get(reverse("workshops:join_code", args=[code]), REMOTE_ADDR=address)


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()


# -- join codes ---------------------------------------------------------------------------


def test_a_thousand_people_join_from_one_address_while_wrong_codes_get_429(
    workshop, settings
):
    settings.THROTTLE_JOIN_GUESSES = "60/10m"
    # One frozen instant: all of it happens "within a minute", inside one counting window.
    instant = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(instant, tick=False):
        join_a_thousand_then_guess(workshop)


def join_a_thousand_then_guess(workshop):
    """1,000 people send the join form (the page that looks the code up) from one address;
    20 of them first mistype the code."""
    browser = Client(REMOTE_ADDR=OFFICE)
    for person in range(1000):
        browser.cookies.clear()  # a new person: a browser without a session
        if person % 50 == 0:
            assert guess(browser, wrong_code(person)).status_code == 404
        response = browser.post(
            reverse("workshops:join_code", args=[workshop.join_code]),
            {"name": f"Person {person}", "department": "Sales", "location": "Oslo"},
        )
        assert response.status_code == 302, person
    assert Participant.objects.filter(workshop=workshop).count() == 1000

    attacker = Client(REMOTE_ADDR=OFFICE)
    answers = [guess(attacker, wrong_code(10_000 + n)).status_code for n in range(45)]
    assert answers[:40] == [404] * 40  # 20 typos + 40 guesses = the 60 allowed
    assert set(answers[40:]) == {429}
    assert_throttled(guess(attacker, wrong_code(20_000)))


def test_a_throttled_client_gets_429_for_the_right_code_too_until_the_window_ends(
    workshop, settings
):
    settings.THROTTLE_JOIN_GUESSES = "5/10m"
    client = Client()
    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, 0, 1, tzinfo=datetime.UTC)):
        for n in range(5):
            assert guess(client, wrong_code(n)).status_code == 404
        assert_throttled(guess(client, wrong_code(99)))
        refused = guess(client, workshop.join_code)
        assert_throttled(refused)
        assert 0 < int(refused["Retry-After"]) <= 600
        # Another address is not affected.
        assert guess(client, workshop.join_code, ELSEWHERE).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, 10, 2, tzinfo=datetime.UTC)):
        assert guess(client, workshop.join_code).status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_count(workshop, settings):
    settings.THROTTLE_JOIN_GUESSES = "3/10m"
    client = Client()
    for n in range(4):
        client.get(
            reverse("workshops:join_code", args=[wrong_code(n)]),
            REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert_throttled(guess(client, workshop.join_code))


# -- sign-up and password reset --------------------------------------------------------------


def signup(client, n, address=OFFICE):
    return client.post(
        reverse("signup"),
        {"username": f"user{n}", "email": f"user{n}@example.com",
         "password1": "short", "password2": "short"},
        REMOTE_ADDR=address,
    )


def test_sign_ups_are_throttled_per_client(db, settings):
    settings.THROTTLE_SIGNUP = "3/h"
    client = Client()
    assert [signup(client, n).status_code for n in range(3)] == [200, 200, 200]
    assert_throttled(signup(client, 3))
    assert client.get(reverse("signup"), REMOTE_ADDR=OFFICE).status_code == 200  # reading is free
    assert signup(client, 4, ELSEWHERE).status_code == 200


def reset(client, email, address=OFFICE):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_resets_are_throttled_per_client(facilitator, settings):
    settings.THROTTLE_PASSWORD_RESET = "3/h"
    client = Client()
    for n in range(3):
        assert reset(client, f"nobody{n}@example.com").status_code == 302
    assert_throttled(reset(client, "alice@example.com"))
    assert mail.outbox == []


def test_password_resets_are_throttled_per_address_across_clients(facilitator, settings):
    settings.THROTTLE_PASSWORD_RESET = "3/h"
    for n in range(3):
        assert reset(Client(), "alice@example.com", f"192.0.2.{n}").status_code == 302
    assert len(mail.outbox) == 3
    assert_throttled(reset(Client(), "ALICE@example.com ", "192.0.2.99"))
    assert len(mail.outbox) == 3


# -- log-in (django-axes) ----------------------------------------------------------------------


def log_in(client, username, password, address=OFFICE):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_ten_wrong_passwords_lock_the_account_for_fifteen_minutes(facilitator):
    start = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client = Client()
        answers = [log_in(client, "alice", f"wrong-{n}").status_code for n in range(9)]
        assert answers == [200] * 9
        assert_throttled(log_in(client, "alice", "wrong-9"))
        locked = log_in(client, "alice", PASSWORD)
        assert_throttled(locked)
        assert int(locked["Retry-After"]) == 15 * 60
        # The account is locked for everyone, not only for this address.
        assert_throttled(log_in(Client(), "alice", PASSWORD, ELSEWHERE))
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        response = log_in(Client(), "alice", PASSWORD)
        assert response.status_code == 302
        assert response.url == reverse("workshops:list")


def test_one_client_trying_many_accounts_is_locked_out(facilitator):
    client = Client()
    for n in range(10):
        log_in(client, f"someone{n}", "guess")
    assert_throttled(log_in(client, "alice", PASSWORD))
    # Alice herself, elsewhere, still gets in.
    assert log_in(Client(), "alice", PASSWORD, ELSEWHERE).status_code == 302


def test_a_few_typos_do_not_lock_anyone_out(facilitator):
    client = Client()
    for n in range(3):
        assert log_in(client, "alice", f"typo-{n}").status_code == 200
    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert User.objects.get(username="alice").last_login is not None
