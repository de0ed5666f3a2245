"""What a room made, as plain data: its members, notes, root causes, alternatives and votes,
the chosen solution and the action plan.

The plenary shows it room by room (control_views) and the report (followup/report.py) puts every
room's in one document; the shape is documented in docs/report-schema.md (`rooms[]`).
`rooms_data()` reads any number of rooms with the same seven queries, as rows (`values_list`):
a 100-room workshop holds ~2,000 items and ~1,000 people, and building a model instance for
each cost more than the rest of the report.
"""

from collections import namedtuple
from operator import itemgetter

from django.db.models import Sum

from breakouts.models import Item, Note, Room, Seat, Step, Vote
from workshops.models import Participant

# One person as the report reads them (`email` for the network's "met before").
Person = namedtuple("Person", "pk name department location email")
_PERSON_FIELDS = ("pk", "name", "department", "location", "email")

# One item of a room as read by ITEM_FIELDS, with its votes summed (`votes`: 0 without any).
ITEM_FIELDS = (
    "pk", "room_id", "step", "text", "category", "pros", "cons", "owner_id", "owner__name",
    "due_date", "success_measure", "status", "status_note",
)
ItemRow = namedtuple("ItemRow", [field.replace("__", "_") for field in ITEM_FIELDS] + ["votes"])


# What _room_data reads of a room and the rows it joins (a room has timers, revisions, …),
# as a row: 100 rooms with their challenge and chosen item as instances cost ~8 ms.
_ROOM_FIELDS = (
    "pk", "round", "number", "scribe_id", "selection_rationale", "workshop__rounds",
    "challenge_id", "challenge__title", "challenge__description", "selected_item_id",
    "selected_item__text",
)
RoomRow = namedtuple("RoomRow", [field.replace("__", "_") for field in _ROOM_FIELDS])


def room_name(room, rounds):
    """Returns the room's name in the report: "Room 3", or "Round 2 · Room 3" in a workshop of
    several rounds."""
    return room.round_name if rounds > 1 else str(room)


def rooms_queryset(workshop, room_ids=None):
    """Returns the workshop's rooms (or those in room_ids), round by round, for rooms_data()."""
    rooms = Room.objects.filter(workshop=workshop)
    if room_ids is not None:
        rooms = rooms.filter(pk__in=room_ids)
    return rooms.order_by("round", "number")


def room_seating(rooms):
    """Returns {room id: (round, [Person, …])} of every room of the `rooms` queryset: everyone
    who sat in it in its round, by name — its seats (kept when the next round moves people
    on) and anyone seated in it now. Three queries."""
    ids = rooms.order_by().values("pk")
    people = {pk: (round_number, {}) for pk, round_number in rooms.values_list("pk", "round")}
    # Unordered (the models' orderings join rooms and workshops): sorted here, by name.
    seated = Seat.objects.filter(room__in=ids).order_by().values_list(
        "room_id", *(f"participant__{field}" for field in _PERSON_FIELDS)
    )
    now = Participant.objects.filter(room__in=ids).order_by().values_list(
        "room_id", *_PERSON_FIELDS
    )
    person = Person._make
    for row in [*seated, *now]:
        people[row[0]][1][row[1]] = person(row[1:])
    by_name = itemgetter(1, 0)  # (name, pk) of a Person
    return {
        room_id: (round_number, sorted(by_pk.values(), key=by_name))
        for room_id, (round_number, by_pk) in people.items()
    }


def _items(rooms):
    """Returns {room id: [ItemRow, …]} of the rooms' items, oldest first (two queries)."""
    ids = rooms.order_by().values("pk")
    votes = dict(
        Vote.objects.filter(item__room__in=ids)
        .values("item_id")
        .annotate(total=Sum("count"))
        .values_list("item_id", "total")
    )
    rows = (
        Item.objects.filter(room__in=ids)
        .order_by("created_at", "pk")
        .values_list(*ITEM_FIELDS)
    )
    by_room = {}
    for row in rows:
        by_room.setdefault(row[1], []).append(ItemRow(*row, votes.get(row[0]) or 0))
    return by_room


def action_data(item, status_labels):
    """Returns one action item (an ItemRow) as the report lists it (`status_labels`:
    {value: label})."""
    return {
        "id": item.pk,
        "task": item.text,
        "owner": None if item.owner_id is None else {"id": item.owner_id, "name": item.owner_name},
        "due_date": item.due_date,
        "success_measure": item.success_measure,
        "status": item.status,
        "status_label": status_labels.get(item.status, item.status),
        "status_note": item.status_note,
    }


def status_labels():
    """Returns {status value: translated label} of action items."""
    return {value: str(label) for value, label in Item.Status.choices}


def rooms_data(rooms, *, seating=None):
    """Returns the work of each room of the `rooms` queryset as plain data, in the queryset's
    order (see report-schema.md `rooms[]`). `seating` is room_seating(rooms) when the caller
    has it already. Seven queries, whatever the number of rooms."""
    if seating is None:
        seating = room_seating(rooms)
    notes = {}
    rows = Note.objects.filter(room__in=rooms.order_by().values("pk"))
    for room_id, step, text in rows.values_list("room_id", "step", "text"):
        notes.setdefault(room_id, {})[step] = text
    items = _items(rooms)
    labels = status_labels()
    categories = [(value, str(label)) for value, label in Item.Category.choices]
    names = (Room.name_format(), Room.round_name_format())
    return [
        _room_data(room, seating.get(room.pk, (room.round, ()))[1], notes.get(room.pk, {}),
                   items.get(room.pk, []), labels, categories, names)
        for room in map(RoomRow._make, rooms.values_list(*_ROOM_FIELDS))
    ]


def _room_data(room, members, notes, items, labels, categories, names):
    by_step = {}
    for item in items:
        by_step.setdefault(item.step, []).append(item)
    causes = {}
    for item in by_step.get(Step.ROOT_CAUSES, []):
        causes.setdefault(item.category or Item.Category.OTHER, []).append({"text": item.text})
    root_causes = [
        {"category": value, "label": label, "items": causes[value]}
        for value, label in categories
        if value in causes
    ]
    alternatives = sorted(
        (
            {
                "id": item.pk,
                "title": item.text,
                "pros": item.pros,
                "cons": item.cons,
                "votes": item.votes,
                "selected": item.pk == room.selected_item_id,
            }
            for item in by_step.get(Step.ALTERNATIVES, [])
        ),
        key=lambda alt: -alt["votes"],
    )
    return {
        "round": room.round,
        "number": room.number,
        # room_name(), with the formats translated once for all rooms
        "name": (names[1] if room.workshop_rounds > 1 else names[0]) % {
            "round": room.round, "number": room.number},
        "members": [
            {
                "id": member.pk,
                "name": member.name,
                "department": member.department,
                "location": member.location,
                "scribe": member.pk == room.scribe_id,
            }
            for member in members
        ],
        "challenge": (
            {"title": room.challenge_title, "description": room.challenge_description}
            if room.challenge_id
            else None
        ),
        "problem_statement": notes.get(Step.DEFINE, ""),
        "notes": {step.value: notes.get(step.value, "") for step in Step},
        "root_causes": root_causes,
        "alternatives": alternatives,
        "selection": (
            {"title": room.selected_item_text, "rationale": room.selection_rationale}
            if room.selected_item_id
            else None
        ),
        "actions": [action_data(item, labels) for item in by_step.get(Step.PLAN, [])],
        "accountability": notes.get(Step.PLAN, ""),
    }
