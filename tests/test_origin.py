"""Sockets open only from the site's own origin (scheme, host and port) or a trusted one."""

import pytest
from channels.testing import WebsocketCommunicator
from live_helpers import session_cookie, stop_hub  # noqa: F401

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

SITE = [(b"host", b"127.0.0.1:8000")]


@pytest.fixture
def member_socket(make_workshop):
    """Returns (path, cookie header) of a room member's socket."""
    workshop, _rooms, people = make_workshop(rooms=1, members=2)
    return f"/ws/w/{workshop.join_code}/", session_cookie(participant=people[1][1])


async def connects(path, headers):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


async def test_the_sites_own_origin_is_accepted(member_socket):
    path, cookie = member_socket
    assert await connects(path, [*SITE, (b"origin", b"http://127.0.0.1:8000"), cookie])


@pytest.mark.parametrize(
    "origin",
    [
        b"http://127.0.0.1:1",  # another port
        b"https://127.0.0.1:8000",  # another scheme
        b"http://127.0.0.1",  # port 80
        b"http://localhost:8000",  # another host, even an allowed one
        b"http://evil.example:8000",
        b"null",
        b"http://127.0.0.1:8000/path",
    ],
)
async def test_other_origins_are_refused(member_socket, origin):
    path, cookie = member_socket
    assert not await connects(path, [*SITE, (b"origin", origin), cookie])


async def test_a_socket_without_origin_is_refused(member_socket):
    path, cookie = member_socket
    assert not await connects(path, [*SITE, cookie])


async def test_a_host_outside_allowed_hosts_is_refused_even_when_origin_matches(member_socket):
    path, cookie = member_socket
    headers = [(b"host", b"evil.example:8000"), (b"origin", b"http://evil.example:8000"), cookie]
    assert not await connects(path, headers)


async def test_behind_a_tls_proxy_the_https_origin_is_the_sites(member_socket):
    path, cookie = member_socket
    proxy = [(b"host", b"127.0.0.1"), (b"x-forwarded-proto", b"https")]
    assert await connects(path, [*proxy, (b"origin", b"https://127.0.0.1"), cookie])
    assert not await connects(path, [*proxy, (b"origin", b"http://127.0.0.1"), cookie])


async def test_csrf_trusted_origins_are_accepted_by_scheme_host_and_port(member_socket, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://roundtable.example.com", "https://*.example.org"]
    path, cookie = member_socket
    for origin, accepted in [
        (b"https://roundtable.example.com", True),
        (b"https://roundtable.example.com:443", True),
        (b"https://team.example.org", True),
        (b"http://roundtable.example.com", False),
        (b"https://roundtable.example.com:8443", False),
        (b"https://example.org.evil.example", False),
    ]:
        headers = [*SITE, (b"origin", origin), cookie]
        assert await connects(path, headers) is accepted, origin
