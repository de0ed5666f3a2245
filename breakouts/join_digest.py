"""Joins told to participants' sockets at most about once a second per workshop.

In a join storm every `participant.joined` went to every open lobby socket: 1,000 people
joining in a minute made ~500,000 frames, the quadratic part of the storm (docs/scale.md).
Participants' pages (lobby, room, plenary) do not need each join the moment it happens, so
each process coalesces them per workshop, the way the control room coalesces note keystrokes
(breakouts/previews.py):

- the first join after a quiet second goes out at once, as itself;
- joins within the second after it are held, and leave together at its end as one
  `participants.joined` frame (`participants`: every held one, oldest first; `rev`: the last
  one's; `span_from`: the first one's, so live.js does not mistake the skipped revisions for a
  gap), encoded once for all of the process's participant sockets of the workshop;
- any other event of the workshop sends what is held first, so revisions stay in order.

The control socket still hears every join at once (the facilitator's roster). A held
revision that the layer lost leaves the frame without `span_from`: clients then see a gap
and `sync`, as for any lost event.
"""

import time

from live.framing import encode

INTERVAL = 1.0  # seconds: at most one held batch per workshop per interval and process

_digests = {}  # (hub, workshop group) → JoinDigest


def digest_for(hub, group):
    """Returns this process's digest of `group` (a workshop group), creating it on first use."""
    digest = _digests.get((id(hub), group))
    if digest is None or digest.hub is not hub:
        digest = _digests[(id(hub), group)] = JoinDigest(hub, group)
    return digest


class JoinDigest:
    """Coalesces one workshop group's `participant.joined` events for one process's sockets.

    The hub hands the same event object to every socket of the group in turn, so the first
    socket's call decides for all of them (`offer`).
    """

    def __init__(self, hub, group):
        self.hub = hub
        self.group = group
        self.held = []
        self.quiet_at = 0.0  # monotonic time after which a join may go out at once
        self.scheduled = False
        self._decided = (None, False)  # (event, held?) for the sockets after the first

    def offer(self, event):
        """Returns True when `event` (a participant.joined) is held for the next batch,
        False when it goes out now as itself."""
        if self._decided[0] is event:
            return self._decided[1]
        now = time.monotonic()
        if not self.held and now >= self.quiet_at:
            self.quiet_at = now + INTERVAL
            held = False
        else:
            self.held.append(event)
            held = True
            self.schedule(max(0.0, self.quiet_at - now))
        self._decided = (event, held)
        return held

    def schedule(self, delay):
        if self.scheduled:
            return
        self.scheduled = True
        # The batch rides the hub's queue, so it stays in order with the group's events.
        self.hub.loop.call_later(delay, self.hub.send_direct, self, {"type": "joins.flush"})

    async def hub_deliver(self, group, event, text):
        """The scheduled end of the interval (queued on the hub as a direct frame)."""
        self.scheduled = False
        await self.flush()

    async def flush(self):
        """Sends what is held, as one frame, to the process's participant sockets of the
        workshop; the next join waits for the interval after this batch."""
        if not self.held:
            return
        held, self.held = self.held, []
        self._decided = (None, False)
        self.quiet_at = time.monotonic() + INTERVAL
        frame = {
            "type": "participants.joined", "scope": "workshop", "rev": held[-1]["rev"],
            "participants": [event["participant"] for event in held],
        }
        revs = [event["rev"] for event in held]
        if revs == list(range(revs[0], revs[0] + len(revs))):
            frame["span_from"] = revs[0]
        text = encode(frame)
        sinks = self.hub.groups.get(self.group, ())
        for sink in list(sinks):
            if getattr(sink, "digests_joins", False):
                await sink.hub_deliver(self.group, frame, text)
        if not sinks and (id(self.hub), self.group) in _digests:
            del _digests[(id(self.hub), self.group)]
