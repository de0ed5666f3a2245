"""Roster writes that everyone in the workshop hears about.

Each function stores its change, bumps the workshop revision in the same transaction and
queues the matching `participant.*` event, which `breakouts.events` sends after commit.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from breakouts import events
from workshops.live import challenge_public, participant_public
from workshops.models import Participant, Workshop


def _place_late_joiner(participant):
    """Hands a breakouts-phase joiner to the room planner, when that planner exists yet."""
    try:
        from breakouts import services as breakout_services
    except ImportError:
        return
    place = getattr(breakout_services, "place_late_joiner", None)
    if place is not None:
        place(participant)


@transaction.atomic
def join_workshop(workshop, *, name, department, location, email=""):
    """Adds a participant who joined by code or link and announces `participant.joined`.

    A joiner arriving during breakouts is handed to the room planner right away.
    """
    participant = Participant.objects.create(
        workshop=workshop, name=name, department=department, location=location, email=email
    )
    _announce_joined(workshop, participant)
    if workshop.phase == Workshop.Phase.BREAKOUTS:
        _place_late_joiner(participant)
    return participant


@transaction.atomic
def import_participants(workshop, rows):
    """Creates one imported participant per row (dicts with name, email, department, location).

    Returns the new participants; each is announced as `participant.joined`.
    """
    created = []
    for row in rows:
        participant = Participant.objects.create(
            workshop=workshop, imported=True, name=row["name"], email=row["email"],
            department=row["department"], location=row["location"],
        )
        _announce_joined(workshop, participant)
        created.append(participant)
    return created


def _announce_joined(workshop, participant):
    workshop.bump_rev()
    events.send_workshop_event(
        workshop, "participant.joined", {"participant": participant_public(participant)}
    )


@transaction.atomic
def update_participant(participant, **fields):
    """Stores new values for the given fields and announces `participant.updated`."""
    for name, value in fields.items():
        setattr(participant, name, value)
    participant.save(update_fields=list(fields))
    workshop = participant.workshop
    workshop.bump_rev()
    events.send_workshop_event(
        workshop, "participant.updated", {"participant": participant_public(participant)}
    )
    return participant


@transaction.atomic
def remove_participant(participant):
    """Deletes the participant (their votes go with them) and announces `participant.left`."""
    workshop = participant.workshop
    participant_id = participant.pk
    participant.delete()
    workshop.bump_rev()
    events.send_workshop_event(workshop, "participant.left", {"participant_id": participant_id})


@transaction.atomic
def announce_challenges(workshop):
    """Sends the new challenge list as `challenges.changed` once anyone can see it.

    Drafts stay silent: nobody has joined yet, and the lobby's snapshot will carry the list.
    """
    if workshop.phase == Workshop.Phase.DRAFT:
        return
    workshop.bump_rev()
    events.send_workshop_event(
        workshop, "challenges.changed",
        {"challenges": [challenge_public(c) for c in workshop.challenges.all()]},
    )


def send_personal_link(participant, link):
    """E-mails the participant their personal link, to the address they gave when joining."""
    context = {"participant": participant, "workshop": participant.workshop, "link": link}
    subject = render_to_string("workshops/email/personal_link_subject.txt", context)
    subject = " ".join(subject.split())
    body = render_to_string("workshops/email/personal_link.txt", context)
    send_mail(subject, body, None, [participant.email])
