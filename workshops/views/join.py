"""Joining: by typed code, by the join link or QR code, and by a personal link.

Nobody needs an account: the browser session remembers which participant it is, so the same
browser coming back lands on the same participant instead of creating a duplicate.
"""

import hmac

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from config import throttle
from workshops import services
from workshops.access import (
    get_participant_by_token,
    get_workshop_by_code,
    participant_from_session,
    remember_participant,
)
from workshops.forms import JoinCodeForm, ParticipantForm
from workshops.models import Participant, Workshop


def join(request):
    """The code box. A code sent with ?code= (the home page's box) goes straight to its form."""
    form = JoinCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("workshops:join_code", form.cleaned_data["code"])
    return render(request, "workshops/join.html", {"form": form})


def join_code(request, code):
    """The join form of the workshop with this code; a friendly 404 page for unknown codes.

    Unknown codes are throttled per client address; known codes never count, so a whole office
    joining from one address is never slowed. Once a client's budget is spent, every code gets
    the 429 page, so the answers stop telling right from wrong.
    """
    refused = throttle.join_guesses.blocked(request)
    if refused is not None:
        return refused
    try:
        workshop = get_workshop_by_code(code)
    except Http404:
        refused = throttle.join_guesses.spend(request)
        if refused is not None:
            return refused
        return render(request, "workshops/join_unknown.html", {"code": code.upper()}, status=404)
    return _join_page(request, workshop)


def join_link(request, token):
    """The join link and QR target: the long random token picks the workshop."""
    workshop = get_object_or_404(Workshop, join_token=token)
    if not hmac.compare_digest(workshop.join_token, token):
        raise Http404("Unknown join link")
    return _join_page(request, workshop)


def _join_page(request, workshop):
    """Shows or handles the join form; explains politely when joining is not open."""
    participant = participant_from_session(request.session, workshop)
    if participant is not None:
        return redirect("workshops:lobby", workshop.join_code)
    if not workshop.is_joinable:
        return render(request, "workshops/join_unavailable.html", {"workshop": workshop})
    form = ParticipantForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        participant = services.join_workshop(
            workshop,
            name=form.cleaned_data["name"],
            department=form.cleaned_data["department"],
            location=form.cleaned_data["location"],
            email=form.cleaned_data["email"],
        )
        remember_participant(request.session, participant)
        return redirect("workshops:lobby", workshop.join_code)
    return render(request, "workshops/join_form.html", {"workshop": workshop, "form": form})


def personal_link(request, token):
    """Signs this browser in as the link's participant and sends them on (profile, lobby)."""
    participant = get_participant_by_token(token)
    remember_participant(request.session, participant)
    Participant.objects.filter(pk=participant.pk).update(last_seen_at=timezone.now())
    workshop = participant.workshop
    if participant.needs_profile and workshop.participants_can_edit_profile:
        return redirect("workshops:me", workshop.join_code)
    return redirect("workshops:lobby", workshop.join_code)
