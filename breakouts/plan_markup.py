"""The plan page's long lists, built as strings: a row per person and the people and rooms
of its select controls.

At 1,000 people in 200 rooms the template engine's cost per row (each variable resolved,
localised and escaped, each tag a node) made the page take most of a second; these loops
build the same markup in a few milliseconds. Everything interpolated is escaped here; the
rest is fixed markup and numbers. The template draws everything else.
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def room_options(room_count, selected=None):
    """Returns the <option>s of the page's one "To room" select (`selected` chosen). The page
    has one move dialog rather than a select per person: at 1,000 people in 200 rooms those
    were 200,000 options, 9 MB of HTML."""
    label = escape(_("Room %(n)s"))
    return mark_safe("".join(  # noqa: S308 - escaped above; the rest are numbers
        f'<option value="{n}"{" selected" if n == selected else ""}>{label % {"n": n}}</option>'
        for n in range(1, room_count + 1)
    ))


def person_options(participants, selected_indexes):
    """Returns, for each index of `selected_indexes`, the <option>s of a select of the pair to
    keep apart or together: every person with their department and location, the one at that
    index chosen. The options are escaped once for all the selects."""
    options = [
        (f'<option value="{p.pk}"', f'>{escape(p.name)} ({escape(p.department)}, '
                                    f'{escape(p.location)})</option>')
        for p in participants
    ]
    return [
        mark_safe("".join(  # noqa: S308 - every value escaped
            f'{start}{" selected" if i == selected else ""}{rest}'
            for i, (start, rest) in enumerate(options)
        ))
        for selected in selected_indexes
    ]


def room_cards(workshop, rooms, pinned, together=frozenset()):
    """Returns the plan's room cards: per room its number, size and mix, and an <li> per
    member with their name, a "pinned" and a "kept together" badge (people of `pinned`,
    `together`), their attribute chips, and the buttons of the page's shared move and pin
    forms, each named with the person's name."""
    labels = {
        "move": escape(_("Move")), "pin": escape(_("Pin")), "unpin": escape(_("Unpin")),
        "pinned": escape(_("pinned")), "together": escape(_("kept together")),
        "room": _("Room %(n)s"),
        "unpin_action": escape(reverse("breakouts:plan_unpin", args=[workshop.join_code])),
    }
    summaries = {}  # rooms share a few summaries: each is translated once per page
    return mark_safe("\n".join(  # noqa: S308 - every value escaped
        _room_card(room, pinned, together, labels, summaries) for room in rooms
    ))


def _summary(people, departments, locations):
    """Returns a room's size and mix in words, each count with its own plural ("1 department")."""
    return " · ".join((
        ngettext("%(n)s person", "%(n)s people", people) % {"n": people},
        ngettext("%(n)s department", "%(n)s departments", departments) % {"n": departments},
        ngettext("%(n)s location", "%(n)s locations", locations) % {"n": locations},
    ))


def _room_card(room, pinned, together, labels, summaries):
    n = room.number
    counts = (len(room.members), room.distinct.get("department", 0),
              room.distinct.get("location", 0))
    if counts not in summaries:
        summaries[counts] = escape(_summary(*counts))
    extra = " · ".join(f"{escape(label)}: {count}" for label, count in room.extra_distinct)
    if extra:
        extra = f'<span class="d-block text-end room-extra-mix">{extra}</span>'
    rows = "\n".join(
        _member_row(p, p.pk in pinned, p.pk in together, labels) for p in room.members
    )
    return (
        f'<div class="col"><article class="card h-100 plan-room" data-room="{n}" '
        f'aria-labelledby="room-{n}-title"><div class="card-header d-flex '
        f'justify-content-between align-items-baseline"><h3 class="h6 mb-0" '
        f'id="room-{n}-title">{escape(labels["room"] % {"n": n})}</h3>'
        f'<span class="small text-body-secondary">{summaries[counts]}{extra}</span></div>'
        f'<ul class="list-group list-group-flush">\n{rows}\n</ul></article></div>'
    )


def _member_row(p, is_pinned, is_together, labels):
    name = escape(p.name)
    chips = "".join(  # department and location always; the workshop's own ones when set
        f'<span class="chip">{escape(value)}</span>'
        for value in (p.department, p.location, *(v for v in p.plan_extra_values if v))
    )
    if is_pinned:
        badge = f' <span class="badge text-bg-dark">{labels["pinned"]}</span>'
        pin = f' formaction="{labels["unpin_action"]}">{labels["unpin"]}'
    else:
        badge, pin = "", f'>{labels["pin"]}'
    if is_together:
        badge += f' <span class="badge text-bg-secondary">{labels["together"]}</span>'
    return (
        f'<li class="list-group-item plan-member" draggable="true" data-participant="{p.pk}">'
        f'<div><span class="fw-semibold plan-name">{name}</span>{badge}<br>{chips}</div>'
        f'<div class="plan-member-actions"><button type="submit" form="plan-move-pick" '
        f'name="move" value="{p.pk}" class="btn btn-sm btn-outline-secondary" '
        f'aria-haspopup="dialog">{labels["move"]}<span class="visually-hidden"> {name}</span>'
        f'</button><button type="submit" form="plan-pin-form" name="participant" '
        f'value="{p.pk}" class="btn btn-sm btn-outline-dark"{pin}'
        f'<span class="visually-hidden"> {name}</span></button></div></li>'
    )
