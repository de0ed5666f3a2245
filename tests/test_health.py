import pytest
from channels.layers import get_channel_layer


@pytest.mark.django_db
def test_healthz_reports_database_and_channel_layer_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broken_channel_layer(client, monkeypatch):
    layer = get_channel_layer()

    async def broken_send(channel, message):
        raise ConnectionError("layer down")

    monkeypatch.setattr(layer, "send", broken_send)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["channel_layer"]
    assert "layer down" in body["checks"]["channel_layer"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broken_database(client, monkeypatch):
    from config import health

    def broken_database():
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(health, "_check_database", broken_database)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
