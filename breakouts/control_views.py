"""The control room and the plenary: server-rendered pages kept live by static/js/control.js,
static/js/plenary.js and the control socket (ops in breakouts/control_ops.py, the rules in the
Workshop and Room models)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from breakouts import control_markup, control_ops
from breakouts.control_state import (
    help_names,
    open_help_requests,
    recent_broadcasts,
    room_tiles,
    rooms_per_step,
)
from breakouts.models import STEP_ORDER, Room, Step
from breakouts.ops import HELP_MAX_CHARS
from breakouts.reportout import rooms_data, rooms_queryset
from live.events import timer
from workshops.access import get_workshop_by_code, participant_from_session
from workshops.phases import phase_actions

# "3 rooms defining the problem": one phrase per step, singular and plural.
STEP_PHRASES = {
    Step.DEFINE: ("%(n)s room defining the problem", "%(n)s rooms defining the problem"),
    Step.ROOT_CAUSES: ("%(n)s room on root causes", "%(n)s rooms on root causes"),
    Step.ALTERNATIVES: ("%(n)s room on alternatives", "%(n)s rooms on alternatives"),
    Step.SELECTION: ("%(n)s room selecting a solution", "%(n)s rooms selecting a solution"),
    Step.PLAN: ("%(n)s room planning", "%(n)s rooms planning"),
}


def _facilitators_only(request, code):
    """Returns the workshop for its facilitators. A participant of the workshop and an outsider
    facilitator get 404; an anonymous stranger is asked to log in."""
    workshop = get_workshop_by_code(code)
    if workshop.is_facilitator(request.user):
        return workshop
    if request.user.is_authenticated or participant_from_session(request.session, workshop):
        raise Http404("No workshop with this code")
    return None


def _url(name, workshop):
    return reverse(name, args=[workshop.join_code])


def step_phrases():
    """Returns {step: [singular, plural]} with %(n)s placeholders, translated."""
    return {
        step: [ngettext(one, many, 1), ngettext(one, many, 2)]
        for step, (one, many) in STEP_PHRASES.items()
    }


# Once breakouts end the rooms keep their last step and timer; the summary says the phase.
PHASE_SUMMARIES = {
    "plenary": _lazy("Plenary: the rooms have stopped; their work is in the report-outs."),
    "debrief": _lazy("Debrief: the rooms have stopped; participants answer the debrief "
                     "questions."),
    "closed": _lazy("The workshop is closed; the rooms have stopped."),
}


def phase_summary(workshop):
    """Returns what the control room's summary says instead of the rooms' steps once the
    rooms have stopped (plenary, debrief, closed), or None during breakouts."""
    text = PHASE_SUMMARIES.get(workshop.phase)
    return str(text) if text else None


def rooms_per_step_text(cards):
    return [
        ngettext(*STEP_PHRASES[step], count) % {"n": count}
        for step, count in rooms_per_step(cards)
    ]


# The tile's "10 members · 7 online" (the count of online members comes from the socket).
MEMBERS_ONLINE = ("%(n)s member · %(online)s online", "%(n)s members · %(online)s online")


def control_labels():
    """Texts of static/js/control.js, translated here."""
    return {
        "online": _("online"),
        "offline": _("offline"),
        "scribe": _("scribe"),
        "no_challenge": _("No challenge chosen yet"),
        "no_note": _("Nothing written yet."),
        "time_left": _("%(time)s left"),
        "time_up": _("Time is up"),
        "no_deadline": _("no deadline"),
        "just_now": _("just now"),
        "minutes_ago": _("%(n)s min ago"),
        "stopped": _("stopped"),
        "hours_ago": _("%(n)s h ago"),
        "idle": _("idle"),
        "help": _("Help requested"),
        "acknowledge": _("Acknowledge"),
        "acknowledge_room": _("Acknowledge help for %(room)s"),
        "acknowledged": _("On the way"),
        "help_from": _("%(room)s, %(name)s: %(message)s"),
        "no_message": _("(no message)"),
        "all_rooms": _("All rooms"),
        "room": _("Room %(n)s"),
        "closing_in": _("Rooms close in %(time)s"),
        "closing_now": _("Rooms are closing…"),
        "error": _("Not done: %(message)s"),
        "sent": _("Sent."),
        "items": _("%(n)s items"),
        "nobody": _("nobody"),
        "nothing_per_step": _("No rooms yet."),
        "timer_all": _("Timer for all rooms: %(label)s"),
        "timer_room": _("Own timer: %(label)s"),
        "presenting": _("Presenting %(room)s"),
        "step_of": _("Step %(n)s of %(total)s: %(label)s"),
        "count_root_causes": _("Causes"),
        "count_alternatives": _("Alternatives"),
        "count_plan": _("Actions"),
        "scribe_of": _("Scribe of %(room)s"),
        "of_room": _("of %(room)s"),
        "members_online": [ngettext(*MEMBERS_ONLINE, 1), ngettext(*MEMBERS_ONLINE, 2)],
    }


def _drawn_cards(cards, names):
    """Returns the tiles with what breakouts/control_markup.py shows before any
    script runs (static/js/control/cards.js draws the same from the live data); `names` are
    the names of the people asking for help."""
    labels = control_labels()
    step_labels = {step.value: str(step.label) for step in Step}

    def help_row(request, with_room):
        room = labels["room"] % {"n": request["room"]}
        name = names.get(request["participant"], labels["nobody"])
        message = request["message"] or labels["no_message"]
        text = (labels["help_from"] % {"room": room, "name": name, "message": message}
                if with_room else f"{name}: {message}")
        return {**request, "room_name": room, "text": text,
                "ack_label": labels["acknowledge_room"] % {"room": room}}

    # The step bar's <li>s for each step index (five variants, not a template loop per tile).
    bars = [
        mark_safe("".join(  # noqa: S308 - fixed markup
            "<li" + (' class="done"' if i < index else ' class="current"' if i == index else "")
            + "></li>" for i in range(len(STEP_ORDER))
        ))
        for index in range(len(STEP_ORDER))
    ]
    # Translated once here, not once per tile by the template.
    texts = {"members": _("Members of %(room)s"), "help": _("Help requests of %(room)s"),
             "open": _("Open %(room)s")}
    drawn = []
    for card in cards:
        note = card["notes"].get(card["step"]) or {}
        text = note.get("text", "")
        drawn.append({
            **card,
            "step_label": step_labels[card["step"]],
            "note": text + ("…" if note.get("length", 0) > len(text) else ""),
            "counts_text": " · ".join(
                f"{labels['count_' + step]}: {card['counts'].get(step, 0)}"
                for step in ("root_causes", "alternatives", "plan")
            ),
            "help_rows": [help_row(request, False) for request in card["help"]],
            "step_bar": bars[card["step_index"]],
            "step_text": labels["step_of"] % {"n": card["step_index"] + 1,
                                              "total": len(STEP_ORDER),
                                              "label": step_labels[card["step"]]},
            **{f"{key}_label": text % {"room": card["name"]} for key, text in texts.items()},
            "members_text": ngettext(*MEMBERS_ONLINE, card["member_count"]) % {
                "n": card["member_count"], "online": 0},
        })
    help_rows = sorted(
        (help_row(request, True) for card in cards for request in card["help"]),
        key=lambda request: (request["created_at"] or "", request["id"]),
    )
    return drawn, help_rows


def control_room(request, code):
    """The control room: every room as a live tile, broadcasts, timers, help, closing.

    The page draws the tiles; the control socket's `state` frame then brings the members,
    presence and every step's preview (static/js/control.js), so the page stays small.
    """
    workshop = _facilitators_only(request, code)
    if workshop is None:
        return redirect_to_login(request.get_full_path())
    workshop.finish_closing_if_due()
    help_requests = open_help_requests(workshop)
    cards = room_tiles(workshop, help_requests)
    total = workshop.participants.arrived().count()  # as the state frame counts
    actions = [
        action for action in phase_actions(workshop)
        # Breakouts end through the countdown below (or its "skip"), not a bare phase button.
        if not (workshop.phase == workshop.Phase.BREAKOUTS and action["phase"] == "plenary")
    ]
    page = {
        "code": workshop.join_code,
        "phase": workshop.phase,
        "labels": control_labels(),
        "step_phrases": step_phrases(),
        "steps": [{"step": step.value, "label": str(step.label)} for step in Step],
        "closing_seconds": control_ops.CLOSING_SECONDS,
        "idle_minutes": 5,
        "plenary_url": reverse("breakouts:plenary", args=[workshop.join_code]),
        "closing_at": workshop.closing_at.isoformat() if workshop.closing_at else None,
        "timer": timer(workshop.timer_ends_at, workshop.timer_label),
        "participant_count": total,
        "phase_summary": phase_summary(workshop),
    }
    drawn, help_rows = _drawn_cards(cards, help_names(help_requests))
    labels = control_labels()
    context = {
        "workshop": workshop,
        "cards": drawn,
        "tiles": control_markup.room_tiles(drawn),
        "help_rows": help_rows,
        "help_list": control_markup.help_rows(help_rows),
        "help_template": control_markup.help_rows([None]),
        "steps": list(Step),
        "step_count": len(STEP_ORDER),
        "rooms_per_step": [page["phase_summary"]] if page["phase_summary"]
        else rooms_per_step_text(cards),
        "participant_total": total,
        "help_requests": help_requests,
        "broadcasts": [
            {**b, "target": labels["room"] % {"n": b["room"]} if b["room"] else labels["all_rooms"]}
            for b in recent_broadcasts(workshop)
        ],
        "blank_row": [None],  # the <template> of a broadcast
        "phase_actions": actions,
        "closing": workshop.closing_at,
        "links": {
            "dashboard": workshop.get_absolute_url(),
            "plan": _url("breakouts:plan", workshop),
            "plenary": page["plenary_url"],
            "debrief_results": _url("report:debrief_results", workshop),
            "report": _url("report:report", workshop),
            "tracker": _url("report:tracker", workshop),
        },
        "limits": {"broadcast": control_ops.BROADCAST_MAX_CHARS,
                   "label": control_ops.TIMER_LABEL_MAX_CHARS, "help": HELP_MAX_CHARS},
        "page_data": page,
        "ws_path": f"/ws/w/{workshop.join_code}/control/",  # breakouts/routing.py
    }
    return render(request, "breakouts/control.html", context)


def _plenary_rooms(workshop, numbers=None, current=None):
    """Returns the current round's report-outs (breakouts/reportout.py), `current` marked.
    Earlier rounds' rooms are in the report."""
    rooms = rooms_queryset(workshop).filter(round=workshop.current_round)
    if numbers is not None:
        rooms = rooms.filter(number__in=numbers)
    return [{**room, "current": room["number"] == current} for room in rooms_data(rooms)]


def plenary(request, code):
    """Present mode: one room's results at a time on the shared screen.

    Facilitators present (every room is a tab, ← → moves between them; the page holds the
    presented room and fetches the others as they come); participants see the room being
    presented and follow the presenter. Participants outside the plenary
    phase are sent back to the lobby (which takes them to their room during breakouts).
    """
    workshop = get_workshop_by_code(code)
    workshop.finish_closing_if_due()
    presenter = workshop.is_facilitator(request.user)
    participant = None
    if not presenter:
        participant = participant_from_session(request.session, workshop)
        if participant is None:
            raise Http404("Not a participant of this workshop")
        if workshop.phase != workshop.Phase.PLENARY:
            return redirect("workshops:lobby", workshop.join_code)
    presenting = workshop.presenting_room.number if workshop.presenting_room_id else None
    if presenter:
        # Every room is a tab; only the presented one (or the first) is on the page, the others
        # are fetched as the presenter moves (plenary_room), so 100 rooms cost what 1 does.
        name = Room.name_format()  # translated once, not a Room instance per tab
        tabs = [{"number": number, "name": name % {"number": number}}
                for number in Room.objects.current(workshop).order_by("number")
                .values_list("number", flat=True)]
        first = presenting or (tabs[0]["number"] if tabs else None)
        rooms = _plenary_rooms(workshop, [first], presenting) if first else []
    else:
        tabs = []
        rooms = _plenary_rooms(workshop, [presenting], presenting) if presenting else []
    context = {
        "workshop": workshop,
        "presenter": presenter,
        "participant": participant,
        "rooms": tabs,
        "stage_rooms": rooms,
        "presenting": presenting,
        "control_url": reverse("breakouts:control", args=[workshop.join_code]),
        "page_data": {
            "code": workshop.join_code,
            "phase": workshop.phase,
            "presenter": presenter,
            "presenting": presenting,
            "rooms": [tab["number"] for tab in tabs],
            "room_url": reverse("breakouts:plenary_room", args=[workshop.join_code, 0]),
            "control_url": reverse("breakouts:control", args=[workshop.join_code]),
            "lobby_url": reverse("workshops:lobby", args=[workshop.join_code]),
        },
        "ws_path": (
            f"/ws/w/{workshop.join_code}/control/" if presenter
            else f"/ws/w/{workshop.join_code}/"
        ),
    }
    return render(request, "breakouts/plenary.html", context)


def plenary_room(request, code, number):
    """One room's report-out as an HTML fragment, for a participant's page following the
    presenter. Participants get only the room being presented (or their own): 403 for others.
    """
    workshop = get_workshop_by_code(code)
    if not workshop.is_facilitator(request.user):
        participant = participant_from_session(request.session, workshop)
        if participant is None:
            raise Http404("Not a participant of this workshop")
        presenting = workshop.presenting_room.number if workshop.presenting_room_id else None
        own = participant.room.number if participant.room_id else None
        if number not in (presenting, own):
            raise PermissionDenied("This room is not being presented")
    rooms = _plenary_rooms(workshop, [number], number)
    if not rooms:
        raise Http404("No such room")
    return render(request, "breakouts/_plenary_room.html", {"room": rooms[0]})
