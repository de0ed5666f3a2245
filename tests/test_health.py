import logging

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth.models import User

from config import health

pytestmark = pytest.mark.django_db

BACKEND_ADDRESS = "Error 111 connecting to 127.0.0.1:6390. Connection refused."


@pytest.fixture
def broken_layer(monkeypatch):
    layer = get_channel_layer()

    async def broken_send(channel, message):
        raise ConnectionError(BACKEND_ADDRESS)

    monkeypatch.setattr(layer, "send", broken_send)


def test_healthz_reports_database_and_channel_layer_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "channel_layer": "ok"}


def test_healthz_names_the_broken_layer_and_logs_the_details(client, broken_layer, caplog):
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["channel_layer"]
    assert body["checks"] == {"database": "ok", "channel_layer": "error"}
    assert "127.0.0.1" not in response.content.decode()
    assert "details" not in body
    assert BACKEND_ADDRESS in caplog.text


def test_healthz_shows_the_details_to_staff_only(client, facilitator, broken_layer):
    client.force_login(facilitator)
    assert "details" not in client.get("/healthz").json()
    staff = User.objects.create_user("sam", "sam@example.com", "x", is_staff=True)
    client.force_login(staff)
    details = client.get("/healthz").json()["details"]
    assert BACKEND_ADDRESS in details["channel_layer"]


def test_healthz_with_a_broken_redis_url_hides_the_address(client, settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)
    try:
        with caplog.at_level(logging.ERROR, logger="config.health"):
            response = client.get("/healthz")
    finally:
        channel_layers.backends.pop("default", None)
    assert response.status_code == 503
    assert response.json()["failing"] == ["channel_layer"]
    assert "127.0.0.1" not in response.content.decode()
    assert "127.0.0.1:1" in caplog.text


def test_healthz_answers_503_naming_the_broken_database(client, monkeypatch):
    def broken_database():
        raise RuntimeError("could not connect to server at 10.0.0.5:5432")

    monkeypatch.setattr(health, "_check_database", broken_database)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert "10.0.0.5" not in response.content.decode()
