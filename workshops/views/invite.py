"""Invitations: the join link's QR code and a full-screen page to show on a shared screen."""

import io

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from workshops.access import get_workshop_for_facilitator
from workshops.views.facilitator import join_url


@login_required
def qr_svg(request, code):
    """Returns the QR code of the workshop's absolute join link as an SVG image."""
    workshop = get_workshop_for_facilitator(request, code)
    buffer = io.BytesIO()
    segno.make(join_url(request, workshop), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=True, svgns=True,
        title="QR code of the join link",
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def invite_screen(request, code):
    """Code, link and QR code, big, for a projector or a shared screen."""
    workshop = get_workshop_for_facilitator(request, code)
    return render(
        request,
        "workshops/invite_screen.html",
        {"workshop": workshop, "join_url": join_url(request, workshop)},
    )
