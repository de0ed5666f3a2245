"""Clients that behave like a participant's browser: pages fetched and forms posted with
CSRF tokens and session cookies (httpx), sockets opened, retried and read as live.js and
lobby.js do (websockets), error counts and the p50/p95/p99 summaries of what they measure."""

import asyncio
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import rooms as roomsbench

percentile = roomsbench.percentile
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Person:
    index: int
    client: object = None  # httpx.AsyncClient with this browser's cookies
    cookie: str = ""  # Cookie header for sockets
    participant: int | None = None
    lobby: object = None  # the lobby socket
    room: int | None = None
    room_url: str | None = None
    scribe: int | None = None
    times: dict = field(default_factory=dict)
    reader: object = None  # the task reading the lobby socket, as the page does
    on_frame: object = None  # what the page does with a frame (None: nothing)

    def listen(self):
        """Reads the lobby socket from now on, as lobby.js does (a browser keeps reading)."""
        def handle(frame):
            if self.on_frame is not None:
                self.on_frame(frame)
        self.reader = asyncio.create_task(drain(self.lobby, handle, interesting=LOBBY_EVENTS))


class Errors(Counter):
    def add(self, kind):
        self[kind] += 1


def failure(exc):
    """Names a failure: the HTTP status of a refused socket handshake, else the type."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status is not None else type(exc).__name__


async def open_socket(url, cookie, errors, kind, wait_s=60):
    """Opens a socket as a browser page does and returns (socket, state frame)."""
    from websockets.asyncio.client import connect

    parts = urlsplit(url)  # the socket's page: same host and port, http(s)
    origin = f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"
    ws = await connect(
        url, additional_headers=[("Cookie", cookie)], origin=origin,
        compression=None, max_size=2**24, ping_interval=None, open_timeout=wait_s,
        close_timeout=2,
    )
    deadline = time.monotonic() + wait_s
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if frame.get("type") == "state":
            return ws, frame
        if frame.get("type") == "error":
            errors.add(f"{kind}: error frame {frame.get('code')}")


async def open_socket_retrying(url, cookie, errors, kind, retries, attempts=6):
    """Opens a socket like live.js: a refused handshake is tried again after 0.5 s, 1 s, 2 s…
    (with jitter). Each retry is counted in `retries`; only the last failure is an error."""
    for attempt in range(attempts):
        try:
            return await open_socket(url, cookie, errors, kind)
        except Exception as exc:
            if attempt == attempts - 1:
                raise
            retries.add(f"{kind}: {failure(exc)}")
            await asyncio.sleep(min(15.0, 0.5 * 2 ** attempt) * random.uniform(0.5, 1.0))  # noqa: S311
    raise AssertionError("unreachable")


def browser_client(base):
    """Returns one person's HTTP client, with connections of its own as a browser has: a pool
    shared by a thousand people made httpcore scan every connection for every queued request
    (~24 s of this load generator's CPU at a breakout start of 1,000, more than the servers')."""
    import httpx

    # Plain HTTP on loopback: no certificates to load (20 ms a client) and no proxies to read.
    transport = httpx.AsyncHTTPTransport(
        verify=False, trust_env=False,
        limits=httpx.Limits(max_connections=2, max_keepalive_connections=2))
    return httpx.AsyncClient(
        base_url=base, transport=transport, timeout=httpx.Timeout(120.0), trust_env=False,
        headers={"User-Agent": "roundtable-bench"}, follow_redirects=False,
    )


def cookie_header(client):
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def get_like_a_browser(client, url, headers=None):
    """GETs a page; a 408 (HAProxy closed a connection that sat idle before its request,
    which happens when this load generator is starved of CPU) is retried once, as browsers
    retry it."""
    response = await client.get(url, headers=headers)
    if response.status_code == 408:
        HTTP_RETRIES["HTTP 408 retried"] += 1
        response = await client.get(url, headers=headers)
    return response


HTTP_RETRIES = Counter()


async def fetch_page(client, path, errors, kind, expect=200):
    started = time.perf_counter()
    try:
        response = await get_like_a_browser(client, path)
    except Exception as exc:
        errors.add(f"{kind}: {failure(exc)}")
        return None, None
    if response.status_code != expect:
        errors.add(f"{kind}: HTTP {response.status_code}")
        return None, None
    return response, (time.perf_counter() - started) * 1000


async def post_form(client, path, data, base, errors, kind):
    """GETs the form, POSTs it with its CSRF token like a browser; returns (response, ms)."""
    page, _ms = await fetch_page(client, path, errors, f"{kind} form")
    if page is None:
        return None, None
    match = CSRF_RE.search(page.text)
    if match is None:
        errors.add(f"{kind}: no CSRF token in the form")
        return None, None
    started = time.perf_counter()
    try:
        response = await client.post(
            path, data={**data, "csrfmiddlewaretoken": match.group(1)},
            headers={"Origin": base, "Referer": f"{base}{path}"},
        )
    except Exception as exc:
        errors.add(f"{kind}: {failure(exc)}")
        return None, None
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        errors.add(f"{kind}: HTTP {response.status_code}")
        return None, None
    return response, ms


def summary(values):
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": max(values) if values else float("nan")}



LOBBY_EVENTS = ('"room.assigned"', '"phase.changed"', '{"type":"page"', '{"type":"state"')


PAGE_HEAD = re.compile(r'^\{"type":"page","url":"([^"]*)","html":(null)?')


async def drain(ws, on_frame, interesting=None):
    """Reads a socket until it closes, handing each frame to on_frame(frame); with
    `interesting`, only frames that contain one of those strings are decoded. A `page` frame
    is read as a browser's page_swap.js would use it, but not decoded (tens of kilobytes of
    HTML: this load generator's CPU is not the servers'): {"type", "url", "html": bool}."""
    try:
        async for message in ws:
            if interesting is not None and not any(word in message for word in interesting):
                continue
            page = PAGE_HEAD.match(message)
            if page is not None:
                on_frame({"type": "page", "url": page.group(1), "html": page.group(2) is None})
                continue
            on_frame(json.loads(message))
    except Exception:  # noqa: S110 - a closed socket ends the reader; callers count closes
        pass
