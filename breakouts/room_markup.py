"""The room page's member list, built as strings.

Every room page lists its room's members, and a breakout start draws a thousand room pages at
once: the template partial cost ~15 nodes per member (each variable resolved, localised and
escaped, three translations per row). This builds the same markup that static/js/room/header.js
keeps live (its `data-field` elements). Everything interpolated is escaped here; the rest is
fixed markup. templates/breakouts/room.html draws everything else.
"""

from html import escape

from django.utils.safestring import mark_safe


def member_rows(members, scribe, me, labels):
    """Returns the <li>s of the room's members (dicts of `Participant.public()`), marking the
    scribe (an id) and the viewer (`me`, an id or None); [None] gives the empty row of the
    page's <template id="tpl-member">. `labels` are the room page's texts (views.labels())."""
    texts = {key: escape(labels[key]) for key in ("offline", "scribe", "you")}
    return mark_safe("".join(  # noqa: S308 - every value escaped
        _member_row(member, scribe, me, texts) for member in members
    ))


def _member_row(member, scribe, me, texts):
    key, name, department, location = "", "", "", ""
    scribe_hidden = you_hidden = " hidden"
    if member:
        key = escape(str(member["id"]))
        name, department = escape(str(member["name"])), escape(str(member["department"]))
        location = escape(str(member["location"]))
        if member["id"] == scribe:
            scribe_hidden = ""
        if member["id"] == me:
            you_hidden = ""
    return (
        f'<li class="list-inline-item room-member" data-key="{key}">\n'
        f'  <span class="presence-dot" aria-hidden="true" data-field="dot"></span>'
        f'<span data-field="name">{name}</span><span class="visually-hidden" '
        f'data-field="presence"> ({texts["offline"]})</span>\n'
        f'  <span class="member-origin text-body-secondary small ms-1" data-field="origin">'
        f'{department} · {location}</span>\n'
        f'  <span class="badge text-bg-primary ms-1" data-field="scribe"{scribe_hidden}>'
        f'{texts["scribe"]}</span>\n'
        f'  <span class="text-body-secondary ms-1" data-field="you"{you_hidden}>'
        f'({texts["you"]})</span>\n'
        f'</li>\n'
    )
