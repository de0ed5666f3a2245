"""What a room made, as plain data: its members, notes, root causes, alternatives and votes,
the chosen solution and the action plan.

The plenary shows it room by room (control_views) and the report (followup/report.py) puts every
room's in one document; the shape is documented in docs/report-schema.md (`rooms[]`).
`rooms_queryset()` prefetches everything `room_data()` reads, so any number of rooms costs a
fixed number of queries.
"""

from django.db.models import Prefetch, Sum
from django.db.models.functions import Coalesce

from breakouts.models import Item, Note, Room, Seat, Step
from workshops.models import Participant


def rooms_queryset(workshop, room_ids=None):
    """Returns the workshop's rooms (or those in room_ids) with everything room_data reads
    prefetched: members (current and seated), scribe, challenge, notes, items with their vote
    totals. Rooms come round by round."""
    rooms = Room.objects.filter(workshop=workshop)
    if room_ids is not None:
        rooms = rooms.filter(pk__in=room_ids)
    items = (
        Item.objects.select_related("owner")
        .annotate(vote_total=Coalesce(Sum("votes__count"), 0))
        .order_by("created_at", "pk")
    )
    return (
        rooms.select_related("workshop", "scribe", "challenge", "selected_item")
        .prefetch_related(
            Prefetch("members", queryset=Participant.objects.order_by("name", "pk")),
            Prefetch("seats", queryset=Seat.objects.select_related("participant")),
            Prefetch("notes", queryset=Note.objects.all()),
            Prefetch("items", queryset=items),
        )
        .order_by("round", "number")
    )


def room_members(room):
    """Returns everyone who sat in the room in its round, by name: its seats (kept when the
    next round moves people on) and anyone seated in it now. `members` and `seats` must be
    prefetched for more than one room (rooms_queryset)."""
    people = {seat.participant.pk: seat.participant for seat in room.seats.all()}
    people.update((member.pk, member) for member in room.members.all())
    return sorted(people.values(), key=lambda p: (p.name, p.pk))


def _person(participant):
    if participant is None:
        return None
    return {"id": participant.pk, "name": participant.name}


def action_data(item, status_labels):
    """Returns one action item as the report lists it (`status_labels`: {value: label})."""
    return {
        "id": item.pk,
        "task": item.text,
        "owner": _person(item.owner),
        "due_date": item.due_date,
        "success_measure": item.success_measure,
        "status": item.status,
        "status_label": status_labels.get(item.status, item.status),
        "status_note": item.status_note,
    }


def status_labels():
    """Returns {status value: translated label} of action items."""
    return {value: str(label) for value, label in Item.Status.choices}


def room_data(room):
    """Returns one room's work as plain data (a room of rooms_queryset; see report-schema.md)."""
    labels = status_labels()
    notes = {note.step: note.text for note in room.notes.all()}
    by_step = {}
    for item in room.items.all():
        by_step.setdefault(item.step, []).append(item)

    causes = {}
    for item in by_step.get(Step.ROOT_CAUSES, []):
        causes.setdefault(item.category or Item.Category.OTHER, []).append({"text": item.text})
    root_causes = [
        {"category": value, "label": str(label), "items": causes[value]}
        for value, label in Item.Category.choices
        if value in causes
    ]
    alternatives = sorted(
        (
            {
                "id": item.pk,
                "title": item.text,
                "pros": item.pros,
                "cons": item.cons,
                "votes": item.vote_total,
                "selected": item.pk == room.selected_item_id,
            }
            for item in by_step.get(Step.ALTERNATIVES, [])
        ),
        key=lambda alt: -alt["votes"],
    )
    selected = room.selected_item
    actions = [action_data(item, labels) for item in by_step.get(Step.PLAN, [])]
    return {
        "round": room.round,
        "number": room.number,
        "name": room.round_name if room.workshop.rounds > 1 else str(room),
        "members": [
            {
                "id": member.pk,
                "name": member.name,
                "department": member.department,
                "location": member.location,
                "scribe": member.pk == room.scribe_id,
            }
            for member in room_members(room)
        ],
        "challenge": (
            {"title": room.challenge.title, "description": room.challenge.description}
            if room.challenge
            else None
        ),
        "problem_statement": notes.get(Step.DEFINE, ""),
        "notes": {step.value: notes.get(step.value, "") for step in Step},
        "root_causes": root_causes,
        "alternatives": alternatives,
        "selection": (
            {"title": selected.text, "rationale": room.selection_rationale} if selected else None
        ),
        "actions": actions,
        "accountability": notes.get(Step.PLAN, ""),
    }
