"""Phase buttons: only the transitions allowed now, each confirmed, each broadcast by the model."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workshops.access import _get_workshop_for_facilitator
from workshops.models import PhaseError, Workshop
from workshops.views.confirm import is_confirmed, render_confirm

Phase = Workshop.Phase

# (button label, what the confirmation says) per target phase; reopening is worded apart.
ACTIONS = {
    Phase.LOBBY: (
        _("Open the lobby"),
        _("Participants can join with the code, the link or the QR code from now on."),
    ),
    Phase.BREAKOUTS: (
        _("Start breakouts"),
        _("Everyone moves to their breakout room; late joiners are placed as they arrive."),
    ),
    Phase.PLENARY: (
        _("Go to plenary"),
        _("Rooms stop working and everyone comes back together for the report-outs."),
    ),
    Phase.DEBRIEF: (
        _("Start the debrief"),
        _("Participants answer the two debrief questions."),
    ),
    Phase.CLOSED: (
        _("Close the workshop"),
        _("Nobody can join or change anything afterwards. This cannot be undone."),
    ),
}
REOPEN = (_("Reopen breakouts"), _("Rooms continue where they stopped."))
BACK_TO_PLENARY = (_("Back to plenary"), _("The debrief pauses and everyone returns to plenary."))


def _wording(workshop, target):
    if target == Phase.BREAKOUTS and workshop.phase == Phase.PLENARY:
        return REOPEN
    if target == Phase.PLENARY and workshop.phase == Phase.DEBRIEF:
        return BACK_TO_PLENARY
    return ACTIONS[target]


def plan_url(workshop):
    """Returns the room planner's URL when that page exists (it fills the rooms), else None."""
    try:
        return reverse("breakouts:plan", args=[workshop.join_code])
    except NoReverseMatch:
        return None


def phase_actions(workshop):
    """Returns the buttons to show now: dicts with phase, label, confirm text and plan_url.

    Starting breakouts from the lobby goes through the room planner when it is installed.
    """
    actions = []
    for target in workshop.allowed_transitions():
        label, confirm = _wording(workshop, target)
        planner = None
        if target == Phase.BREAKOUTS and workshop.phase == Phase.LOBBY:
            planner = plan_url(workshop)
        actions.append(
            {"phase": target.value, "label": label, "confirm": confirm, "plan_url": planner,
             "danger": target == Phase.CLOSED}
        )
    return actions


@login_required
@require_POST
def change_phase(request, code):
    """Moves the workshop to the posted phase after a confirmation; errors become messages."""
    workshop = _get_workshop_for_facilitator(request, code)
    target = request.POST.get("phase", "")
    if target not in Phase.values or not workshop.can_move_to(target):
        messages.error(request, _("That phase change is not possible now."))
        return redirect(workshop)
    if not is_confirmed(request):
        label, confirm = _wording(workshop, Phase(target))
        return render_confirm(
            request, title=label, message=confirm, button=label,
            cancel_url=workshop.get_absolute_url(), fields={"phase": target},
            danger=target == Phase.CLOSED, workshop=workshop,
        )
    try:
        workshop.move_to(target)
    except PhaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The workshop is now in phase “%(phase)s”.")
            % {"phase": workshop.get_phase_display()}
        )
    return redirect(workshop)
