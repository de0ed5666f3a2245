"""A facilitator's workshops: list, create, edit, the dashboard, duplicate and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops.access import get_workshop_for_facilitator
from workshops.forms import CofacilitatorForm, WorkshopForm
from workshops.models import Workshop
from workshops.phases import next_step, phase_actions, phase_steps, workshop_pages
from workshops.views.confirm import is_confirmed, render_confirm
from workshops.views.roster import roster_context


@login_required
def workshop_list(request):
    """My workshops: upcoming (not closed) and past (closed) ones, newest first."""
    workshops = Workshop.objects.hosted_by(request.user).order_by(
        F("starts_at").desc(nulls_last=True), "-created_at"
    )
    upcoming = [w for w in workshops if w.phase != Workshop.Phase.CLOSED]
    past = [w for w in workshops if w.phase == Workshop.Phase.CLOSED]
    return render(request, "workshops/list.html", {"upcoming": upcoming, "past": past})


@login_required
def workshop_create(request):
    """Creates a draft workshop owned by the signed-in facilitator, then asks for challenges."""
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workshop = form.save(commit=False)
        workshop.owner = request.user
        workshop.save()
        messages.success(request, _("Workshop created. Now add the challenges rooms choose from."))
        return redirect("workshops:challenges", workshop.join_code)
    return render(request, "workshops/form.html", {"form": form, "workshop": None})


@login_required
def workshop_edit(request, code):
    workshop = get_workshop_for_facilitator(request, code)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect(workshop)
    return render(request, "workshops/form.html", {"form": form, "workshop": workshop})


def join_url(request, workshop):
    """Returns the absolute join link (the QR code's target) of the workshop."""
    return request.build_absolute_uri(reverse("workshops:join_link", args=[workshop.join_token]))


@login_required
def workshop_detail(request, code):
    """The facilitator's dashboard: phase buttons, invite panel, challenges and the live roster
    (one page of it: workshops/views/roster.py)."""
    workshop = get_workshop_for_facilitator(request, code)
    is_owner = workshop.is_owner(request.user)
    context = {
        **roster_context(request, workshop),
        "is_owner": is_owner,
        "phase_actions": phase_actions(workshop),
        "next_step": next_step(workshop),
        "phase_steps": phase_steps(workshop),
        "workshop_pages": workshop_pages(workshop),
        "challenges": workshop.challenges.all(),
        "cofacilitators": workshop.cofacilitators.order_by("username"),
        "cofacilitator_form": CofacilitatorForm(workshop=workshop) if is_owner else None,
        "join_url": join_url(request, workshop),
        "ws_path": f"/ws/w/{workshop.join_code}/control/",
    }
    return render(request, "workshops/detail.html", context)


@login_required
@require_POST
def workshop_duplicate(request, code):
    """Copies settings, challenges and questions into a new draft owned by the current user."""
    workshop = get_workshop_for_facilitator(request, code)
    copy = workshop.duplicate(owner=request.user)
    messages.success(request, _("Copied into a new draft with its own join code."))
    return redirect("workshops:edit", copy.join_code)


@login_required
def workshop_delete(request, code):
    """Deletes the workshop and everything in it; only its owner may (co-facilitators get 403)."""
    workshop = get_workshop_for_facilitator(request, code, owner_only=True)
    if not is_confirmed(request):
        return render_confirm(
            request,
            title=_("Delete “%(title)s”?") % {"title": workshop.title},
            message=_(
                "The workshop, its roster, rooms, notes and report are deleted for good. "
                "This cannot be undone."
            ),
            button=_("Delete the workshop"),
            cancel_url=workshop.get_absolute_url(),
            danger=True,
            workshop=workshop,
        )
    title = workshop.title
    workshop.delete()
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return redirect("workshops:list")
