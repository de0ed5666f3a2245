"""Phase changes: each confirmed, each broadcast by the model (buttons: workshops/phases.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workshops.access import get_workshop_for_facilitator
from workshops.models import PhaseError, Workshop
from workshops.phases import landing_url, wording
from workshops.views.confirm import is_confirmed, render_confirm

Phase = Workshop.Phase


@login_required
@require_POST
def change_phase(request, code):
    """Moves the workshop to the posted phase after a confirmation; errors become messages."""
    workshop = get_workshop_for_facilitator(request, code)
    target = request.POST.get("phase", "")
    if target not in Phase.values or not workshop.can_move_to(target):
        messages.error(request, _("That phase change is not possible now."))
        return redirect(workshop)
    if not is_confirmed(request):
        label, confirm = wording(workshop, Phase(target))
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
        return redirect(landing_url(workshop))  # the page of the new phase
    return redirect(workshop)
