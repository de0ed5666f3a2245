"""Coalescing the rooms' note keystrokes for the control socket."""

import time

from breakouts.control_state import NOTE_PREVIEW_CHARS


class NotePreviews:
    """Turns a room's stream of `note.changed` into at most one `note.preview` per
    INTERVAL seconds (the first at once, the latest at the end of the interval).

    Previews keep the room's revision order: before any other event of a room is passed on,
    its held preview goes first. A preview that stands for several revisions carries
    `span_from`, the first revision it covers, so the client does not mistake the skipped
    revisions (all superseded note keystrokes) for lost events.

    `schedule(room, delay)` must arrange for `flush(room)` to be called later, in the same
    order as the socket's other frames (the consumer queues a marker through the hub).
    """

    INTERVAL = 0.5

    def __init__(self, schedule, clock=time.monotonic):
        self.schedule = schedule
        self.clock = clock
        self.last_sent = {}  # room → when its last preview left
        self.held = {}  # room → {"from": first rev held, "steps": {step: event}}

    @staticmethod
    def preview(event, span_from=None):
        text = event.get("text") or ""
        frame = {
            "type": "note.preview", "scope": "room", "room": event.get("room"),
            "rev": event.get("rev"), "step": event.get("step"),
            "text": text[:NOTE_PREVIEW_CHARS], "length": len(text), "by": event.get("by"),
        }
        if span_from is not None and span_from < frame["rev"]:
            frame["span_from"] = span_from
        return frame

    def note(self, event):
        """Returns the frames to send now for a `note.changed` event (maybe none)."""
        room = event.get("room")
        now = self.clock()
        held = self.held.get(room)
        if held is None and now - self.last_sent.get(room, -1e9) >= self.INTERVAL:
            self.last_sent[room] = now
            return [self.preview(event)]
        if held is None:
            held = self.held[room] = {"from": event.get("rev"), "steps": {}}
            self.schedule(room, self.last_sent[room] + self.INTERVAL - now)
        held["steps"][event.get("step")] = event
        return []

    def flush(self, room):
        """Returns the held previews of a room, oldest first (and forgets them)."""
        held = self.held.pop(room, None)
        if held is None:
            return []
        self.last_sent[room] = self.clock()
        frames, span_from = [], held["from"]
        for event in sorted(held["steps"].values(), key=lambda e: e.get("rev") or 0):
            frames.append(self.preview(event, span_from))
            span_from = (event.get("rev") or 0) + 1
        return frames
