"""The debrief's results: counts per common answer, word frequencies and the answers."""

from django.db import transaction
from django.utils.translation import get_language

from followup.models import DebriefAnswer, debrief_counts
from followup.wordfreq import word_frequencies


@transaction.atomic
def set_debrief_choices(workshop, text):
    """Replaces the workshop's common answers and sends `debrief.changed` with the new counts."""
    workshop.debrief_choices = text
    workshop.save(update_fields=["debrief_choices", "updated_at"])
    workshop.announce("debrief.changed", debrief_counts(workshop))


def debrief_summary(workshop, *, include_answers=True, hide_names=False, word_limit=25,
                    answer_limit=None):
    """Returns the debrief results: counts per common answer, word frequencies, and answers.

    With include_answers False (a participant's view) the individual answers are left out;
    with hide_names the answers carry no name or department; with answer_limit only the
    latest that many answers are listed (`answers_total` counts them all; the counts and words
    always cover every answer).
    """
    language = get_language() or "en"
    # Rows, not instances: a 1,000-person workshop's answers in a few milliseconds.
    answers = list(
        DebriefAnswer.objects.filter(workshop=workshop)
        .order_by("created_at", "pk")
        .values_list(
            "participant__name", "participant__department", "answer_value", "answer_change",
            "choices", "updated_at", named=True,
        )
    )
    summary = debrief_counts(workshop, [answer.choices for answer in answers])
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
        listed = answers
        if answer_limit:
            summary["answers_total"] = len(answers)
            listed = answers[-answer_limit:]
        summary["answers"] = [
            {
                "name": "" if hide_names else answer.participant__name,
                "department": "" if hide_names else answer.participant__department,
                "value": answer.answer_value,
                "change": answer.answer_change,
                "choices": answer.choices,
                "updated_at": answer.updated_at,
            }
            for answer in listed
        ]
    return summary
