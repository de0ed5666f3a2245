"""The network people leave with: room-mates, the contact each chose to share, and vCards."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from followup.network import connection_counts, people_met, rounds_met
from followup.report import content_lines, escape_text
from workshops.access import get_participant_for_workshop, get_workshop_by_code
from workshops.models import Participant, Workshop

AFTER_BREAKOUTS = (Workshop.Phase.PLENARY, Workshop.Phase.DEBRIEF, Workshop.Phase.CLOSED)


class SharingForm(forms.ModelForm):
    """What a participant shows their room-mates: nothing, their e-mail, or a chat handle."""

    class Meta:
        model = Participant
        fields = ["share", "email", "chat_handle"]
        widgets = {"share": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean()
        share = cleaned.get("share")
        if share == Participant.Sharing.EMAIL and not cleaned.get("email"):
            self.add_error("email", _("Give the e-mail you want to share."))
        if share == Participant.Sharing.HANDLE and not cleaned.get("chat_handle", "").strip():
            self.add_error("chat_handle", _("Give the chat handle you want to share."))
        return cleaned


def _network_participant(request, code):
    """Returns (workshop, participant, visible): visible once the participant has had a room."""
    workshop = get_workshop_by_code(code)
    participant = get_participant_for_workshop(request, workshop)
    visible = participant.room_id is not None or workshop.phase in AFTER_BREAKOUTS
    return workshop, participant, visible


def room_mates(participant):
    """Returns everyone the participant sat with, in every round, by name."""
    return people_met(participant)


def _with_rounds(participant, mates):
    """Returns the mates, each with `rounds`: the rounds in which they shared a room."""
    rounds = rounds_met(participant)
    mates = list(mates)
    for mate in mates:
        mate.rounds = rounds.get(mate.pk, [])
    return mates


def network(request, code):
    """A participant's "People you worked with" and their own sharing choice.

    A facilitator sees how many new connections the workshop made instead.
    """
    workshop = get_workshop_by_code(code)
    if workshop.is_facilitator(request.user):
        return render(
            request,
            "report/network_facilitator.html",
            {"workshop": workshop, "connections": connection_counts(workshop)},
        )
    workshop, participant, visible = _network_participant(request, code)
    form = SharingForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your sharing choice is saved."))
        return redirect("report:network", code=workshop.join_code)
    return render(
        request,
        "report/network.html",
        {
            "workshop": workshop,
            "participant": participant,
            "visible": visible,
            "mates": _with_rounds(participant, room_mates(participant)) if visible else [],
            "several_rounds": workshop.rounds > 1,
            "form": form,
        },
    )


def _structured_name(name):
    """Returns vCard N (family;given;;;), taking the last word of the name as the family name."""
    given, _space, family = name.strip().rpartition(" ")
    return f"{escape_text(family)};{escape_text(given)};;;"


def vcard(person, workshop):
    """Returns one vCard 3.0 for a room-mate; contact details only as that person opted in."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "FN:" + escape_text(person.name),
        "N:" + _structured_name(person.name),
        "ORG:" + escape_text(person.department),
        "ADR;TYPE=WORK:;;;" + escape_text(person.location) + ";;;",
    ]
    if person.share == Participant.Sharing.EMAIL and person.email:
        lines.append("EMAIL;TYPE=INTERNET:" + escape_text(person.email))
    note = _("Met at %(workshop)s.") % {"workshop": workshop.title}
    if person.share == Participant.Sharing.HANDLE and person.chat_handle:
        lines.append("X-ROUNDTABLE-CHAT:" + escape_text(person.chat_handle))
        note += " " + _("Chat: %(handle)s") % {"handle": person.chat_handle}
    lines += ["NOTE:" + escape_text(note), "END:VCARD"]
    return content_lines(lines)


def network_vcf(request, code):
    """Downloads the participant's room-mates as a vCard file."""
    workshop, participant, visible = _network_participant(request, code)
    if not visible:
        raise Http404("No room-mates yet")
    body = "".join(vcard(person, workshop) for person in room_mates(participant))
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    name = f"{slugify(workshop.title) or 'workshop'}-room-mates.vcf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
