"""The workshop part of the live snapshot, and the public face of a participant.

The socket consumer sends `workshop_state()` as the "workshop" part of its `state` frame, and
`participant.*` events carry `participant_public()`; both are plain JSON-ready dicts. A
participant's e-mail and personal token never appear here: everything is visible to every
member of the workshop.
"""

from collections import Counter


def participant_public(participant):
    """Returns what everyone in the workshop may see of a participant."""
    return {
        "id": participant.pk,
        "name": participant.name,
        "department": participant.department,
        "location": participant.location,
        "joined_at": participant.joined_at.isoformat() if participant.joined_at else None,
    }


def challenge_public(challenge):
    """Returns a challenge as rooms see it."""
    return {"id": challenge.pk, "title": challenge.title, "description": challenge.description}


def label_counts(participants, field):
    """Returns {label: count} for one field, sorted by label; empty labels are left out."""
    counts = Counter(getattr(p, field) for p in participants if getattr(p, field))
    return dict(sorted(counts.items(), key=lambda item: item[0].casefold()))


def workshop_state(workshop, participant=None):
    """Returns the workshop-wide snapshot: phase, challenges, roster, counts and timer.

    The view is the same for every participant and facilitator (`participant` is accepted so
    callers need not special-case; nothing private is included for anyone).
    """
    participants = list(workshop.participants.order_by("joined_at", "pk"))
    timer = None
    if workshop.timer_ends_at:
        timer = {"ends_at": workshop.timer_ends_at.isoformat(), "label": workshop.timer_label}
    return {
        "id": workshop.pk,
        "phase": workshop.phase,
        "title": workshop.title,
        "join_code": workshop.join_code,
        "challenges": [challenge_public(c) for c in workshop.challenges.all()],
        "participants": [participant_public(p) for p in participants],
        "participant_count": len(participants),
        "counts": {
            "department": label_counts(participants, "department"),
            "location": label_counts(participants, "location"),
        },
        "timer": timer,
        "presenting_room": workshop.presenting_room.number if workshop.presenting_room else None,
        "closing_at": workshop.closing_at.isoformat() if workshop.closing_at else None,
    }
