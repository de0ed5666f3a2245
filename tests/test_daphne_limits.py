"""Limits enforced by the server in front of the app (Daphne), seen by a real client."""

import asyncio

import pytest
import websockets
from live_helpers import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_frame_over_one_mebibyte_gets_a_close_frame_with_1009(live_server_url, make_workshop):
    workshop, _rooms, people = make_workshop(rooms=1, members=1)
    name, value = session_cookie(people[1][0])
    url = live_server_url.replace("http://", "ws://") + f"/ws/w/{workshop.join_code}/"

    async def send_too_much():
        async with websockets.connect(
            url, origin=live_server_url, additional_headers={name.decode(): value.decode()},
            max_size=None,
        ) as socket:
            assert '"type":"state"' in await socket.recv() + await socket.recv()
            await socket.send("x" * (2 * 1024 * 1024))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 5)
            return closed.value.rcvd

    received = asyncio.run(send_too_much())
    assert received is not None and received.code == 1009
