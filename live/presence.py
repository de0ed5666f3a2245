"""Who is online, per room, across every process that holds sockets of a workshop."""

import asyncio
import collections
import logging
import time

from live.groups import control_group, presence_group, room_group

logger = logging.getLogger(__name__)


class Presence:
    """Who is online, per room, across every process that holds sockets of the workshop.

    Each process counts its own sockets per (room, participant). When rooms change it
    announces only those rooms to the workshop's presence group (debounced), and its whole set
    on a heartbeat and when a new process asks; other processes' sets expire unless refreshed,
    so a crashed process's people go offline on their own. Only changed rooms are announced and
    recomputed, so a connect costs the same in a workshop of 10 rooms or 1,000.
    """

    HEARTBEAT_SECONDS = 15
    EXPIRES_AFTER = 40
    DEBOUNCE_SECONDS = 0.05

    def __init__(self, hub):
        self.hub = hub
        # workshop → room id → {"number": n, "counts": Counter(participant id)}
        self.local = collections.defaultdict(dict)
        # workshop → process → (expires at, {room id: {"number": n, "online": [ids]}})
        self.remote = collections.defaultdict(dict)
        self.watchers = collections.Counter()  # workshop → local sockets interested
        self.last = {}  # (workshop, room id) → frozenset delivered last
        self.numbers = {}  # (workshop, room id) → room number
        self.dirty = collections.defaultdict(set)  # workshop → room ids changed here
        self.full_due = set()  # workshops whose whole set is to be announced (asked for)
        self._flush_handle = None

    async def watch(self, workshop_id, sink):
        """Subscribes a sink to the workshop's presence messages (first one asks the others)."""
        self.watchers[workshop_id] += 1
        await self.hub.subscribe(presence_group(workshop_id), sink)
        if self.watchers[workshop_id] == 1 and self.hub.remote:
            self._announce(workshop_id, query=True)

    def unwatch(self, workshop_id, sink):
        self.hub.unsubscribe(presence_group(workshop_id), sink)
        self.watchers[workshop_id] -= 1
        if self.watchers[workshop_id] <= 0:
            del self.watchers[workshop_id]
            self.remote.pop(workshop_id, None)

    def join(self, workshop_id, room_id, number, participant_id):
        rooms = self.local[workshop_id]
        entry = rooms.setdefault(room_id, {"number": number, "counts": collections.Counter()})
        entry["counts"][participant_id] += 1
        self.numbers[(workshop_id, room_id)] = number
        self._changed(workshop_id, room_id)

    def leave(self, workshop_id, room_id, participant_id):
        entry = self.local.get(workshop_id, {}).get(room_id)
        if entry is None:
            return
        entry["counts"][participant_id] -= 1
        if entry["counts"][participant_id] <= 0:
            del entry["counts"][participant_id]
        if not entry["counts"]:
            del self.local[workshop_id][room_id]
            if not self.local[workshop_id]:
                del self.local[workshop_id]
        self._changed(workshop_id, room_id)

    def online(self, workshop_id, room_id):
        """Returns the sorted participant ids online in a room (all processes)."""
        ids = set(self.local.get(workshop_id, {}).get(room_id, {}).get("counts", ()))
        now = time.monotonic()
        for expires, rooms in self.remote.get(workshop_id, {}).values():
            if expires > now:
                ids.update(rooms.get(room_id, {}).get("online", ()))
        return sorted(ids)

    def merge(self, message):
        workshop_id = message["workshop"]
        if workshop_id not in self.watchers:
            return
        rooms = {int(room_id): entry for room_id, entry in message["rooms"].items()}
        for room_id, entry in rooms.items():
            self.numbers[(workshop_id, room_id)] = entry["number"]
        known = self.remote[workshop_id].get(message["origin"])
        if message.get("partial") and known is not None:
            held, changed = known[1], set(rooms)
        else:  # a whole set replaces what the process said before
            held, changed = {}, set(rooms) | set(known[1] if known else ())
        for room_id, entry in rooms.items():
            if entry["online"]:
                held[room_id] = entry
            else:
                held.pop(room_id, None)
        expires = time.monotonic() + message.get("ttl", self.EXPIRES_AFTER)
        self.remote[workshop_id][message["origin"]] = (expires, held)
        if message.get("query"):
            self.full_due.add(workshop_id)  # answer with our own whole set
            self._schedule_flush()
        self._deliver_changes(workshop_id, changed)

    def _changed(self, workshop_id, room_id):
        self.dirty[workshop_id].add(room_id)
        self._schedule_flush()

    def _schedule_flush(self):
        if self._flush_handle is None:
            self._flush_handle = self.hub.loop.call_later(self.DEBOUNCE_SECONDS, self._flush)

    def _flush(self):
        self._flush_handle = None
        dirty, self.dirty = self.dirty, collections.defaultdict(set)
        full, self.full_due = self.full_due, set()
        for workshop_id in full | set(dirty):
            if self.hub.remote:
                changed = None if workshop_id in full else dirty[workshop_id]
                self._announce(workshop_id, rooms=changed)
            if workshop_id in dirty:
                self._deliver_changes(workshop_id, dirty[workshop_id])

    def _announce(self, workshop_id, query=False, rooms=None):
        """Sends our set of the workshop's rooms to the other processes: the given room ids
        only (a partial update, rooms nobody is in any more included), or the whole set."""
        local = self.local.get(workshop_id, {})
        payload = {}
        for room_id in local if rooms is None else rooms:
            entry = local.get(room_id)
            payload[str(room_id)] = {
                "number": entry["number"] if entry else self.numbers.get((workshop_id, room_id)),
                "online": sorted(entry["counts"]) if entry else [],
            }
        message = {
            "type": "hub.presence", "origin": self.hub.origin, "workshop": workshop_id,
            "rooms": payload, "ttl": self.EXPIRES_AFTER, "query": query,
            "partial": rooms is not None,
        }
        self.hub.loop.create_task(self._send(presence_group(workshop_id), message))

    async def _send(self, group, message):
        try:
            await self.hub.layer.group_send(group, message)
        except Exception:
            logger.exception("hub: presence announcement failed")

    def _deliver_changes(self, workshop_id, room_ids=None):
        """Tells local sockets of the rooms whose online set changed (of `room_ids`, or of
        every room the workshop has)."""
        if room_ids is None:
            room_ids = set(self.local.get(workshop_id, {}))
            for _expires, rooms in self.remote.get(workshop_id, {}).values():
                room_ids.update(rooms)
            room_ids.update(r for (w, r) in self.last if w == workshop_id)
        for room_id in room_ids:
            online = frozenset(self.online(workshop_id, room_id))
            if self.last.get((workshop_id, room_id), frozenset()) == online:
                continue
            if online:
                self.last[(workshop_id, room_id)] = online
            else:
                self.last.pop((workshop_id, room_id), None)
            event = {
                "type": "presence.changed", "scope": "room",
                "room": self.numbers.get((workshop_id, room_id)), "online": sorted(online),
            }
            # Presence is computed by every process for its own sockets: deliver locally only.
            self.hub.publish(room_group(room_id), event, remote=False)
            self.hub.publish(control_group(workshop_id), event, remote=False)

    async def run(self):
        """Heartbeat: re-announce our sets and expire other processes' stale ones."""
        while True:
            await asyncio.sleep(self.HEARTBEAT_SECONDS)
            now = time.monotonic()
            for workshop_id in list(self.watchers):
                if self.hub.remote:
                    self._announce(workshop_id)
                processes = self.remote.get(workshop_id, {})
                for origin, (expires, _rooms) in list(processes.items()):
                    if expires <= now:
                        del processes[origin]
                self._deliver_changes(workshop_id)
