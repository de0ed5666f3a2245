"""The room part of the live snapshot (the `state` frame), as plain JSON-ready dicts."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from breakouts.models import STEP_ORDER, Room, Step, Vote

# A room's snapshot is the same for its ten members but their own votes: after a reconnect
# storm of 1,000 sockets, building it once per socket (a dozen ORM queries) was most of the
# time to connect. It is kept per (room revision, workshop revision) for a moment, with every
# member's votes, so a room's members share one build (like workshops/snapshot.py).
# (The key covers every announced change; 10 s bounds unannounced ones, as for the workshop.)
# Each build is also put in the cache for the site's other processes.
ROOM_STATE_TTL = 0.0 if settings.TESTING else 10.0
ROOM_KEY_SQL = (
    "SELECT r.rev, w.rev, w.updated_at FROM breakouts_room r "
    "JOIN workshops_workshop w ON w.id = r.workshop_id WHERE r.id = %s"
)
_built = {}  # room id → (key, expires, state, {participant id: {item id: dots}})
CACHE_PREFIX = "roundtable:room-state:"


def step_minutes(workshop):
    return {step: workshop.step_minutes(step) for step in STEP_ORDER}


def room_state_key(room_id):
    """Returns what room_state's build is kept by: (room rev, workshop rev, workshop updated)."""
    with connection.cursor() as cursor:
        cursor.execute(ROOM_KEY_SQL, [room_id])
        return cursor.fetchone()


def room_state(room, viewer=None, key=None):
    """Returns everything a room page shows, at the room's current revision.

    `viewer` is the participant looking (their own votes are included) or None (facilitators).
    `online` is filled in by the socket from the hub's presence. `key`: room_state_key(room),
    when the caller has just read it.
    """
    key = key or room_state_key(room.pk)  # plain SQL: this runs for every socket that opens
    now = time.monotonic()
    cached = _built.get(room.pk)
    if cached is None or cached[0] != key or cached[1] <= now:
        # Another process may have built it at this key (the cache: Redis when several
        # serve the site); at a breakout start every process needs every room's.
        shared = cache.get(f"{CACHE_PREFIX}{room.pk}") if ROOM_STATE_TTL > 0 else None
        if shared is not None and shared[0] == key:
            state, votes = shared[1], shared[2]
        else:
            state = build_room_state(room)
            votes = {}
            rows = Vote.objects.filter(item__room_id=room.pk, count__gt=0).values_list(
                "participant_id", "item_id", "count"
            )
            for participant_id, item_id, count in rows:
                votes.setdefault(participant_id, {})[str(item_id)] = count
            if ROOM_STATE_TTL > 0:
                cache.set(f"{CACHE_PREFIX}{room.pk}", (key, state, votes), ROOM_STATE_TTL)
        cached = (key, now + ROOM_STATE_TTL, state, votes)
        if ROOM_STATE_TTL > 0:
            _built[room.pk] = cached
    _key, _expires, state, votes = cached
    mine = votes.get(viewer.pk, {}) if viewer is not None else {}
    return {**state, "votes": {**state["votes"], "mine": mine}, "online": []}


def build_room_state(room):
    room = Room.objects.with_members().select_related("workshop").get(pk=room.pk)
    workshop = room.workshop
    notes = {
        note.step: {"text": note.text, "note_rev": note.rev, "by": note.updated_by_id}
        for note in room.notes.all()
    }
    help_requests = [request.public() for request in room.help_requests.all()[:5]]
    return {
        **room.public(),
        "steps": [{"step": step.value, "label": str(step.label)} for step in Step],
        "step_minutes": step_minutes(workshop),
        "scribe_offer": room.scribe_offer_to_id,
        "challenge": room.challenge.public() if room.challenge else None,
        "notes": notes,
        "items": [item.public() for item in room.items.all()],
        "votes": {**room.vote_summary(), "mine": {}, "per_member": workshop.votes_per_member},
        "selection": {"item": room.selected_item_id, "rationale": room.selection_rationale},
        "help": help_requests,
    }
