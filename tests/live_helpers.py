"""Helpers of the live-layer tests: sessions and sockets (the workshop: conftest's `setup`)."""

import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from signed_session import signed_session_key

from config.asgi import application
from live import events
from live import hub as hub_module

# A browser on http://127.0.0.1 sends both; config/origin.py compares them.
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")


def room_path(workshop, query=""):
    """The participant socket's path (`query` e.g. "?room=2&as=facilitator")."""
    return f"/ws/w/{workshop.join_code}/{query}"


def control_path(workshop):
    return f"/ws/w/{workshop.join_code}/control/"


def session_cookie(participant=None, user=None):
    """Returns a Cookie header signing a browser in as a participant and/or a user."""
    key = signed_session_key(user=user, participant=participant)
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())


class Socket:
    """A WebsocketCommunicator that speaks the protocol's frames."""

    def __init__(self, communicator):
        self.comm = communicator
        self.state = None
        self.backlog = []  # frames received while looking for another one

    async def send(self, op, **fields):
        frame = {"op": op, "id": fields.pop("id", None) or uuid.uuid4().hex, **fields}
        await self.comm.send_json_to(frame)
        return frame["id"]

    async def receive(self, wait=3):
        """Returns the next frame; every event frame is checked against its schema."""
        frame = await self.comm.receive_json_from(timeout=wait)
        if "scope" in frame:
            events.validate_frame(frame)
        return frame

    async def receive_until(self, predicate, wait=3, limit=200):
        """Returns the first frame matching predicate; others stay in the backlog, in order."""
        for index, frame in enumerate(self.backlog):
            if predicate(frame):
                del self.backlog[index]
                return frame
        for _ in range(limit):
            frame = await self.receive(wait)
            if predicate(frame):
                return frame
            self.backlog.append(frame)
        raise AssertionError("no matching frame")

    async def reply_to(self, op_id, wait=3):
        return await self.receive_until(
            lambda f: f.get("type") in ("ack", "error", "state") and f.get("id") == op_id, wait
        )

    async def event(self, kind, wait=3, **match):
        """Returns the next `kind` event whose fields equal `match` (item text via item_text)."""
        text = match.pop("item_text", None)

        def wanted(frame):
            if frame.get("type") != kind:
                return False
            if text is not None and frame.get("item", {}).get("text") != text:
                return False
            return all(frame.get(key) == value for key, value in match.items())

        return await self.receive_until(wanted, wait)

    async def op(self, op, **fields):
        """Sends an op and returns its ack or error frame."""
        op_id = await self.send(op, **fields)
        return await self.reply_to(op_id)

    async def nothing(self, wait=0.2):
        """True when nothing arrives but presence news of the socket's own room.

        The backlog (frames seen while waiting for others) is dropped first.
        """
        self.backlog.clear()
        own_room = (self.state or {}).get("room") and self.state["room"]["number"]
        while not await self.comm.receive_nothing(wait):
            frame = await self.receive()
            if frame.get("type") != "presence.changed" or frame.get("room") != own_room:
                self.backlog.append(frame)
                return False
        return True

    async def close(self):
        await self.comm.disconnect()


async def room_sockets(setup, number=1, count=2):
    """Opens the sockets of the first `count` members of room `number` of `setup`."""
    workshop, _rooms, people = setup
    return [await open_socket(room_path(workshop), people[number][i]) for i in range(count)]


async def close_all(*sockets):
    for socket in sockets:
        await socket.close()


async def open_socket(path, participant=None, user=None, *, expect_state=True):
    cookie = await database_sync_to_async(session_cookie)(participant, user)
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, cookie])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    socket = Socket(communicator)
    if expect_state:
        socket.state = await socket.event("state")
    return socket


@pytest.fixture(autouse=True)
async def stop_hub():
    """Stops this test's hub before its event loop closes (with Redis, channels_redis's
    per-loop connections must be let go, or the loop's teardown can wait on them forever).

    Test modules use it by importing it: `from live_helpers import stop_hub  # noqa: F401`.
    """
    yield
    hub = hub_module.current_hub()
    if hub is not None:
        await hub.aclose()
        hub_module._hub = None
