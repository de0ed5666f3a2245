"""The roster as every member of a workshop sees it: `Participant.public()` of everyone who
has arrived, in joining order, with the counts by department and location. Someone imported
from a roster who has never opened their personal link is not here yet (`Participant.has_arrived`)
and is left out until they do (`workshops.services.arrive` announces them then).

The lobby page and every socket's `state` frame carry it. In a join storm each join changes
it, so a per-revision cache alone never hits: every lobby page and lobby socket read the whole
roster through the ORM again (a model instance per person, its JSON attributes decoded), the
quadratic part of a storm's CPU (docs/scale.md). Here it is read with one plain query of the
five public columns, together with the workshop's revision (one statement, so the roster is
exactly that revision's), and each person's public dict and JSON text are made once per
process, keyed by the row they come from — a row that changes is a new key, so nothing drawn
from an old row is ever reused.
"""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from live.events import iso
from live.framing import encode

ROSTER_SQL = (
    "SELECT w.rev, p.id, p.name, p.department, p.location, {joined_at} "
    "FROM workshops_workshop w LEFT JOIN workshops_participant p ON p.workshop_id = w.id "
    # Participant.has_arrived, in the join so that a workshop nobody has reached still has its row
    "AND (NOT p.imported OR p.last_seen_at IS NOT NULL) "
    "WHERE w.id = %s ORDER BY p.joined_at, p.id"
)
# SQLite's driver parses a declared datetime column in Python for every row (a regex each);
# as text it is parsed only for rows not seen before (the key of the row cache below).
JOINED_AT = {"sqlite": "p.joined_at || ''"}
# A roster is kept per workshop revision for a moment (every roster change is announced and
# bumps the revision; the time bounds unannounced changes, as in workshops/snapshot.py).
ROSTER_TTL = 0.0 if settings.TESTING else 10.0
ROW_CACHE_LIMIT = 50_000
_rows = {}  # raw row → (public dict, its JSON text)
_rosters = {}  # workshop id → (expires, Roster)

# What django.utils.html.json_script escapes, so the text is safe inside <script>.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class People(list):
    """Participant.public() of each person, oldest first, with `text`: their JSON text (what
    live.framing.encode makes of the list). Shared: callers must not change it."""

    text = "[]"


@dataclass(frozen=True)
class Roster:
    rev: int
    people: People
    counts: dict  # {"department": {label: n}, "location": {label: n}}, labels sorted

    def script(self, element_id):
        """Returns `people` as django's json_script filter would embed it."""
        return format_html(
            '<script id="{}" type="application/json">{}</script>',
            element_id, mark_safe(self.people.text.translate(_SCRIPT_ESCAPES)),  # noqa: S308
        )


def label_counts(people, field):
    """Returns {label: count} for one field, sorted by label; empty labels are left out."""
    counts = Counter(person[field] for person in people if person[field])
    return dict(sorted(counts.items(), key=lambda item: item[0].casefold()))


def roster(workshop_id):
    """Returns the workshop's Roster as the database has it now."""
    with connection.cursor() as cursor:
        joined_at = JOINED_AT.get(connection.vendor, "p.joined_at")
        cursor.execute(ROSTER_SQL.format(joined_at=joined_at), [workshop_id])
        rows = cursor.fetchall()
    if not rows:
        raise LookupError(f"no workshop {workshop_id}")
    rev = rows[0][0]
    now = time.monotonic()
    cached = _rosters.get(workshop_id)
    if cached is not None and cached[1].rev == rev and cached[0] > now:
        return cached[1]
    if len(_rows) > ROW_CACHE_LIMIT:
        _rows.clear()
    people, texts = People(), []
    for row in rows:
        if row[1] is None:  # the LEFT JOIN's row of a workshop nobody joined
            continue
        key = row[1:]
        entry = _rows.get(key)
        if entry is None:
            public = _public(*key)
            entry = _rows[key] = (public, encode(public))
        people.append(entry[0])
        texts.append(entry[1])
    people.text = "[" + ",".join(texts) + "]"
    built = Roster(
        rev=rev, people=people,
        counts={"department": label_counts(people, "department"),
                "location": label_counts(people, "location")},
    )
    if ROSTER_TTL > 0:
        _rosters[workshop_id] = (now + ROSTER_TTL, built)
    return built


def _public(pk, name, department, location, joined_at):
    """Participant.public() of a roster row."""
    return {"id": pk, "name": name, "department": department, "location": location,
            "joined_at": iso(_aware(joined_at))}


def _aware(value):
    """The row's joined_at as the ORM gives it: an aware datetime (SQLite returns text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value
