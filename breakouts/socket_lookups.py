"""Who opens a socket, read cheaply: a reconnect storm opens a workshop's sockets by the
hundred, and reading the workshop and the participant through the ORM for each was most of
the time to connect (bench/rooms.py). Rights are re-read on every op and on
`access.changed` (docs/protocol.md, "Revocation"), so nothing here is trusted for long."""

import time
from datetime import UTC

from django.conf import settings
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from breakouts.models import Room
from workshops.access import SESSION_KEY, get_workshop_by_code
from workshops.models import Participant

# The workshop row behind a join code is read once a second for all the sockets opening.
WORKSHOP_LOOKUP_TTL = 0.0 if settings.TESTING else 1.0
_workshops = {}  # join code → (expires, workshop)

MEMBERS_SQL = (  # + the ids: "(%s, %s, …)"
    "SELECT p.id, p.name, p.department, p.location, p.joined_at, r.id, r.number, r.rev, w.rev, "
    "w.updated_at, p.workshop_id FROM workshops_participant p "
    "JOIN workshops_workshop w ON w.id = p.workshop_id "
    "LEFT JOIN breakouts_room r ON r.id = p.room_id "
    "WHERE p.id IN "
)


def workshop_for_socket(code):
    """Returns the workshop a socket's code names (None: no such workshop)."""
    now = time.monotonic()
    cached = _workshops.get(code)
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        workshop = get_workshop_by_code(code)
    except Http404:
        return None
    if WORKSHOP_LOOKUP_TTL > 0:
        _workshops[code] = (now + WORKSHOP_LOOKUP_TTL, workshop)
    return workshop


def member_for_socket(session, workshop):
    """Returns the session's participant in `workshop` with `.room` set (unsaved instances
    with the fields the socket uses), or None — what workshops.access.participant_from_session
    returns, in one plain query."""
    participant_id = (session or {}).get(SESSION_KEY, {}).get(str(workshop.pk))
    if not isinstance(participant_id, int):
        return None
    return member_by_id(workshop.pk, participant_id)


def member_by_id(workshop_id, participant_id):
    """Returns participant `participant_id` of the workshop as member_for_socket does (None:
    not, or no longer, a participant of it). With a room, `room.state_key` is what its
    snapshot is kept by at this moment (breakouts/snapshot.py: room_state_key)."""
    return members_by_id([(workshop_id, participant_id)])[0]


def members_by_id(pairs):
    """Returns member_by_id(workshop_id, participant_id) for each pair, in one query."""
    if not pairs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(MEMBERS_SQL + f"({', '.join(['%s'] * len(pairs))})",
                       [participant_id for _workshop_id, participant_id in pairs])
        rows = {(row[10], row[0]): row for row in cursor.fetchall()}
    return [_member(rows.get(pair), pair[0]) for pair in pairs]


def _member(row, workshop_id):
    if row is None:
        return None
    pk, name, department, location, joined_at, room_id, number, room_rev, rev, updated = row[:10]
    if isinstance(joined_at, str):  # SQLite returns text, or a naive datetime
        joined_at = parse_datetime(joined_at)
    if joined_at is not None and timezone.is_naive(joined_at):
        joined_at = timezone.make_aware(joined_at, UTC)
    room = Room(pk=room_id, workshop_id=workshop_id, number=number) if room_id else None
    if room is not None:
        room.state_key = (room_rev, rev, updated)
    participant = Participant(
        pk=pk, workshop_id=workshop_id, name=name, department=department, location=location,
        joined_at=joined_at, room_id=room_id,
    )
    participant.room = room
    return participant
