"""Rights are re-checked on every op, and a revocation closes the open sockets it concerns
within a second (docs/protocol.md, "Revocation")."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from live_helpers import HOST, ORIGIN, Socket, open_socket, stop_hub  # noqa: F401

from breakouts.models import Broadcast
from config.asgi import application
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


@pytest.fixture
def setup(make_workshop, bob):
    workshop, rooms, people = make_workshop(rooms=1, members=2, cofacilitators=[bob])
    return workshop, rooms, people, bob


async def closed_with(socket, wait=1.5):
    """Returns the close code the socket received within `wait` seconds (frames skipped)."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, "the socket was not closed in time"
        message = await asyncio.wait_for(socket.comm.receive_output(), remaining)
        if message["type"] == "websocket.close":
            return message.get("code")


async def test_removed_cofacilitator_loses_the_open_control_socket(setup):
    workshop, _rooms, _people, bob = setup
    control = await open_socket(f"/ws/w/{workshop.join_code}/control/", user=bob)
    assert (await control.op("broadcast.send", message="still mine"))["type"] == "ack"
    await db(workshop.remove_cofacilitator)(bob)
    assert await closed_with(control) == 4404
    assert await db(Broadcast.objects.count)() == 1


async def test_every_control_op_rechecks_the_sender(setup):
    """Even without the event (say it was lost), the next op is refused."""
    workshop, _rooms, _people, bob = setup
    control = await open_socket(f"/ws/w/{workshop.join_code}/control/", user=bob)
    await db(workshop.cofacilitators.remove)(bob)  # no announcement: the per-op check holds
    reply = await control.op("broadcast.send", message="after removal")
    assert reply["code"] == "forbidden"
    assert await db(Broadcast.objects.count)() == 0
    await control.close()


async def test_removed_cofacilitator_acting_in_a_room_can_no_longer_write(setup):
    workshop, _rooms, _people, bob = setup
    room = await open_socket(f"/ws/w/{workshop.join_code}/?room=1&as=facilitator", user=bob)
    assert (await room.op("note.set", step="define", text="ok", base_rev=0))["type"] == "ack"
    await db(workshop.cofacilitators.remove)(bob)
    reply = await room.op("item.add", step="root_causes", fields={"text": "after"})
    assert reply["code"] == "forbidden"
    await db(workshop.remove_cofacilitator)(bob)
    assert await closed_with(room) == 4404


async def test_logging_out_closes_the_sockets_of_that_session(setup):
    workshop, _rooms, _people, bob = setup
    browser = Client()
    await db(browser.force_login)(bob)
    cookie = (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())
    comm = WebsocketCommunicator(
        application, f"/ws/w/{workshop.join_code}/control/", headers=[ORIGIN, HOST, cookie]
    )
    assert (await comm.connect(timeout=5))[0]
    control = Socket(comm)
    await control.event("state")
    await db(browser.post)("/accounts/logout/")
    assert await closed_with(control) == 4404


async def test_deleting_the_workshop_closes_its_sockets(setup):
    workshop, _rooms, people, _bob = setup
    member = await open_socket(f"/ws/w/{workshop.join_code}/", people[1][1])
    await db(lambda: Workshop.objects.get(pk=workshop.pk).delete())()
    assert await closed_with(member) == 4404
