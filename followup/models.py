"""What is kept after the workshop: the debrief answers and the log of reminder e-mails.

The tables keep the names they had when these models lived in `workshops`
(`workshops_debriefanswer`, `workshops_reminderlog`), so moving the models to this app moved no
data (followup/migrations/0001_initial.py).
"""

from django.db import IntegrityError, models, transaction

from breakouts.models import Item
from workshops.models import Participant, Workshop

MAX_ANSWER_LENGTH = 2000


class DebriefAnswer(models.Model):
    """One participant's reflection: two free-text answers and the common answers they ticked."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="debrief_answers"
    )
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="debrief_answer"
    )
    answer_value = models.TextField(blank=True)
    answer_change = models.TextField(blank=True)
    # Labels of the workshop's common answers this person ticked (as they read when ticked).
    choices = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "workshops_debriefanswer"
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


def debrief_counts(workshop, ticked=None):
    """Returns {"respondents", "participants", "choices": [{"label", "count"}]} for a workshop
    ("participants": the people who have arrived, not the invited who never came).

    `ticked` is every answer's list of ticked labels when the caller has read them already.
    Choices follow the workshop's current list; labels ticked earlier but since removed from
    the list are counted after it, so no answer silently disappears from the chart.
    """
    if ticked is None:
        ticked = DebriefAnswer.objects.filter(workshop=workshop).values_list("choices", flat=True)
    counts = {label: 0 for label in workshop.debrief_choice_list}
    respondents = 0
    for labels in ticked:
        respondents += 1
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    return {
        "respondents": respondents,
        "max_count": max(counts.values(), default=0),
        "participants": Participant.objects.filter(workshop=workshop).arrived().count(),
        "choices": [{"label": label, "count": count} for label, count in counts.items()],
    }


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

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderLogQuerySet.as_manager()

    class Meta:
        db_table = "workshops_reminderlog"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "sent_on"], name="one_reminder_per_item_per_day"
            )
        ]

    def __str__(self):
        return f"{self.item_id} @ {self.sent_on}"
