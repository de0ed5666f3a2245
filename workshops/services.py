"""Roster writes that everyone in the workshop hears about.

Each function stores its change and announces the matching `participant.*` event in the same
transaction (`Workshop.announce`: the revision is bumped, the event leaves after commit).
"""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import Participant, Workshop
from workshops.signals import participant_joined


@transaction.atomic
def join_workshop(workshop, *, name, department, location, email="", attributes=None):
    """Adds a participant who joined by code or link and announces `participant.joined`.

    Apps above this one hear `participant_joined` in the same transaction (breakouts seats
    a joiner who arrives during breakouts).
    """
    participant = Participant.objects.create(
        workshop=workshop, name=name, department=department, location=location, email=email,
        attributes=attributes or {},
    )
    _announce_joined(workshop, participant)
    participant_joined.send(sender=Workshop, participant=participant)
    return participant


@transaction.atomic
def import_participants(workshop, rows):
    """Creates one imported participant per row (dicts with name, email, department, location
    and, optionally, attributes: {attribute key: value}).

    Returns the new participants. Nobody is announced: they are invited, not here, until they
    open their personal link (`arrive`); the facilitator's page reloads after the import.
    """
    created = []
    for row in rows:
        participant = Participant.objects.create(
            workshop=workshop, imported=True, name=row["name"], email=row["email"],
            department=row["department"], location=row["location"],
            attributes=row.get("attributes") or {},
        )
        created.append(participant)
    return created


@transaction.atomic
def arrive(participant):
    """Records that the participant opened their personal link just now.

    The first time an imported participant does so they arrive: they are announced as
    `participant.joined`, as a joiner is, and apps above this one hear `participant_joined`
    (breakouts seats them if rooms are open). Returns True when they arrived just now.
    """
    now = timezone.now()
    first = participant.imported and participant.last_seen_at is None
    if first:
        # Only one of two racing first visits finds the row still unseen.
        first = bool(Participant.objects.filter(pk=participant.pk, last_seen_at=None)
                     .update(last_seen_at=now))
    else:
        Participant.objects.filter(pk=participant.pk).update(last_seen_at=now)
    participant.last_seen_at = now
    if first:
        _announce_joined(participant.workshop, participant)
        participant_joined.send(sender=Workshop, participant=participant)
    return first


def _announce_joined(workshop, participant):
    workshop.announce("participant.joined", {"participant": participant.public()})


@transaction.atomic
def update_participant(participant, **fields):
    """Stores new values for the given fields and announces `participant.updated`."""
    for name, value in fields.items():
        setattr(participant, name, value)
    participant.save(update_fields=list(fields))
    participant.workshop.announce("participant.updated", {"participant": participant.public()})
    return participant


@transaction.atomic
def remove_participant(participant):
    """Deletes the participant (their votes go with them) and announces `participant.left`,
    unless they were invited and never arrived: nobody heard of them, nobody hears them go."""
    workshop = participant.workshop
    participant_id, arrived = participant.pk, participant.has_arrived
    participant.delete()
    if arrived:
        workshop.announce("participant.left", {"participant_id": participant_id})


@transaction.atomic
def announce_challenges(workshop):
    """Sends the new challenge list as `challenges.changed` once anyone can see it.

    Drafts stay silent: nobody has joined yet, and the lobby's snapshot will carry the list.
    """
    if workshop.phase == Workshop.Phase.DRAFT:
        return
    workshop.announce(
        "challenges.changed", {"challenges": [c.public() for c in workshop.challenges.all()]}
    )


def send_personal_link(participant, link):
    """E-mails the participant their personal link, to the address they gave when joining."""
    context = {"participant": participant, "workshop": participant.workshop, "link": link}
    subject = render_to_string("workshops/email/personal_link_subject.txt", context)
    subject = " ".join(subject.split())
    body = render_to_string("workshops/email/personal_link.txt", context)
    send_mail(subject, body, None, [participant.email])
