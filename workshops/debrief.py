"""After the breakouts: debrief answers, action-item follow-up, and the connections people made.

This module is imported at the end of workshops/models.py, so its models register with the
`workshops` app. Other models are referenced by string and imported inside functions, because
workshops.models is still loading when this module runs.
"""

from itertools import combinations

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

__all__ = ["DebriefAnswer", "ReminderLog"]

MAX_ANSWER_LENGTH = 2000


class DebriefAnswerQuerySet(models.QuerySet):
    def of_workshop(self, workshop):
        return self.filter(workshop=workshop).select_related("participant")


class DebriefAnswer(models.Model):
    """One participant's reflection: two free-text answers and the common answers they ticked."""

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="debrief_answers"
    )
    participant = models.OneToOneField(
        "workshops.Participant", on_delete=models.CASCADE, related_name="debrief_answer"
    )
    answer_value = models.TextField(blank=True)
    answer_change = models.TextField(blank=True)
    # Labels of the workshop's common answers this person ticked (as they read when ticked).
    choices = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DebriefAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.participant_id} · {self.workshop_id}"

    @classmethod
    @transaction.atomic
    def record(cls, participant, *, answer_value, answer_change, choices):
        """Stores (or replaces) the participant's answers and tells the facilitators live.

        Bumps the workshop revision and sends `debrief.changed` with the new counts (never
        names or text: every participant's socket hears workshop events too). Returns the answer.
        """
        workshop = participant.workshop
        answer, _created = cls.objects.update_or_create(
            participant=participant,
            defaults={
                "workshop": workshop,
                "answer_value": answer_value.strip(),
                "answer_change": answer_change.strip(),
                "choices": list(choices),
            },
        )
        workshop.announce("debrief.changed", debrief_counts(workshop))
        return answer


@transaction.atomic
def set_debrief_choices(workshop, text):
    """Replaces the workshop's common answers and sends `debrief.changed` with the new counts."""
    workshop.debrief_choices = text
    workshop.save(update_fields=["debrief_choices", "updated_at"])
    workshop.announce("debrief.changed", debrief_counts(workshop))


def debrief_counts(workshop, answers=None):
    """Returns {"respondents", "participants", "choices": [{"label", "count"}]} for a workshop.

    Choices follow the workshop's current list; labels ticked earlier but since removed from
    the list are counted after it, so no answer silently disappears from the chart.
    """
    from workshops.models import Participant

    if answers is None:
        answers = list(DebriefAnswer.objects.filter(workshop=workshop).only("choices"))
    counts = {label: 0 for label in workshop.debrief_choice_list}
    for answer in answers:
        for label in answer.choices:
            counts[label] = counts.get(label, 0) + 1
    return {
        "respondents": len(answers),
        "max_count": max(counts.values(), default=0),
        "participants": Participant.objects.filter(workshop=workshop).count(),
        "choices": [{"label": label, "count": count} for label, count in counts.items()],
    }


def debrief_summary(workshop, *, include_answers=True, hide_names=False, word_limit=25):
    """Returns the debrief results: counts per common answer, word frequencies, and answers.

    With include_answers False (a participant's view) the individual answers are left out;
    with hide_names the answers carry no name or department.
    """
    from django.utils.translation import get_language

    from workshops.wordfreq import word_frequencies

    language = get_language() or "en"
    answers = list(DebriefAnswer.objects.of_workshop(workshop))
    summary = debrief_counts(workshop, answers)
    summary["questions"] = [
        {
            "key": key,
            "text": getattr(workshop, f"question_{key}"),
            "words": [
                {"word": word, "count": count}
                for word, count in word_frequencies(
                    [getattr(a, f"answer_{key}") for a in answers],
                    limit=word_limit,
                    language=language,
                )
            ],
        }
        for key in ("value", "change")
    ]
    if include_answers:
        summary["answers"] = [
            {
                "name": "" if hide_names else answer.participant.name,
                "department": "" if hide_names else answer.participant.department,
                "value": answer.answer_value,
                "change": answer.answer_change,
                "choices": answer.choices,
                "updated_at": answer.updated_at,
            }
            for answer in answers
        ]
    return summary


class ReminderLogQuerySet(models.QuerySet):
    def claim(self, item, day):
        """Records that `item` was reminded on `day`; returns False when it already was."""
        try:
            with transaction.atomic():
                self.create(item=item, sent_on=day)
        except IntegrityError:
            return False
        return True


class ReminderLog(models.Model):
    """One reminder e-mail about one action item on one day (so cron reruns send nothing)."""

    item = models.ForeignKey("breakouts.Item", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderLogQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "sent_on"], name="one_reminder_per_item_per_day"
            )
        ]

    def __str__(self):
        return f"{self.item_id} @ {self.sent_on}"


# -- action items after the workshop -------------------------------------------------------------


def action_items(workshop):
    """Returns the workshop's action items (plan step) with room and owner, in room order."""
    from breakouts.models import Item, Step

    return (
        Item.objects.filter(room__workshop=workshop, step=Step.PLAN)
        .select_related("room", "owner")
        .order_by("room__number", "due_date", "pk")
    )


def is_overdue(item, today=None):
    """True when the item has a due date before today and is not done."""
    from breakouts.models import Item

    today = today or timezone.localdate()
    return bool(item.due_date and item.due_date < today and item.status != Item.Status.DONE)


@transaction.atomic
def set_action_status(item, *, status, note):
    """Stores an owner's progress on an action item and bumps its version (so live edits based
    on the old version get a conflict instead of overwriting it)."""
    from breakouts.models import Item

    Item.objects.filter(pk=item.pk).update(
        status=status, status_note=note.strip(), version=F("version") + 1,
        updated_at=timezone.now(),
    )
    item.refresh_from_db(fields=["status", "status_note", "version", "updated_at"])
    return item


# -- the network ---------------------------------------------------------------------------------


def _email_key(email):
    return (email or "").strip().casefold()


def met_before(workshop):
    """Returns the set of e-mail pairs (frozensets) who shared a room in an earlier workshop
    run by this workshop's owner. People without an e-mail cannot be recognised: never met."""
    from workshops.models import Participant, Workshop

    earlier = (
        Workshop.objects.hosted_by(workshop.owner)
        .exclude(pk=workshop.pk)
        .filter(
            Q(created_at__lt=workshop.created_at)
            | Q(created_at=workshop.created_at, pk__lt=workshop.pk)
        )
    )
    rows = (
        Participant.objects.filter(workshop__in=earlier, room__isnull=False)
        .exclude(email="")
        .values_list("room_id", "email")
    )
    by_room = {}
    for room_id, email in rows:
        by_room.setdefault(room_id, set()).add(_email_key(email))
    pairs = set()
    for emails in by_room.values():
        pairs.update(frozenset(pair) for pair in combinations(sorted(emails), 2))
    return pairs


def connection_counts(workshop, rooms=None):
    """Counts the room-mate pairs of a workshop, and the new cross-department and
    cross-location ones among them.

    A pair is *new* unless both e-mails shared a room in one of the owner's earlier
    workshops. `rooms` may be Room objects with `members` prefetched (saves a query).
    Returns {"pairs", "new_pairs", "cross_department", "cross_location"}.
    """
    from breakouts.models import Room
    from workshops.models import normalise_label

    if rooms is None:
        rooms = Room.objects.filter(workshop=workshop).with_members()
    met = met_before(workshop)
    counts = {"pairs": 0, "new_pairs": 0, "cross_department": 0, "cross_location": 0}
    for room in rooms:
        for a, b in combinations(list(room.members.all()), 2):
            counts["pairs"] += 1
            key_a, key_b = _email_key(a.email), _email_key(b.email)
            if key_a and key_b and frozenset((key_a, key_b)) in met:
                continue
            counts["new_pairs"] += 1
            if normalise_label(a.department) != normalise_label(b.department):
                counts["cross_department"] += 1
            if normalise_label(a.location) != normalise_label(b.location):
                counts["cross_location"] += 1
    return counts
