"""The room page a lobby socket brings its page at a breakout start, drawn once per room.

A breakout start moves every participant at once, and a room page drawn for each of them
(live/pages.py: the whole middleware chain and the view) was most of that moment's CPU. The
pages of a room's members differ only in what `views.personal_parts` writes — the bar with
their name, who is "you" in the member list, the embedded state's `me` — as long as the
member has not voted, written an item or been offered the scribe role (a fresh room: all but
the scribe). So the first such member's page is drawn by the view, with their access checked
as for a page load, and kept for the room's current revision; the room's other such members
get it with their own parts in place of the first one's. Everyone else gets their own page.

Nothing is shared that the view did not put in these parts: a page that holds a CSRF token or
messages is never kept, and each part of the first member must occur in it exactly once.
The socket has already checked who the member is (the session, on connect and on
`access.changed`) and reads their room from the database just before.

With several processes, each one's sockets belong to every room, so each would draw every
room's page: a kept page is also put in the cache (Redis there) for the others, and the first
process to need one claims it there; another process's moves that need it wait their turn
(breakouts/page_moves.py) rather than draw it again.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from breakouts.snapshot import room_state, room_state_key
from breakouts.views import page_state, page_texts, personal_parts
from live.pages import draw_page

KEEP_FOR = 0.0 if settings.TESTING else 30.0  # seconds; the key holds every announced change
CLAIM_FOR = 10  # seconds: how long another process waits for a page a process is drawing
CACHE_PREFIX = "roundtable:room-page:"
_kept = {}  # room id → (key, expires, html, workshop, {part: text of the member drawn})
_locks, _locks_lock = {}, threading.Lock()  # room id → the lock of its draws


def ordinary_member(room_data, participant_id):
    """True for a member whose room page is that of any other such member of the room, but
    for their personal parts: not the scribe, nothing authored, no votes, no offer."""
    return (
        room_data["scribe"] != participant_id
        and room_data["scribe_offer"] != participant_id
        and not room_data["votes"]["mine"]
        and all(item["author"] != participant_id for item in room_data["items"])
    )


LATER = object()  # room_page_for: another process is drawing this page; ask again soon


def room_page_for(scope, url, room, participant, language, *, may_wait=False):
    """Returns the HTML of `room`'s page (at `url`) for `participant`, a member of it, or None
    if only a page load would do (live/pages.py). Synchronous: run it on the database thread.
    `room` and `participant` are what socket_lookups.member_by_id read a moment ago (the
    room with its `state_key`); `language` is that of the page (live.pages.language_of).

    A page kept by another process (the cache: Redis when several serve the site) is used
    as this process's own. With `may_wait`, an ordinary member's page that another process
    has begun to draw returns LATER instead of being drawn twice."""
    with _lock_of(room.pk):  # a room's members wait for its first draw, then share it
        return _room_page_for(scope, url, room, participant, (room.state_key, language),
                              may_wait)


def _lock_of(room_id):
    with _locks_lock:
        return _locks.setdefault(room_id, threading.Lock())


def _room_page_for(scope, url, room, participant, key, may_wait):
    kept = _kept.get(room.pk)
    if kept is None or kept[0] != key or kept[1] <= time.monotonic():
        kept = _shared(room.pk, key)
    if kept is not None:
        html = _fill(kept, room, participant)
        if html is not None:
            return html
    claim = None
    if kept is None and KEEP_FOR > 0 and may_wait:
        room_data = room_state(room, participant, key[0])
        if ordinary_member(room_data, participant.pk):
            claim = _claim(room.pk, key)
            if not cache.add(claim, True, CLAIM_FOR):
                return LATER
    html, request = draw_page(scope, url)
    drawn = getattr(request, "room_page", None)
    stored = html is not None and drawn is not None and KEEP_FOR > 0 and keep(
        key, html, drawn, participant)
    if claim is not None and not stored:
        cache.delete(claim)  # nothing to wait for: the others draw their own
    return html


def _fill(kept, room, participant):
    """Returns the kept page with `participant`'s own parts, or None if it is not theirs."""
    key, _expires, html, workshop, theirs = kept
    with translation.override(key[1]):
        state = page_state(workshop, room, participant, "member", room_key=key[0])
        if not ordinary_member(state["room"], participant.pk):
            return None
        mine = personal_parts(workshop, room, participant, state, page_texts()["labels"])
    for part, text in theirs.items():
        html = html.replace(text, mine[part], 1)
    return html


def _shared(room_id, key):
    """Returns the page another process kept for this room at `key` (None: none)."""
    shared = cache.get(f"{CACHE_PREFIX}{room_id}") if KEEP_FOR > 0 else None
    if shared is None or shared[0] != key:
        return None
    kept = _kept[room_id] = (key, time.monotonic() + KEEP_FOR, *shared[1:])
    return kept


def _claim(room_id, key):
    (room_rev, workshop_rev, _updated), language = key
    return f"{CACHE_PREFIX}claim:{room_id}:{room_rev}:{workshop_rev}:{language}"


def keep(key, html, drawn, participant):
    """Keeps `html`, just drawn for `participant` from `drawn` (what the view left on the
    request), for the room's other ordinary members; returns whether it did."""
    workshop, state, theirs = drawn["workshop"], drawn["state"], drawn["personal"]
    if state["me"]["participant"] is None or state["me"]["participant"]["id"] != participant.pk:
        return False
    if not ordinary_member(state["room"], participant.pk):
        return False
    if room_state_key(state["room"]["id"]) != key[0] or workshop.rev != key[0][1]:
        return False  # the room changed while its page was drawn
    if any(html.count(text) != 1 for text in theirs.values()):
        return False  # the page is not made of these parts as expected: draw each one
    now = time.monotonic()
    for stale in [room_id for room_id, entry in _kept.items() if entry[1] <= now]:
        del _kept[stale]  # a page of 40 kB per room: none is kept past its time
    _kept[state["room"]["id"]] = (key, now + KEEP_FOR, html, workshop, theirs)
    cache.set(f"{CACHE_PREFIX}{state['room']['id']}", (key, html, workshop, theirs), KEEP_FOR)
    return True
