"""The phase buttons a facilitator sees: which transitions are allowed now, and their words."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workshops.models import Workshop

Phase = Workshop.Phase

# (button label, what the confirmation says) per target phase; reopening is worded apart.
ACTIONS = {
    Phase.LOBBY: (
        _("Open the lobby"),
        _("Participants can join with the code, the link or the QR code from now on."),
    ),
    Phase.BREAKOUTS: (
        _("Start breakouts"),
        _("Everyone moves to their breakout room; late joiners are placed as they arrive."),
    ),
    Phase.PLENARY: (
        _("Go to plenary"),
        _("Rooms stop working and everyone comes back together for the report-outs."),
    ),
    Phase.DEBRIEF: (
        _("Start the debrief"),
        _("Participants answer the two debrief questions."),
    ),
    Phase.CLOSED: (
        _("Close the workshop"),
        _("Nobody can join or change anything afterwards. This cannot be undone."),
    ),
}
REOPEN = (_("Reopen breakouts"), _("Rooms continue where they stopped."))
BACK_TO_PLENARY = (_("Back to plenary"), _("The debrief pauses and everyone returns to plenary."))


def wording(workshop, target):
    """Returns (button label, confirmation text) of moving the workshop to `target` now."""
    if target == Phase.BREAKOUTS and workshop.phase == Phase.PLENARY:
        return REOPEN
    if target == Phase.PLENARY and workshop.phase == Phase.DEBRIEF:
        return BACK_TO_PLENARY
    label, confirm = ACTIONS[target]
    if target == Phase.DEBRIEF and workshop.current_round < workshop.rounds:
        return label, f"{rounds_left_warning(workshop)} {confirm}"
    return label, confirm


def rounds_left_warning(workshop):
    """Returns "Round 3 of 3 has not run: …" for a debrief started with rounds left."""
    first, total = workshop.current_round + 1, workshop.rounds
    return ngettext(
        "Round %(first)s of %(total)s has not run: starting the debrief skips it.",
        "Rounds %(first)s to %(total)s of %(total)s have not run: starting the debrief "
        "skips them.",
        total - first + 1,
    ) % {"first": first, "total": total}


def phase_actions(workshop):
    """Returns the buttons to show now: dicts with phase, label, confirm text and plan_url.

    Starting breakouts from the lobby goes through the room planner (breakouts' plan page,
    reversed by its URL name: the planner fills the rooms before they start).
    """
    actions = []
    for target in workshop.allowed_transitions():
        label, confirm = wording(workshop, target)
        planner = None
        if target == Phase.BREAKOUTS and workshop.phase == Phase.LOBBY:
            planner = reverse("breakouts:plan", args=[workshop.join_code])
        actions.append(
            {"phase": target.value, "label": label, "confirm": confirm, "plan_url": planner,
             "danger": target == Phase.CLOSED}
        )
    return actions


def landing_url(workshop):
    """Returns the page a facilitator works on in the workshop's phase (after a phase change):
    the lobby's dashboard, the control room, the plenary, the debrief results, the report.
    Pages of the apps above are reversed by URL name (no import)."""
    code = workshop.join_code
    pages = {
        Phase.BREAKOUTS: "breakouts:control",
        Phase.PLENARY: "breakouts:plenary",
        Phase.DEBRIEF: "report:debrief_results",
        Phase.CLOSED: "report:report",
    }
    name = pages.get(Phase(workshop.phase))
    return reverse(name, args=[code]) if name else workshop.get_absolute_url()


# The one next step per phase, as the dashboard's primary button: (label, URL name).
NEXT_STEP = {
    Phase.LOBBY: (_("Plan the rooms"), "breakouts:plan"),
    Phase.BREAKOUTS: (_("Open the control room"), "breakouts:control"),
    Phase.PLENARY: (_("Present the rooms"), "breakouts:plenary"),
    Phase.DEBRIEF: (_("See the debrief results"), "report:debrief_results"),
    Phase.CLOSED: (_("Open the report"), "report:report"),
}

# Every page of a workshop (label, URL name, phases it is useful in; None: always).
AFTER_START = (Phase.BREAKOUTS, Phase.PLENARY, Phase.DEBRIEF, Phase.CLOSED)
PAGES = (
    (_("Settings"), "workshops:edit", None),
    (_("Challenges"), "workshops:challenges", None),
    (_("Invite screen (code and QR)"), "workshops:invite",
     (Phase.DRAFT, Phase.LOBBY, Phase.BREAKOUTS)),
    (_("Import a roster"), "workshops:roster_import", (Phase.DRAFT, Phase.LOBBY)),
    (_("Room plan"), "breakouts:plan", (Phase.LOBBY,)),
    (_("Calls (Jitsi, Zoom, Teams)"), "calls:settings", None),
    (_("Control room"), "breakouts:control", AFTER_START),
    (_("Plenary (present mode)"), "breakouts:plenary", AFTER_START),
    (_("Debrief results"), "report:debrief_results", (Phase.DEBRIEF, Phase.CLOSED)),
    (_("Report"), "report:report", AFTER_START),
    (_("Action tracker"), "report:tracker", AFTER_START),
    (_("Network"), "report:network", AFTER_START),
)


def next_step(workshop):
    """Returns {"label", "url"} of the one thing to do next, or None when it is a phase button
    (opening the lobby). A draft without challenges is sent to add them first; a plenary with
    rounds left plans the next round."""
    phase = Phase(workshop.phase)
    if phase == Phase.PLENARY and workshop.next_round:
        return {"label": _("Plan round %(n)s") % {"n": workshop.next_round},
                "url": reverse("breakouts:plan", args=[workshop.join_code])}
    if phase == Phase.DRAFT:
        if workshop.challenges.exists():
            return None
        return {"label": _("Add challenges"),
                "url": reverse("workshops:challenges", args=[workshop.join_code])}
    label, name = NEXT_STEP[phase]
    return {"label": label, "url": reverse(name, args=[workshop.join_code])}


def workshop_pages(workshop):
    """Returns [{"label", "url"}] of every page of the workshop that is useful now."""
    phase = Phase(workshop.phase)
    return [
        {"label": label, "url": reverse(name, args=[workshop.join_code])}
        for label, name, phases in PAGES
        if phases is None or phase in phases
        or (name == "breakouts:plan" and workshop.next_round)
    ]


def phase_steps(workshop):
    """Returns [{"label", "state"}] of the phases in order: done, current or upcoming."""
    order = list(Phase)
    index = order.index(Phase(workshop.phase))
    return [
        {"label": phase.label,
         "state": "done" if i < index else "current" if i == index else "upcoming"}
        for i, phase in enumerate(order)
    ]
