"""Joining: by typed code, by the join link or QR code, and by a personal link.

Nobody needs an account: the browser session remembers which participant it is, so the same
browser coming back lands on the same participant instead of creating a duplicate. A new
browser giving the name (and e-mail) of someone already in the workshop is asked "Is this
you?" and offered the way back: their personal link by e-mail, when they left an address, or
a facilitator's confirmation; or, explicitly, joining as someone else with the same name.
"""

import hmac
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops import services, throttle
from workshops.access import (
    get_participant_by_token,
    get_workshop_by_code,
    get_workshop_for_facilitator,
    participant_from_session,
    remember_participant,
)
from workshops.forms import JoinCodeForm, ParticipantForm
from workshops.models import Participant, Workshop

# A "please confirm it's me" request waits this long for a facilitator (in the shared cache).
CLAIM_SECONDS = 30 * 60
CLAIMS_SESSION_KEY = "rejoin_claims"

# The blank join form's fields, drawn once per process for each way a workshop can ask (its
# lists, attributes and suggestions): in a join storm every newcomer's join page drew the same
# crispy fields, most of the page's CPU (bench/journey.py --profile "join (GET)").
_blank_fields = {}
BLANK_FIELDS_LIMIT = 1_000


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
    return _join_page(request, workshop, by_link=True)


def _join_page(request, workshop, by_link=False):
    """Shows or handles the join form; explains politely when joining is not open (asking to
    come back the way the person came: the same code, or the same link)."""
    participant = participant_from_session(request.session, workshop)
    if participant is not None:
        return redirect("workshops:lobby", workshop.join_code)
    if not workshop.is_joinable:
        context = {"workshop": workshop, "by_link": by_link}
        return render(request, "workshops/join_unavailable.html", context)
    action = request.POST.get("action", "")
    waiting = _pending_claim(request, workshop, cancel=action == "cancel_claim")
    if waiting is not None:
        return waiting
    sent = request.POST if request.method == "POST" and action != "cancel_claim" else None
    form = ParticipantForm(sent, workshop=workshop)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if action != "someone_else":
            matches = workshop.participants.possibly_same_person(data["name"], data["email"])
            if matches:
                return _is_this_you(request, workshop, form, matches, action)
        participant = services.join_workshop(
            workshop,
            name=data["name"],
            department=data["department"],
            location=data["location"],
            email=data["email"],
            attributes=form.attribute_values(),
        )
        remember_participant(request.session, participant)
        return redirect("workshops:lobby", workshop.join_code)
    context = {"workshop": workshop, "form": form, "fields": _participant_fields(workshop, form)}
    return render(request, "workshops/join_form.html", context)


def _participant_fields(workshop, form):
    """Returns workshops/_participant_fields.html drawn for `form`.

    A blank form shows nobody's data: only the workshop's lists and attributes, and the
    spellings in use as suggestions, so it is kept per those (and the language); a filled-in
    one (with its values and errors) is drawn each time."""
    template = get_template("workshops/_participant_fields.html")
    context = {"workshop": workshop, "form": form}
    if form.is_bound:
        return template.render(context)
    key = (
        get_language(), workshop.departments, workshop.locations,
        tuple((a.key, a.label, a.kind, a.choices, a.required) for a in form.workshop_attributes),
        () if workshop.department_choices else tuple(form.used_departments),
        () if workshop.location_choices else tuple(form.used_locations),
    )
    html = _blank_fields.get(key)
    if html is None:
        if len(_blank_fields) >= BLANK_FIELDS_LIMIT:
            _blank_fields.clear()
        html = _blank_fields[key] = template.render(context)
    return html


def _is_this_you(request, workshop, form, matches, action):
    """Offers the ways back to an existing participant instead of a silent duplicate."""
    chosen = next((p for p in matches if str(p.pk) == request.POST.get("participant")), None)
    if chosen is not None and action == "email_link" and chosen.email:
        refused = throttle.link_emails.spend(request)
        if refused is not None:
            return refused
        participant = Participant.objects.select_related("workshop").get(pk=chosen.pk)
        services.send_personal_link(
            participant, request.build_absolute_uri(participant.get_absolute_url())
        )
        return render(request, "workshops/join_link_sent.html", {"workshop": workshop})
    if chosen is not None and action == "ask_facilitator":
        code = _new_claim(workshop, chosen)
        claims = dict(request.session.get(CLAIMS_SESSION_KEY, {}))
        claims[str(workshop.pk)] = code
        request.session[CLAIMS_SESSION_KEY] = claims
        return _waiting_page(request, workshop, chosen, code)
    return render(
        request, "workshops/join_is_this_you.html",
        {"workshop": workshop, "form": form, "matches": matches},
    )


def _claim_key(workshop, code):
    return f"rejoin-claim:{workshop.pk}:{code}"


def _new_claim(workshop, participant):
    """Stores a request to continue as `participant`; returns its six-digit code."""
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        claim = {"participant": participant.pk, "confirmed": False}
        if cache.add(_claim_key(workshop, code), claim, CLAIM_SECONDS):
            return code


def _pending_claim(request, workshop, *, cancel=False):
    """Handles this browser's request for a facilitator's confirmation, if it has one.

    Returns a redirect to the lobby once a facilitator confirmed, the waiting page while they
    have not, or None (no request, expired, or cancelled) to show the join form.
    """
    claims = dict(request.session.get(CLAIMS_SESSION_KEY, {}))
    code = claims.get(str(workshop.pk))
    if code is None:
        return None
    claim = cache.get(_claim_key(workshop, code))
    participant = None
    if claim is not None:
        participant = workshop.participants.filter(pk=claim["participant"]).first()
    if cancel or participant is None or claim["confirmed"]:
        claims.pop(str(workshop.pk))
        request.session[CLAIMS_SESSION_KEY] = claims
        cache.delete(_claim_key(workshop, code))
        if participant is None or cancel:
            return None
        services.arrive(participant)  # an invited person confirmed by a facilitator is here
        remember_participant(request.session, participant)
        return redirect("workshops:lobby", workshop.join_code)
    return _waiting_page(request, workshop, participant, code)


def _waiting_page(request, workshop, participant, code):
    return render(
        request, "workshops/join_waiting.html",
        {"workshop": workshop, "participant": participant, "code": code},
    )


@login_required
@require_POST
def rejoin_confirm(request, code):
    """A facilitator confirms a returning participant by the code on their screen.

    The first POST (the code) shows whom the code names; the second (with `confirm`) lets that
    browser continue as them.
    """
    workshop = get_workshop_for_facilitator(request, code)
    claim_code = "".join(ch for ch in request.POST.get("claim", "") if ch.isdigit())
    claim = cache.get(_claim_key(workshop, claim_code)) if len(claim_code) == 6 else None
    participant = None
    if claim is not None:
        participant = workshop.participants.filter(pk=claim["participant"]).first()
    if participant is None:
        messages.error(request, _("No one is waiting with this code; ask them to check it."))
        return redirect(workshop)
    if not request.POST.get("confirm"):
        return render(
            request, "workshops/rejoin_confirm.html",
            {"workshop": workshop, "participant": participant, "claim": claim_code},
        )
    cache.set(_claim_key(workshop, claim_code), {**claim, "confirmed": True}, CLAIM_SECONDS)
    messages.success(
        request,
        _("%(name)s can now continue on their new device.") % {"name": participant.name},
    )
    return redirect(workshop)


def personal_link(request, token):
    """Signs this browser in as the link's participant and sends them on (profile, lobby)."""
    participant = get_participant_by_token(token)
    remember_participant(request.session, participant)
    services.arrive(participant)  # the first visit of an imported participant announces them
    workshop = participant.workshop
    if participant.needs_profile and workshop.participants_can_edit_profile:
        return redirect("workshops:me", workshop.join_code)
    return redirect("workshops:lobby", workshop.join_code)
