"""Challenges of a workshop: add, edit, reorder, remove, and copy from the starter set."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops import services
from workshops.access import get_workshop_for_facilitator
from workshops.forms import ChallengeForm
from workshops.models import Workshop
from workshops.starter_challenges import STARTERS, STARTERS_BY_SLUG
from workshops.views.confirm import is_confirmed, render_confirm


def _get_challenge(request, code, pk):
    workshop = get_workshop_for_facilitator(request, code)
    return workshop, get_object_or_404(workshop.challenges, pk=pk)


@login_required
def challenge_list(request, code):
    """Lists the challenges with their controls, a form to add one, and the starter set."""
    workshop = get_workshop_for_facilitator(request, code)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workshop.add_challenge(form.cleaned_data["title"], form.cleaned_data["description"])
        services.announce_challenges(workshop)
        messages.success(request, _("Challenge added."))
        return redirect("workshops:challenges", workshop.join_code)
    challenges = list(workshop.challenges.all())
    used_titles = {c.title.casefold() for c in challenges}
    starters = [(s, str(s.title).casefold() in used_titles) for s in STARTERS]
    return render(
        request,
        "workshops/challenges.html",
        {"workshop": workshop, "challenges": challenges, "form": form, "starters": starters},
    )


@login_required
@require_POST
def challenge_copy_starter(request, code, slug):
    """Copies one built-in starter challenge to the end of the workshop's list."""
    workshop = get_workshop_for_facilitator(request, code)
    starter = STARTERS_BY_SLUG.get(slug)
    if starter is None:
        raise Http404("No such starter challenge")
    workshop.add_challenge(str(starter.title), str(starter.description))
    services.announce_challenges(workshop)
    messages.success(request, _("“%(title)s” added.") % {"title": starter.title})
    return redirect("workshops:challenges", workshop.join_code)


@login_required
def challenge_edit(request, code, pk):
    workshop, challenge = _get_challenge(request, code, pk)
    form = ChallengeForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.announce_challenges(workshop)
        messages.success(request, _("Challenge saved."))
        return redirect("workshops:challenges", workshop.join_code)
    return render(
        request,
        "workshops/challenge_form.html",
        {"workshop": workshop, "challenge": challenge, "form": form},
    )


@login_required
@require_POST
def challenge_move(request, code, pk):
    """Moves a challenge one place up or down (`direction` = up | down)."""
    workshop, challenge = _get_challenge(request, code, pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset and challenge.move(offset):
        services.announce_challenges(workshop)
    return redirect("workshops:challenges", workshop.join_code)


@login_required
@require_POST
def challenge_delete(request, code, pk):
    """Removes a challenge after confirmation; an open workshop keeps at least one."""
    workshop, challenge = _get_challenge(request, code, pk)
    back = redirect("workshops:challenges", workshop.join_code)
    if workshop.phase != Workshop.Phase.DRAFT and workshop.challenges.count() == 1:
        messages.error(request, _("An open workshop needs at least one challenge."))
        return back
    if not is_confirmed(request):
        return render_confirm(
            request,
            title=_("Remove “%(title)s”?") % {"title": challenge.title},
            message=_("Rooms that chose this challenge will need to choose another one."),
            button=_("Remove the challenge"),
            cancel_url=back.url,
            danger=True,
            workshop=workshop,
        )
    challenge.delete()
    services.announce_challenges(workshop)
    messages.success(request, _("Challenge removed."))
    return back
