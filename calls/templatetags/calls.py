"""What the pages of the apps below show of a call: `{% load calls %}` in the room, plenary,
control-room, lobby and plan templates (template tags, so breakouts and workshops never import
this app).

A tag that draws a Jitsi call also opens the page's Content-Security-Policy to the configured
Jitsi origin (frame-src and script-src, config/csp.py): the code that embeds the call is the
code that allows it, so no other page ever names a third-party origin.
"""

from django import template
from django.utils.translation import gettext as _

from calls import rosters
from calls.models import CallSettings, meeting_room_name

register = template.Library()


def _allow_jitsi(request, origin):
    sources = getattr(request, "csp_sources", {})
    for directive in ("script-src", "frame-src"):
        if origin not in sources.setdefault(directive, []):
            sources[directive].append(origin)
    request.csp_sources = sources


def _display_name(context, participant):
    if participant is not None:
        return participant.name
    user = context["request"].user
    name = user.get_full_name() or user.get_username()
    return _("%(name)s (facilitator)") % {"name": name}


def _jitsi(context, settings, token, participant, title):
    call = settings.jitsi(token, _display_name(context, participant))
    _allow_jitsi(context["request"], call["origin"])
    # Members join as the page opens; a facilitator looking in joins only on purpose.
    return {**call, "title": title, "autostart": participant is not None}


def _settings_for(context, workshop):
    """CallSettings.of the workshop, read once per request: the room page draws its call twice
    (header and panel), and a breakout start draws a thousand room pages at once."""
    request = context.get("request")
    memo = getattr(request, "_call_settings", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._call_settings = memo
    if workshop.pk not in memo:
        memo[workshop.pk] = CallSettings.of(workshop)
    return memo[workshop.pk]


@register.inclusion_tag("calls/_room_call.html", takes_context=True)
def room_call(context, room, participant, place):
    """Room `room`'s call for its member `participant` (None: a facilitator). `place` "header"
    draws the link or the way to the call at the top of the page, "panel" the Jitsi call."""
    settings = _settings_for(context, room.workshop)
    name = meeting_room_name(room.number)
    result = {"mode": settings.mode, "meeting_room": name, "participant": participant,
              "place": place,
              "missing_jitsi": settings.mode == CallSettings.Mode.JITSI
              and not settings.jitsi_ready}
    if settings.jitsi_ready:
        result["jitsi"] = _jitsi(context, settings, settings.room_token(room.number),
                                 participant, _("%(room)s's call") % {"room": name})
    elif settings.mode == CallSettings.Mode.LINKS:
        result["link"] = settings.link_for(room.number)
    elif settings.mode == CallSettings.Mode.MEETING:
        result["link"] = settings.meeting_link
    return result


@register.inclusion_tag("calls/_plenary_call.html", takes_context=True)
def plenary_call(context, workshop, participant):
    """The call for everyone together, on the plenary page."""
    settings = CallSettings.of(workshop)
    result = {"mode": settings.mode, "link": "", "participant": participant}
    if settings.jitsi_ready:
        result["jitsi"] = _jitsi(context, settings, settings.plenary_token, participant,
                                 _("The plenary call"))
    elif settings.mode in (CallSettings.Mode.LINKS, CallSettings.Mode.MEETING):
        result["link"] = settings.meeting_link
    return result


@register.inclusion_tag("calls/_control_calls.html", takes_context=True)
def control_calls(context, workshop, cards):
    """The control room's list of the rooms' calls (one per room card): drop into any."""
    settings = CallSettings.of(workshop)
    rooms = [{"number": c["number"], "name": meeting_room_name(c["number"])} for c in cards]
    result = {"mode": settings.mode, "rooms": rooms, "workshop": workshop,
              "meeting_link": settings.meeting_link}
    if settings.jitsi_ready:
        result["jitsi"] = _jitsi(context, settings, settings.plenary_token, None,
                                 _("The plenary call"))
        for room in rooms:
            token = settings.room_token(room["number"])
            call = settings.jitsi(token, result["jitsi"]["name"])
            room.update(call_room=call["room"], tab_url=call["tab_url"])
    elif settings.mode == CallSettings.Mode.LINKS:
        for room in rooms:
            room["link"] = settings.link_for(room["number"])
    return result


@register.inclusion_tag("calls/_lobby_call.html")
def lobby_call(workshop, participant):
    """The lobby's word on calls: the meeting to be in, and the participant's room in it."""
    settings = CallSettings.of(workshop)
    room = participant.room if participant.room_id else None
    return {"mode": settings.mode, "link": settings.meeting_link,
            "meeting_room": meeting_room_name(room.number) if room else ""}


@register.inclusion_tag("calls/_meeting_exports.html")
def meeting_exports(workshop, participants=None):
    """The plan page's downloads for Zoom and Teams, with who cannot be pre-assigned
    (`participants`: the workshop's people, if the page has them)."""
    return {"workshop": workshop, "plan": rosters.meeting_plan(workshop, participants)}
