"""Scenario: the join storm. Every participant opens the join page, submits it, loads the
lobby and opens the lobby socket, arrivals spread over the join window. Without it, the
participants seeded in the database just open their lobby sockets (seed_lobby)."""

import asyncio
import random
import time
from collections import defaultdict

from .clients import (
    CSRF_RE,
    Errors,
    browser_client,
    cookie_header,
    failure,
    fetch_page,
    open_socket,
    open_socket_retrying,
    summary,
)
from .database import DEPARTMENTS, LOCATIONS


async def join_storm(dep, code, people, window):
    errors, retries = Errors(), Errors()
    pages = defaultdict(list)
    base = dep.base

    async def join(person, at):
        await asyncio.sleep(at)
        started = time.perf_counter()
        client = person.client = browser_client(base)
        path = f"/join/{code}/"
        page, ms = await fetch_page(client, path, errors, "join page")
        if page is None:
            return
        pages["join page (GET)"].append(ms)
        match = CSRF_RE.search(page.text)
        if match is None:
            errors.add("join page: no CSRF token")
            return
        data = {
            "name": f"Person {person.index}",
            "department": DEPARTMENTS[person.index % len(DEPARTMENTS)],
            "location": LOCATIONS[person.index % len(LOCATIONS)],
            "email": "", "csrfmiddlewaretoken": match.group(1),
        }
        t = time.perf_counter()
        try:
            response = await client.post(
                path, data=data, headers={"Origin": base, "Referer": f"{base}{path}"})
        except Exception as exc:
            errors.add(f"join submit: {failure(exc)}")
            return
        pages["join submit (POST)"].append((time.perf_counter() - t) * 1000)
        lobby = f"/w/{code}/lobby/"
        if response.status_code != 302 or response.headers.get("location") != lobby:
            errors.add(f"join submit: HTTP {response.status_code}")
            return
        page, ms = await fetch_page(client, lobby, errors, "lobby page")
        if page is None:
            return
        pages["lobby page (GET)"].append(ms)
        person.cookie = cookie_header(client)
        t = time.perf_counter()
        try:
            person.lobby, state = await open_socket_retrying(
                f"{dep.ws_base}/ws/w/{code}/?page=lobby", person.cookie, errors, "lobby socket",
                retries)
        except Exception as exc:
            errors.add(f"lobby socket: {failure(exc)}")
            return
        pages["lobby socket (to state)"].append((time.perf_counter() - t) * 1000)
        person.participant = state["me"]["participant"]["id"]
        person.listen()
        pages["whole join (to live lobby)"].append((time.perf_counter() - started) * 1000)

    offsets = sorted(random.uniform(0, window) for _ in people)  # noqa: S311
    started = time.monotonic()
    await asyncio.gather(*(join(p, at) for p, at in zip(people, offsets, strict=True)))
    took = time.monotonic() - started
    joined = sum(1 for p in people if p.lobby is not None)
    return {"joined": joined, "of": len(people), "seconds": took, "errors": dict(errors),
            "socket_retries": dict(retries), "pages": {k: summary(v) for k, v in pages.items()}}



async def seed_lobby(dep, code, people, cookies, concurrency=200):
    """Opens every seeded participant's lobby socket (no join storm)."""
    errors = Errors()
    gate = asyncio.Semaphore(concurrency)

    async def one(person, seeded):
        person.participant, cookie = seeded
        person.cookie = cookie
        async with gate:
            try:
                person.lobby, state = await open_socket(
                    f"{dep.ws_base}/ws/w/{code}/?page=lobby", cookie, errors, "lobby socket")
                person.participant = state["me"]["participant"]["id"]
                person.listen()
            except Exception as exc:
                errors.add(f"lobby socket: {failure(exc)}")

    await asyncio.gather(*(one(p, c) for p, c in zip(people, cookies, strict=True)))
    return errors
