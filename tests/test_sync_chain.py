"""config/sync_chain.py: under ASGI a page crosses from the event loop to a thread once (and
once more for an async view), not once per middleware and direction."""

import pytest
from asgiref import sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def hand_offs(monkeypatch):
    """Counts the sync_to_async hand-offs made while the test runs."""
    made = []
    init = sync.SyncToAsync.__init__

    def counted(self, func, *args, **kwargs):
        made.append(getattr(func, "__qualname__", repr(func)))
        init(self, func, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__init__", counted)
    return made


@pytest.mark.asyncio
async def test_a_page_runs_its_middleware_on_one_thread(async_client, hand_offs):
    response = await async_client.get("/join/")
    assert response.status_code == 200
    # The request_started signal, the middleware chain, the view middleware, the view and the
    # response's close: 5 (it was 17, with each middleware below WhiteNoise crossing alone).
    assert len(hand_offs) <= 6, hand_offs


@pytest.mark.asyncio
async def test_an_async_view_still_answers(async_client):
    response = await async_client.get("/healthz")
    assert response.status_code in (200, 503)
    assert response["Content-Type"] == "application/json"
