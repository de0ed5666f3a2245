"""The workshop part of the live snapshot (the `state` frame), as JSON-ready data.

The socket sends `workshop_state()` as the "workshop" part of its `state` frame; `participant.*`
events carry `Participant.public()`. Nothing private appears here: every member of the
workshop sees it.
"""

import time

from django.conf import settings
from django.db import connection

from live.events import iso, timer
from live.framing import encode
from workshops.models import Workshop
from workshops.public_roster import roster

# The workshop part of the state frame is the same for everyone and holds the whole roster:
# after a reconnect storm of 1,000 sockets, building and encoding it once per socket
# dominated. It is cached, encoded, per workshop revision for a moment.
# Every change to it is announced and bumps the revision the cache is keyed by; the time
# limit only bounds changes made without an announcement (the admin). It was 1 s, shorter
# than a loaded breakout start, which rebuilt the roster again and again (docs/scale.md).
WORKSHOP_STATE_TTL = 0.0 if settings.TESTING else 10.0
_encoded = {}
_shared = {}  # workshop id → (key, expires, workshop_state dict): shared_workshop_state
_current = {}  # the same, keyed by the row's raw (id, created_at, rev): current_workshop_state


def workshop_state(workshop):
    """Returns the workshop-wide snapshot: phase, challenges, roster, counts and timer."""
    everyone = roster(workshop.pk)  # workshops/public_roster.py: one plain query
    return {
        "id": workshop.pk,
        "phase": workshop.phase,
        "title": workshop.title,
        "join_code": workshop.join_code,
        "challenges": [c.public() for c in workshop.challenges.all()],
        "participants": everyone.people,
        "participant_count": len(everyone.people),
        "counts": everyone.counts,
        "timer": timer(workshop.timer_ends_at, workshop.timer_label),
        "presenting_room": workshop.presenting_room.number if workshop.presenting_room else None,
        "closing_at": iso(workshop.closing_at),
    }


def shared_workshop_state(workshop):
    """Returns workshop_state(workshop), built once per workshop revision for a moment and
    shared by every caller: a breakout start draws a thousand room pages at one revision, and
    the roster behind it was a thousand rows each time. Callers must not change it."""
    key = (workshop.pk, workshop.created_at, workshop.rev)
    now = time.monotonic()
    cached = _shared.get(workshop.pk)
    if cached is not None and cached[0] == key and cached[1] > now:
        return cached[2]
    state = workshop_state(workshop)
    if WORKSHOP_STATE_TTL > 0:
        _shared[workshop.pk] = (key, now + WORKSHOP_STATE_TTL, state)
    return state


def page_workshop_state(workshop):
    """Returns the workshop part of a room page's embedded state: shared_workshop_state
    without the roster, which the room page never shows (its socket's `state` brings the
    whole workshop part as soon as it connects)."""
    return {k: v for k, v in shared_workshop_state(workshop).items() if k != "participants"}


def current_workshop_state(workshop_id):
    """Returns (workshop rev, JSON text of its state) with one small query while the cached
    text is current (the socket snapshot's fast path)."""
    with connection.cursor() as cursor:  # plain SQL: this runs for every socket that opens
        cursor.execute("SELECT id, created_at, rev FROM workshops_workshop WHERE id = %s",
                       [workshop_id])
        key = cursor.fetchone()
    now = time.monotonic()
    cached = _current.get(workshop_id)
    if cached is not None and cached[0] == key and cached[1] > now:
        return key[2], cached[2]
    workshop = Workshop.objects.select_related("presenting_room").get(pk=workshop_id)
    text = encoded_workshop_state(workshop)
    if WORKSHOP_STATE_TTL > 0 and key is not None and key[2] == workshop.rev:
        _current[workshop_id] = (key, now + WORKSHOP_STATE_TTL, text)
    return workshop.rev, text


def encoded_workshop_state(workshop):
    """Returns the JSON text of workshop_state(workshop), cached per revision for a moment."""
    key = (workshop.pk, workshop.created_at, workshop.rev)
    now = time.monotonic()
    cached = _encoded.get(workshop.pk)
    if cached is not None and cached[0] == key and cached[1] > now:
        return cached[2]
    state = shared_workshop_state(workshop)
    # The roster is spliced in as the text it was encoded to once per person
    # (workshops/public_roster.py), instead of encoding a thousand people again.
    people = state["participants"]
    head = encode({k: v for k, v in state.items() if k != "participants"})
    text = f'{head[:-1]},"participants":{people.text}}}'
    if WORKSHOP_STATE_TTL > 0:
        _encoded[workshop.pk] = (key, now + WORKSHOP_STATE_TTL, text)
    return text
