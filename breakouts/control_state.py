"""What the control room shows: every room as a card, open help requests, recent broadcasts.

The control socket's `state` frame carries the full cards (`room_cards`: members, every step's
preview; docs/protocol.md, "Control room"); the control page (breakouts/control_views.py) draws
only the tiles (`room_tiles`: what a tile shows before the socket has connected), so a
100-room page stays small. Both take a fixed number of queries whatever the number of rooms.
"""

from collections import Counter

from django.db.models import Count, F
from django.db.models.functions import Length, Substr

from breakouts.models import STEP_ORDER, Broadcast, HelpRequest, Item, Note, Room
from live.events import iso
from workshops.models import Participant, Workshop

NOTE_PREVIEW_CHARS = 280


def open_help_requests(workshop):
    """Returns the workshop's unacknowledged help requests, oldest first (one query)."""
    return [request.public() for request in HelpRequest.objects.open_in(workshop)]


def recent_broadcasts(workshop):
    return [broadcast.public() for broadcast in Broadcast.objects.recent(workshop)]


def room_cards(workshop):
    """Returns one card per room: what the control room shows, with a fixed number of queries.

    Keys shared with the room snapshot (breakouts/snapshot.py) mean the same; `notes` holds
    only a preview of each step's note and `counts` the number of items per step. `online` is
    filled in by the socket from the hub's presence (empty on the server-rendered page).
    """
    rooms = list(Room.objects.current(workshop).with_members().order_by("number"))
    notes = Note.objects.filter(room__workshop=workshop).annotate(
        preview=Substr("text", 1, NOTE_PREVIEW_CHARS), length=Length("text")
    )
    previews = {}
    for row in notes.values("room_id", "step", "preview", "length", "rev"):
        previews.setdefault(row["room_id"], {})[row["step"]] = {
            "text": row["preview"], "length": row["length"], "note_rev": row["rev"],
        }
    counts = _item_counts(workshop)
    help_by_room = _help_by_room(open_help_requests(workshop))
    cards = []
    for room in rooms:
        room.workshop = workshop  # step_ends_at reads the step durations from it
        cards.append({
            **room.public(),
            "step_index": room.step_index,
            "scribe_name": room.scribe.name if room.scribe else None,
            "challenge": (
                {"id": room.challenge.pk, "title": room.challenge.title}
                if room.challenge else None
            ),
            "notes": previews.get(room.pk, {}),
            "counts": {step: counts.get(room.pk, {}).get(step, 0) for step in STEP_ORDER},
            "help": help_by_room.get(room.number, []),
        })
    return cards


def room_tiles(workshop, help_requests):
    """Returns one tile per room: what breakouts/control_markup.py draws, and no
    more — the current step's preview, the item counts, the number of members and the scribe's
    name, the open `help_requests` (a list of `HelpRequest.public()`). Fixed queries.

    Rooms are read as rows, their name translated and their URL reversed once for all: at
    100 rooms, model instances (a room, its challenge and scribe) and 100 `reverse()` calls
    were most of the page's time."""
    rooms = (
        Room.objects.current(workshop).with_member_counts().order_by("number")
        .values_list("pk", "number", "step", "scribe_id", "scribe__name", "member_count",
                     "last_activity_at", "challenge_id", "challenge__title")
    )
    notes = Note.objects.filter(room__workshop=workshop, step=F("room__step")).annotate(
        preview=Substr("text", 1, NOTE_PREVIEW_CHARS), length=Length("text")
    )
    previews = {
        row["room_id"]: {row["step"]: {"text": row["preview"], "length": row["length"]}}
        for row in notes.values("room_id", "step", "preview", "length")
    }
    counts = _item_counts(workshop)
    help_by_room = _help_by_room(help_requests)
    name = Room.name_format()
    url_head, url_tail = Room.url_format(workshop)
    tiles = []
    for pk, number, step, scribe_id, scribe_name, members, last_activity, challenge_id, title \
            in rooms:
        tiles.append({
            "id": pk,
            "number": number,
            "name": name % {"number": number},
            "url": f"{url_head}{number}{url_tail}",
            "step": step,
            "step_index": STEP_ORDER.index(step),
            "scribe": scribe_id,
            "scribe_name": scribe_name if scribe_id else None,
            "member_count": members,
            "last_activity_at": iso(last_activity),
            "challenge": {"title": title} if challenge_id else None,
            "notes": previews.get(pk, {}),
            "counts": {step: counts.get(pk, {}).get(step, 0) for step in STEP_ORDER},
            "help": help_by_room.get(number, []),
        })
    return tiles


def help_names(help_requests):
    """Returns {participant id: name} of the people who asked for help (one query)."""
    ids = {request["participant"] for request in help_requests if request["participant"]}
    return dict(Participant.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _item_counts(workshop):
    """Returns {room id: {step: number of items}} (one grouped query)."""
    counts = {}
    rows = (
        Item.objects.filter(room__workshop=workshop)
        .values("room_id", "step").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        counts.setdefault(row["room_id"], {})[row["step"]] = row["n"]
    return counts


def _help_by_room(help_requests):
    by_room = {}
    for request in help_requests:
        by_room.setdefault(request["room"], []).append(request)
    return by_room


def rooms_per_step(cards):
    """Returns [(step, number of rooms in it)] in step order, leaving out empty steps."""
    counted = Counter(card["step"] for card in cards)
    return [(step, counted[step]) for step in STEP_ORDER if counted[step]]


def control_state(workshop_id, user_id):
    """Returns (workshop, the rest of the control socket's `state` frame): the rooms as cards,
    the open help requests and recent broadcasts (docs/protocol.md, "Control room").

    Finishes a "rooms closing" countdown that ran out while no timer was watching it.
    """
    workshop = Workshop.objects.select_related("presenting_room").get(pk=workshop_id)
    if workshop.finish_closing_if_due():
        workshop = Workshop.objects.select_related("presenting_room").get(pk=workshop_id)
    return workshop, {
        "room": None,
        "rooms": room_cards(workshop),
        "help": open_help_requests(workshop),
        "broadcasts": recent_broadcasts(workshop),
        "lobby_online": [],
        "me": {"participant": None, "role": "control", "room": None, "user": user_id},
    }
