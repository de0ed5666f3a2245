"""Scenario: the breakout start. The facilitator logs in and clicks "Start breakouts" while
every lobby socket is open; each participant moves to its room as lobby.js does: on its
`room.assigned` the lobby socket brings the room page (a `page` frame, which is also the
room's snapshot) and stays open as the room's socket (static/js/page_swap.js). Measured from
the click to the page frame: the room drawn and live at once. A `page` frame without HTML (a
room that needs a real page load) is followed as the page does it: the room page over HTTP
and a new socket, live at its state."""

import asyncio
import time

from .clients import (
    CSRF_RE,
    Errors,
    browser_client,
    failure,
    fetch_page,
    get_like_a_browser,
    open_socket_retrying,
    post_form,
    summary,
)


async def facilitator_login(dep, setup, errors):
    client = browser_client(dep.base)
    response, _ms = await post_form(
        client, "/accounts/login/",
        {"username": setup["username"], "password": setup["password"]},
        dep.base, errors, "login",
    )
    if response is None:
        raise RuntimeError(f"the facilitator could not log in: {dict(errors)}")
    return client


async def breakout_start(dep, setup, people):
    errors, retries = Errors(), Errors()
    code = setup["code"]
    facilitator = await facilitator_login(dep, setup, errors)
    plan_path = f"/w/{code}/manage/plan/"
    t = time.perf_counter()
    page, _ = await fetch_page(facilitator, plan_path, errors, "plan page")
    plan_ms = (time.perf_counter() - t) * 1000
    if page is None:
        raise RuntimeError(f"the plan page failed: {dict(errors)}")
    token = CSRF_RE.search(page.text).group(1)
    loop = asyncio.get_running_loop()
    clicked = None
    assigned, paged, live = [], [], []
    done = asyncio.Event()
    waiting = {p.index for p in people if p.lobby is not None}
    fallbacks = 0

    async def move(person, url):
        """What lobby.js does on room.assigned: load the room page, open its socket."""
        nonlocal fallbacks
        if person.lobby is not None:
            person.reader.cancel()
            await person.lobby.close()
        client = person.client or browser_client(dep.base)
        person.client = client
        if url is None:  # no room.assigned: reload the lobby, which redirects to the room
            fallbacks += 1
            response, _ = await fetch_page(client, f"/w/{code}/lobby/", errors, "lobby reload",
                                           expect=302)
            url = response.headers["location"] if response is not None else None
            if url is None:
                return
        response, _ = await fetch_page_with_cookie(client, url, person.cookie, errors)
        if response is None:
            return
        paged.append((time.perf_counter() - clicked) * 1000)
        try:
            ws, state = await open_socket_retrying(
                f"{dep.ws_base}/ws/w/{code}/", person.cookie, errors, "room socket", retries)
        except Exception as exc:
            errors.add(f"room socket: {failure(exc)}")
            return
        if not state.get("room"):
            errors.add("room socket: state without a room")
            await ws.close()
            return
        live.append((time.perf_counter() - clicked) * 1000)
        person.room = state["room"]["number"]
        person.scribe = state["room"]["scribe"]
        person.room_url = url
        person.lobby = ws  # now the room socket
        waiting.discard(person.index)
        if not waiting:
            done.set()

    page_loads = 0

    def on_lobby_frame(person, frame):
        nonlocal page_loads
        kind = frame.get("type")
        now = (time.perf_counter() - clicked) * 1000 if clicked is not None else None
        if kind == "room.assigned" and frame.get("url") and "moving" not in person.times:
            person.times["moving"] = True
            assigned.append(now)
            url = frame["url"]

            def no_page(person=person, url=url):  # lobby.js's PAGE_WAIT_MS
                if "paged" not in person.times:
                    person.times["paged"] = True
                    loop.create_task(move(person, url))
            loop.call_later(20, no_page)
        elif kind == "page" and person.times.get("moving") and "paged" not in person.times:
            person.times["paged"] = True
            if not frame.get("html"):
                page_loads += 1
                loop.create_task(move(person, frame["url"]))
                return
            # The page is drawn and live: its state is the socket's snapshot, and the socket
            # is the room's (page_swap.js). Which room: its URL, as the page knows it.
            paged.append(now)
            live.append(now)
            person.room_url = frame["url"]
            person.room = int(frame["url"].rstrip("/").rsplit("/", 1)[1])
            loop.call_soon(person.reader.cancel)  # the next scenario reads the socket
            waiting.discard(person.index)
            if not waiting:
                done.set()
        elif kind == "phase.changed" and frame.get("phase") == "breakouts":
            def fallback():
                if "moving" not in person.times:
                    person.times["moving"] = True
                    loop.create_task(move(person, None))
            loop.call_later(1.5, fallback)  # lobby.js's ROOM_WAIT_MS

    for person in people:
        person.on_frame = lambda frame, person=person: on_lobby_frame(person, frame)
    await asyncio.sleep(1.0)  # let the join storm's last events settle
    clicked = time.perf_counter()
    try:
        response = await facilitator.post(
            f"/w/{code}/manage/plan/start/",
            data={"csrfmiddlewaretoken": token, "confirmed": "1"},  # the dialog's "Start"
            headers={"Origin": dep.base, "Referer": f"{dep.base}{plan_path}"},
        )
        post_ms = (time.perf_counter() - clicked) * 1000
        if response.status_code != 302:
            errors.add(f"start: HTTP {response.status_code}")
    except Exception as exc:
        errors.add(f"start: {failure(exc)}")
        post_ms = float("nan")
    try:
        await asyncio.wait_for(done.wait(), 60 + len(people) / 50)
    except TimeoutError:
        errors.add(f"not live in a room after the wait: {len(waiting)}")
    await facilitator.aclose()
    return {"participants": len(people), "plan_page_ms": plan_ms, "start_post_ms": post_ms,
            "to_room_assigned": summary(assigned), "to_room_page": summary(paged),
            "to_room_live": summary(live), "fallback_reloads": fallbacks,
            "page_loads": page_loads,
            "errors": dict(errors), "socket_retries": dict(retries)}


async def fetch_page_with_cookie(client, url, cookie, errors):
    """GETs a page with the participant's own cookies (seeded people have no client jar)."""
    started = time.perf_counter()
    try:
        response = await get_like_a_browser(client, url, headers={"Cookie": cookie})
    except Exception as exc:
        errors.add(f"room page: {failure(exc)}")
        return None, None
    if response.status_code != 200:
        errors.add(f"room page: HTTP {response.status_code}")
        return None, None
    return response, (time.perf_counter() - started) * 1000
