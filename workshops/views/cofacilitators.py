"""Co-facilitators: the owner adds or removes other facilitator accounts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops.access import get_workshop_for_facilitator
from workshops.forms import CofacilitatorForm


@login_required
@require_POST
def cofacilitator_add(request, code):
    """Adds an account found by username or e-mail; errors show on the form."""
    workshop = get_workshop_for_facilitator(request, code, owner_only=True)
    form = CofacilitatorForm(request.POST, workshop=workshop)
    if not form.is_valid():
        return render(
            request, "workshops/cofacilitators.html", {"workshop": workshop, "form": form},
            status=400,
        )
    user = form.cleaned_data["who"]
    workshop.cofacilitators.add(user)
    messages.success(request, _("%(name)s can now run this workshop.") % {"name": user})
    return redirect(workshop)


@login_required
@require_POST
def cofacilitator_remove(request, code, user_id):
    workshop = get_workshop_for_facilitator(request, code, owner_only=True)
    user = get_object_or_404(workshop.cofacilitators, pk=user_id)
    workshop.remove_cofacilitator(user)
    messages.success(request, _("%(name)s no longer runs this workshop.") % {"name": user})
    return redirect(workshop)
