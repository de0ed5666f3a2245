"""Scenario: a process killed mid-breakout. Members add items while one Daphne process gets
SIGKILL; clients reconnect through HAProxy as live.js does and resend their unacked ops, then
every acked op is looked up in the database (lost, duplicated)."""

import asyncio
import json
import random
import time
import uuid
from collections import Counter, defaultdict

from .clients import Errors, drain, failure, open_socket, summary
from .database import check_acked


class RoomClient:
    """A member's room socket with live.js's behaviour: reconnect with backoff and jitter
    (0.5 s doubling to 15 s), resend unacked ops (same ids) after the state frame."""

    def __init__(self, dep, code, person, errors, stats):
        self.dep, self.code, self.person = dep, code, person
        self.errors, self.stats = errors, stats
        self.ws = person.lobby
        self.outbox = {}  # op id → frame
        self.acked = set()
        self.stopping = False
        self.down_since = None
        self.task = None

    def start(self):
        self.task = asyncio.create_task(self.run())

    async def run(self):
        attempt = 0
        while not self.stopping:
            if self.ws is None:
                try:
                    self.ws, state = await open_socket(
                        f"{self.dep.ws_base}/ws/w/{self.code}/", self.person.cookie,
                        self.errors, "reconnect", wait_s=30)
                except Exception as exc:
                    self.errors.add(f"reconnect attempt: {failure(exc)}")
                    attempt += 1
                    delay = min(15.0, 0.5 * 2 ** (attempt - 1))
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
                    continue
                attempt = 0
                if self.down_since is not None:
                    self.stats["live_again_ms"].append(
                        (time.perf_counter() - self.down_since) * 1000)
                    self.down_since = None
                if not state.get("room") or state["room"]["number"] != self.person.room:
                    self.errors.add("reconnect: another room in the state")
                for frame in list(self.outbox.values()):
                    await self.send_now(frame)
            await drain(self.ws, self.on_frame)
            if self.stopping:
                break
            self.ws = None
            self.down_since = time.perf_counter()
            self.stats["disconnects"] += 1
            await asyncio.sleep(0.5 * random.uniform(0.5, 1.0))  # noqa: S311

    def on_frame(self, frame):
        kind = frame.get("type")
        if kind == "ack" and frame.get("id") in self.outbox:
            del self.outbox[frame["id"]]
            self.acked.add(frame["id"])
        elif kind == "error" and frame.get("id") in self.outbox:
            self.errors.add(f"op error: {frame.get('code')}")
            if frame.get("code") in {"rate_limited", "unavailable"}:
                # live.js tries again a second later (RETRY_LATER).
                retry = self.outbox[frame["id"]]
                asyncio.get_running_loop().call_later(
                    1.0, lambda: asyncio.ensure_future(self.resend(retry)))
            else:
                del self.outbox[frame["id"]]

    async def resend(self, frame):
        if frame["id"] in self.outbox and self.ws is not None:
            await self.send_now(frame)

    async def send_now(self, frame):
        try:
            await self.ws.send(json.dumps(frame))
        except Exception:  # noqa: S110 - it stays in the outbox and goes again on reconnect
            pass

    async def add_item(self):
        op_id = uuid.uuid4().hex
        frame = {"op": "item.add", "id": op_id, "step": "root_causes",
                 "fields": {"text": f"op {op_id}", "category": "process"}}
        self.outbox[op_id] = frame
        self.stats["sent"] += 1
        if self.ws is not None:
            await self.send_now(frame)

    async def close(self):
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()


async def process_loss(dep, setup, people, rate, duration):
    errors = Errors()
    stats = Counter()
    stats["live_again_ms"] = []
    in_rooms = [p for p in people if p.room is not None and p.lobby is not None]
    clients = [RoomClient(dep, setup["code"], p, errors, stats) for p in in_rooms]
    for client in clients:
        client.start()
    by_room = defaultdict(list)
    for client in clients:
        by_room[client.person.room].append(client)
    loop = asyncio.get_running_loop()
    end = loop.time() + duration

    async def room_load(members):
        # The room's members take turns: `rate` ops per second for the room.
        interval = 1.0 / rate
        await asyncio.sleep(random.random() * interval)  # noqa: S311
        turn = 0
        while loop.time() < end:
            await members[turn % len(members)].add_item()
            turn += 1
            await asyncio.sleep(interval)

    async def killer():
        await asyncio.sleep(duration / 3)
        stats["killed_pid"] = dep.kill("daphne-1")
        stats["killed_at"] = time.perf_counter()

    await asyncio.gather(killer(), *(room_load(m) for m in by_room.values()))
    # Let every client reconnect and flush its outbox.
    deadline = loop.time() + 45
    while loop.time() < deadline and any(c.outbox or c.ws is None for c in clients):  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    unacked = sum(len(c.outbox) for c in clients)
    offline = sum(1 for c in clients if c.ws is None)
    acked = [op for c in clients for op in c.acked]
    await asyncio.gather(*(client.close() for client in clients))
    check = await asyncio.to_thread(check_acked, dep, setup["workshop"], acked)
    live = stats.pop("live_again_ms")
    for person in in_rooms:
        person.lobby = None  # closed above
    return {"sockets": len(clients), "disconnected": stats["disconnects"],
            "sent": stats["sent"], "acked": len(acked), "unacked_at_end": unacked,
            "offline_at_end": offline, "db": check, "live_again": summary(live),
            "errors": dict(errors)}
