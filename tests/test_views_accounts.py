"""Facilitator accounts: sign up, log in, log out, reset a password."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_creates_an_account_and_signs_it_in(client):
    response = client.post(
        reverse("signup"),
        {"username": "dana", "email": "dana@example.com",
         "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.url == reverse("workshops:list")
    assert User.objects.get(username="dana").email == "dana@example.com"
    assert client.get(reverse("workshops:list")).status_code == 200


def test_signup_refuses_an_e_mail_already_in_use(client, facilitator):
    response = client.post(
        reverse("signup"),
        {"username": "other", "email": "ALICE@example.com",
         "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not User.objects.filter(username="other").exists()


def test_signed_in_facilitator_skips_signup(facilitator_client):
    assert facilitator_client.get(reverse("signup")).url == reverse("workshops:list")


def test_login_goes_to_my_workshops_and_logout_ends_the_session(client, facilitator):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.url == reverse("workshops:list")
    client.post(reverse("logout"))
    assert client.get(reverse("workshops:list")).status_code == 302


def test_login_with_a_wrong_password_explains(client, facilitator):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_password_reset_mails_a_link_that_sets_a_new_password(client, facilitator):
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    new = "another-long-passphrase"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.url == reverse("password_reset_complete")
    facilitator.refresh_from_db()
    assert facilitator.check_password(new)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
