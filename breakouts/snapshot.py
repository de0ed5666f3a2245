"""The room part of the live snapshot (the `state` frame), as plain JSON-ready dicts."""

from breakouts.models import STEP_ORDER, Room, Step


def step_minutes(workshop):
    return {step: workshop.step_minutes(step) for step in STEP_ORDER}


def room_state(room, viewer=None):
    """Returns everything a room page shows, at the room's current revision.

    `viewer` is the participant looking (their own votes are included) or None (facilitators).
    `online` is filled in by the socket from the hub's presence.
    """
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
        "votes": {
            **room.vote_summary(),
            "mine": room.votes_of(viewer.pk) if viewer is not None else {},
            "per_member": workshop.votes_per_member,
        },
        "selection": {"item": room.selected_item_id, "rationale": room.selection_rationale},
        "help": help_requests,
    }
