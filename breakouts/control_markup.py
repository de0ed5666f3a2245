"""The control room's tiles and help requests, built as strings.

At 100 rooms the template engine spent more on the tiles than on the rest of the page (each
tile ~30 nodes, each variable resolved, localised and escaped): half the page's CPU. These
build the markup that static/js/control/cards.js keeps live (its `data-field` elements) in a
few milliseconds. Everything interpolated is escaped here; the rest is fixed markup and
numbers. templates/breakouts/control.html draws everything else.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def help_rows(requests):
    """Returns the <li>s of open help requests (rows with "id", "text" and "ack_label");
    [None] gives the empty row of the page's <template id="tpl-help">."""
    return mark_safe("".join(  # noqa: S308 - every value escaped
        _help_row(request, escape(_("Acknowledge"))) for request in requests
    ))


def _help_row(request, acknowledge):
    key, text, label = "", "", ""
    if request:
        key, text = escape(str(request["id"])), escape(request["text"])
        label = f' aria-label="{escape(request["ack_label"])}"'
    return (
        f'<li class="help-request d-flex flex-wrap align-items-center gap-2 mb-1" '
        f'data-key="{key}"><span class="flex-grow-1" data-field="text">{text}</span>'
        f'<button type="button" class="btn btn-sm btn-warning" data-action="acknowledge"'
        f'{label}>{acknowledge}</button></li>'
    )


def room_tiles(cards):
    """Returns the tiles of the control room's grid, one <article> per card of
    breakouts.control_views._drawn_cards."""
    texts = {key: escape(text) for key, text in (
        ("help_requested", _("Help requested")), ("last_activity", _("Last activity")),
        ("no_challenge", _("No challenge chosen yet")),
        ("nothing_written", _("Nothing written yet.")),
        ("join", _("Join as facilitator")), ("acknowledge", _("Acknowledge")),
    )}
    return mark_safe("\n".join(_tile(card, texts) for card in cards))  # noqa: S308 - escaped


def _tile(card, t):
    n, name, url = card["number"], escape(card["name"]), escape(card["url"])
    activity = card["last_activity_at"]
    activity = f' datetime="{escape(activity)}"' if activity else ""
    challenge = card["challenge"]
    note = card["note"]
    help_list = "".join(_help_row(request, t["acknowledge"]) for request in card["help_rows"])
    return (
        f'<article class="card room-card{" needs-help" if card["help"] else ""}" '
        f'data-room="{n}" aria-labelledby="card-{n}-heading"><div class="card-body">'
        f'<div class="d-flex flex-wrap align-items-center gap-2 mb-1">'
        f'<h3 id="card-{n}-heading" class="room-card-name mb-0">{name}</h3>'
        f'<span class="badge text-bg-danger" data-field="help-badge"'
        f'{"" if card["help"] else " hidden"}>{t["help_requested"]}</span>'
        f'<span class="ms-auto small"><span class="visually-hidden">{t["last_activity"]}:</span>'
        f'<time data-field="activity"{activity}></time></span></div>'
        f'<p class="mb-1 room-card-challenge{"" if challenge else " text-body-secondary"}" '
        f'data-field="challenge">'
        f'{escape(challenge["title"]) if challenge else t["no_challenge"]}</p>'
        # The step bar is aria-hidden: the step label below says it in words.
        f'<ol class="step-bar" data-field="steps" aria-hidden="true">{card["step_bar"]}</ol>'
        f'<p class="small mb-1"><span data-field="step-label">{escape(card["step_text"])}'
        f'</span> · <time data-field="time-left" role="timer" aria-live="off"></time></p>'
        f'<p class="small mb-1" data-field="member-count">{escape(card["members_text"])}</p>'
        # Names and presence come with the control socket's state (cards.js).
        f'<ul class="list-unstyled small mb-1 card-members" data-field="members" '
        f'aria-label="{escape(card["members_label"])}"></ul>'
        f'<p class="small note-preview mb-1{"" if note else " text-body-secondary"}" '
        f'data-field="note">{escape(note) if note else t["nothing_written"]}</p>'
        f'<p class="small text-body-secondary mb-1" data-field="counts">'
        f'{escape(card["counts_text"])}</p>'
        f'<ul class="list-unstyled small mb-1" data-field="help" '
        f'aria-label="{escape(card["help_label"])}">{help_list}</ul>'
        f'<div class="d-flex flex-wrap gap-2 mt-2">'
        f'<a class="btn btn-sm btn-outline-secondary" href="{url}">'
        f'{escape(card["open_label"])}</a>'
        f'<a class="btn btn-sm btn-outline-primary" href="{url}?as=facilitator">{t["join"]}'
        f'<span class="visually-hidden">: {name}</span></a></div>'
        # "Scribe of Room n" (a socket op) is added with the members: template tpl-scribe.
        f'</div></article>'
    )
