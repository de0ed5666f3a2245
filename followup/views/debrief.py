"""The debrief: participants answer the reflection questions; facilitators watch results live."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from followup.debrief import debrief_summary, set_debrief_choices
from followup.models import MAX_ANSWER_LENGTH, DebriefAnswer
from followup.network import connection_counts
from workshops.access import (
    get_participant_for_workshop,
    get_workshop_by_code,
    get_workshop_for_facilitator,
)
from workshops.models import Workshop

MAX_CHOICES = 20
MAX_CHOICE_LENGTH = 100


class DebriefForm(forms.Form):
    """The two questions (labelled with the workshop's own wording) and the common answers."""

    answer_value = forms.CharField(
        required=False, max_length=MAX_ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    answer_change = forms.CharField(
        required=False, max_length=MAX_ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    choices = forms.MultipleChoiceField(
        label=gettext_lazy("Common answers (tick any that fit)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_value"].label = workshop.question_value
        self.fields["answer_change"].label = workshop.question_change
        self.fields["choices"].choices = [(c, c) for c in workshop.debrief_choice_list]

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("answer_value", "").strip()
            or cleaned.get("answer_change", "").strip()
            or cleaned.get("choices")
        ):
            raise forms.ValidationError(_("Write an answer or tick at least one common answer."))
        return cleaned


class ChoicesForm(forms.Form):
    """The facilitator's list of common answers, one per line."""

    debrief_choices = forms.CharField(
        label=gettext_lazy("Common answers (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_debrief_choices(self):
        lines = [line.strip() for line in self.cleaned_data["debrief_choices"].splitlines()]
        lines = list(dict.fromkeys(line for line in lines if line))
        if len(lines) > MAX_CHOICES:
            raise forms.ValidationError(
                _("At most %(max)s common answers.") % {"max": MAX_CHOICES}
            )
        if any(len(line) > MAX_CHOICE_LENGTH for line in lines):
            raise forms.ValidationError(
                _("Keep each answer under %(max)s characters.") % {"max": MAX_CHOICE_LENGTH}
            )
        return "\n".join(lines)


def debrief(request, code):
    """A participant's debrief form: open in the debrief phase, read-only once closed.

    Facilitators are sent to the results. Saving again replaces the earlier answers.
    """
    workshop = get_workshop_by_code(code)
    if workshop.is_facilitator(request.user):
        return redirect("report:debrief_results", code=workshop.join_code)
    participant = get_participant_for_workshop(request, workshop)
    answer = DebriefAnswer.objects.filter(participant=participant).first()
    is_open = workshop.phase == Workshop.Phase.DEBRIEF
    initial = {}
    if answer:
        initial = {
            "answer_value": answer.answer_value,
            "answer_change": answer.answer_change,
            "choices": answer.choices,
        }
    form = DebriefForm(
        request.POST if request.method == "POST" and is_open else None,
        initial=initial,
        workshop=workshop,
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("The debrief is not open, so nothing was saved."))
            return redirect("report:debrief", code=workshop.join_code)
        if form.is_valid():
            DebriefAnswer.record(
                participant,
                answer_value=form.cleaned_data["answer_value"],
                answer_change=form.cleaned_data["answer_change"],
                choices=form.cleaned_data["choices"],
            )
            messages.success(request, _("Thank you, your answers are saved."))
            return redirect("report:debrief", code=workshop.join_code)
    if not is_open:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "report/debrief.html",
        {
            "workshop": workshop,
            "participant": participant,
            "form": form,
            "answer": answer,
            "is_open": is_open,
            "not_yet": workshop.phase not in (Workshop.Phase.DEBRIEF, Workshop.Phase.CLOSED),
        },
    )


# The results page lists the latest answers only (a thousand cards help nobody on a shared
# screen, and the page redraws them live); the report lists every answer.
ANSWERS_SHOWN = 50


def _hide_names(request):
    return request.GET.get("names") == "hide"


def _live_labels():
    """Translated strings the live results script needs (it never builds HTML from them)."""
    return {
        "caption": _("Common answers — %(respondents)s of %(participants)s answered"),
        "no_answers": _("No answers yet."),
        "no_words": _("No words yet."),
        "answers_shown": _("The latest %(shown)s of %(total)s answers; the report lists them all."),
        "status": {
            "live": _("Live"),
            "reconnecting": _("Reconnecting…"),
            "offline": _("Offline — reload to see new answers"),
        },
    }


@login_required
def results(request, code):
    """The facilitator's debrief results: chart, word view, answers; updated live."""
    workshop = get_workshop_for_facilitator(request, code)
    hide = _hide_names(request)
    return render(
        request,
        "report/debrief_results.html",
        {
            "workshop": workshop,
            "summary": debrief_summary(workshop, hide_names=hide, answer_limit=ANSWERS_SHOWN),
            "connections": connection_counts(workshop),
            "hide_names": hide,
            "choices_form": ChoicesForm(initial={"debrief_choices": workshop.debrief_choices}),
            "ws_path": f"/ws/w/{workshop.join_code}/control/",
            "labels": _live_labels(),
        },
    )


@login_required
def results_json(request, code):
    """Returns the debrief results as JSON (what the live results page redraws from)."""
    workshop = get_workshop_for_facilitator(request, code)
    summary = debrief_summary(workshop, hide_names=_hide_names(request),
                              answer_limit=ANSWERS_SHOWN)
    return JsonResponse(summary)


@login_required
@require_POST
def edit_choices(request, code):
    """Replaces the workshop's list of common answers; participants see it on their next load."""
    workshop = get_workshop_for_facilitator(request, code)
    form = ChoicesForm(request.POST)
    if form.is_valid():
        set_debrief_choices(workshop, form.cleaned_data["debrief_choices"])
        messages.success(request, _("The common answers are updated."))
    else:
        for error in form.errors.get("debrief_choices", []):
            messages.error(request, error)
    return redirect("report:debrief_results", code=workshop.join_code)
