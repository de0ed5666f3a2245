"""Branded error pages (403, 404, 500), each with a way back.

A participant who opens another group's room (403) is pointed to their own room, or to their
lobby before breakouts. Pages of the apps above are reversed by URL name (no import).
"""

import re

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from workshops.access import get_workshop_by_code, participant_from_session

WORKSHOP_PATH = re.compile(r"^/w/(?P<code>[^/]+)/")


def way_back(request):
    """Returns (label, url) of the most useful page for whoever got the error."""
    match = WORKSHOP_PATH.match(request.path)
    session = getattr(request, "session", None)
    if match and session is not None:
        try:
            workshop = get_workshop_by_code(match["code"])
        except Http404:
            workshop = None
        participant = participant_from_session(session, workshop) if workshop else None
        if participant is not None:
            if participant.room_id is not None:
                try:
                    url = reverse("breakouts:room", args=[workshop.join_code,
                                                          participant.room.number])
                    return _("Go to your room"), url
                except NoReverseMatch:
                    pass
            return _("Go to your workshop"), reverse("workshops:lobby", args=[workshop.join_code])
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return _("Go to my workshops"), reverse("workshops:list")
    return _("Go to the home page"), reverse("home")


def _error(request, status, title, message):
    label, url = way_back(request)
    return render(
        request, "error.html",
        {"status": status, "title": title, "message": message, "back_label": label,
         "back_url": url},
        status=status,
    )


def forbidden(request, exception=None):
    if WORKSHOP_PATH.match(request.path) and "/rooms/" in request.path:
        message = _("This is another group's room.")
    else:
        message = _("This page belongs to someone else.")
    return _error(request, 403, _("Not your page"), message)


def not_found(request, exception=None):
    return _error(
        request, 404, _("Page not found"),
        _("There is no page at this address. Check the link or the join code."),
    )


def server_error(request):
    # Rendered without the request's context processors' risks: the template needs nothing.
    return render(
        request, "error.html",
        {"status": 500, "title": _("Something went wrong"),
         "message": _("The server could not finish this request. Please try again."),
         "back_label": _("Go to the home page"), "back_url": "/"},
        status=500,
    )
