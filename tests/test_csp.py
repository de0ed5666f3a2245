"""The Content-Security-Policy header: strict, and naming this site's socket origin."""

import pytest

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
    }


def test_pages_get_a_strict_policy(client):
    policy = directives(client.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    flat = " ".join(value for values in policy.values() for value in values)
    assert "unsafe" not in flat


def test_a_host_outside_allowed_hosts_is_never_named_in_the_policy(client):
    response = client.get("/", HTTP_HOST="evil.example:8443")
    assert response.status_code == 400
    assert "evil.example" not in response["Content-Security-Policy"]


def test_connect_src_follows_the_host_and_scheme(client, settings):
    settings.ALLOWED_HOSTS = ["roundtable.example.com"]
    response = client.get("/", HTTP_HOST="roundtable.example.com:8443",
                          HTTP_X_FORWARDED_PROTO="https")
    assert directives(response)["connect-src"] == ["'self'", "wss://roundtable.example.com:8443"]


def test_json_and_file_answers_carry_the_policy_too(client):
    assert "frame-ancestors 'none'" in client.get("/healthz")["Content-Security-Policy"]
