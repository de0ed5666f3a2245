"""The workshop report: built once as plain data, then rendered as a page or as downloads.

`build_report()` reads everything with a fixed number of queries (rooms and what they made are
read as rows, breakouts/reportout.py), so a 100-room workshop costs what a 2-room one does. The
renderers below turn the same data into Markdown, CSV (action items), JSON (versioned, see
docs/report-schema.md) and iCalendar (action items with a due date); the page prints its rooms
with followup/report_html.py.
"""

import csv
import io
import json
import re
from datetime import UTC, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from breakouts.models import Item, Room, Step
from breakouts.reportout import (
    ITEM_FIELDS,
    ItemRow,
    action_data,
    room_name,
    room_seating,
    rooms_data,
    rooms_queryset,
    status_labels,
)
from followup.debrief import debrief_summary
from followup.network import connection_counts

SCHEMA_VERSION = 1
SCHEMA_NAME = "roundtable.report"


# -- building -------------------------------------------------------------------------------------


def build_report(workshop, *, participant=None, hide_names=False):
    """Returns the report of a workshop as plain data (dates and times as Python objects).

    For a facilitator (participant None): every room of every round, the debrief with its
    answers, and the new connections. For a participant: only their own rooms, one per round
    (none before they have one), and
    the debrief summary without anyone's answers.
    """
    full = participant is None
    room_ids = None if full else participant_room_ids(participant)
    rooms = rooms_queryset(workshop, room_ids)
    seating = room_seating(rooms) if full else None
    report = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now(),
        "scope": "workshop" if full else "room",
        "workshop": _workshop_data(workshop),
        "challenges": [
            {"title": c.title, "description": c.description} for c in workshop.challenges.all()
        ],
        "rooms": rooms_data(rooms, seating=seating),
        "debrief": debrief_summary(workshop, include_answers=full, hide_names=hide_names),
        "connections": connection_counts(workshop, seating) if full else None,
    }
    return report


def participant_room_ids(participant):
    """Returns the ids of the rooms the participant sat in, every round's and the current."""
    ids = set(participant.seats.values_list("room_id", flat=True))
    if participant.room_id:
        ids.add(participant.room_id)
    return sorted(ids)


def _workshop_data(workshop):
    return {
        "code": workshop.join_code,
        "title": workshop.title,
        "description": workshop.description,
        "starts_at": workshop.starts_at,
        "phase": workshop.phase,
    }


def build_action_report(workshop, *, participant=None):
    """Returns the part of the report the action downloads (CSV, iCalendar) read — `workshop`
    and each room's `name` and `actions`, same scope and order as `build_report` — with one
    query (of rows), without the notes, debrief and connections the whole report needs."""
    items = Item.objects.filter(room__workshop=workshop, step=Step.PLAN)
    if participant is not None:
        items = items.filter(room_id__in=participant_room_ids(participant))
    rows = items.order_by("room__round", "room__number", "created_at", "pk").values_list(
        *ITEM_FIELDS, "room__round", "room__number"
    )
    labels = status_labels()
    rooms = {}
    for *fields, round_number, number in rows:
        item = ItemRow(*fields, 0)
        room = rooms.get(item.room_id)
        if room is None:
            name = room_name(Room(round=round_number, number=number), workshop.rounds)
            room = rooms[item.room_id] = {"name": name, "actions": []}
        room["actions"].append(action_data(item, labels))
    return {"workshop": _workshop_data(workshop), "rooms": list(rooms.values())}


def all_actions(report):
    """Yields (room, action) for every action item in the report, in room order."""
    for room in report["rooms"]:
        for action in room["actions"]:
            yield room, action


# -- JSON -----------------------------------------------------------------------------------------


def render_json(report):
    """Returns the report as JSON text (schema in docs/report-schema.md), one line: without
    `indent` the json module encodes in C, ten times faster for a 100-room report."""
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"


# -- CSV ------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Returns the cell text with a leading ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_actions_csv(report):
    """Returns the action items as CSV text (with a BOM, so spreadsheet apps read UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Room"), _("Task"), _("Owner"), _("Due date"), _("Success measure"), _("Status")]
    )
    for room, action in all_actions(report):
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                room["name"],
                action["task"],
                action["owner"]["name"] if action["owner"] else "",
                action["due_date"].isoformat() if action["due_date"] else "",
                action["success_measure"],
                action["status_label"],
            )
        )
    return "\ufeff" + buffer.getvalue()


# -- iCalendar / vCard content lines (RFC 5545 §3.1, RFC 2426) ----------------------------------


def escape_text(value):
    """Escapes a TEXT value: backslash, semicolon, comma and newlines."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line, limit=75):
    """Folds a content line into CRLF-joined pieces of at most `limit` octets.

    Continuation lines start with one space; a UTF-8 character is never split.
    """
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        budget = limit if not pieces else limit - 1
        if size + width > budget:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def content_lines(lines):
    """Returns the folded lines joined with CRLF, ending in CRLF."""
    return "".join(fold(line) + "\r\n" for line in lines)


def render_actions_ics(report, *, domain="roundtable.invalid", now=None):
    """Returns an iCalendar of the action items that have a due date: one all-day event each.

    UIDs are stable per item, so re-importing the file updates events instead of duplicating.
    """
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    workshop = report["workshop"]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Roundtable//Action items//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape_text(_("Action items: %(title)s") % {"title": workshop["title"]}),
    ]
    for room, action in all_actions(report):
        due = action["due_date"]
        if not due:
            continue
        owner = action["owner"]["name"] if action["owner"] else _("nobody yet")
        description = "\n".join(
            [
                _("Owner: %(owner)s") % {"owner": owner},
                _("Success measure: %(measure)s") % {"measure": action["success_measure"]},
                _("Status: %(status)s") % {"status": action["status_label"]},
                _("%(room)s, %(workshop)s") % {"room": room["name"], "workshop": workshop["title"]},
            ]
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:action-{action['id']}@{domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due + timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + escape_text(action["task"]),
            "DESCRIPTION:" + escape_text(description),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return content_lines(lines)


# -- Markdown -------------------------------------------------------------------------------------

# Inline syntax (emphasis, code, links, HTML, table cells); block markers are handled in md_block.
_MD_SPECIAL = "\\`*_[]<>|"
_MD_BLOCK_START = re.compile(r"^(#|>|[-+=]|\d+[.)])")


def md(text):
    """Escapes Markdown syntax in user text and keeps it on one line (a list item or cell)."""
    escaped = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text or ""))
    return " ".join(escaped.split())


def md_block(text):
    """Escapes user text for a paragraph, keeping its line breaks (as hard breaks)."""
    lines = [md(line) for line in str(text or "").splitlines() if line.strip()]
    return "  \n".join(_MD_BLOCK_START.sub(r"\\\1", line) for line in lines)


def render_markdown(report):
    """Returns the whole report as Markdown (headings per room, tables for action items)."""
    workshop = report["workshop"]
    out = [f"# {md(workshop['title'])}", ""]
    if workshop["starts_at"]:
        out += [f"*{timezone.localtime(workshop['starts_at']):%Y-%m-%d %H:%M}*", ""]
    if workshop["description"]:
        out += [md_block(workshop["description"]), ""]
    if report["challenges"]:
        out += [f"## {_('Challenges')}", ""]
        out += [
            f"- **{md(c['title'])}** {md(c['description'])}".rstrip()
            for c in report["challenges"]
        ]
        out.append("")
    for room in report["rooms"]:
        out += _markdown_room(room)
    out += _markdown_debrief(report["debrief"])
    if report["connections"]:
        c = report["connections"]
        out += [
            f"## {_('New connections')}",
            "",
            f"- {_('Room-mate pairs')}: {c['pairs']}",
            f"- {_('New cross-department connections')}: {c['cross_department']}",
            f"- {_('New cross-location connections')}: {c['cross_location']}",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _markdown_room(room):
    out = [f"## {md(room['name'])}", ""]
    members = ", ".join(
        f"{md(m['name'])} ({md(m['department'])}, {md(m['location'])})"
        + (f" — {_('scribe')}" if m["scribe"] else "")
        for m in room["members"]
    )
    out += [f"**{_('Members')}:** {members or '—'}", ""]
    if room["challenge"]:
        out += [f"**{_('Challenge')}:** {md(room['challenge']['title'])}", ""]
    if room["problem_statement"]:
        out += [f"### {_('Problem statement')}", "", md_block(room["problem_statement"]), ""]
    if room["root_causes"]:
        out += [f"### {_('Root causes')}", ""]
        for group in room["root_causes"]:
            out.append(f"- **{md(group['label'])}**")
            out += [f"  - {md(cause['text'])}" for cause in group["items"]]
        out.append("")
    if room["alternatives"]:
        out += [f"### {_('Alternatives')}", ""]
        for alt in room["alternatives"]:
            votes = _("%(count)s votes") % {"count": alt["votes"]}
            line = f"- **{md(alt['title'])}** ({votes})"
            if alt["pros"]:
                line += f" — {_('Pros')}: {md(alt['pros'])}"
            if alt["cons"]:
                line += f" — {_('Cons')}: {md(alt['cons'])}"
            out.append(line)
        out.append("")
    if room["selection"]:
        out += [f"### {_('Selected solution')}", "", f"**{md(room['selection']['title'])}**", ""]
        if room["selection"]["rationale"]:
            out += [md_block(room["selection"]["rationale"]), ""]
    if room["actions"]:
        out += [
            f"### {_('Action plan')}",
            "",
            f"| {_('Task')} | {_('Owner')} | {_('Due date')} | {_('Success measure')} "
            f"| {_('Status')} |",
            "| --- | --- | --- | --- | --- |",
        ]
        for a in room["actions"]:
            due = a["due_date"].isoformat() if a["due_date"] else ""
            owner = md(a["owner"]["name"]) if a["owner"] else ""
            out.append(
                f"| {md(a['task'])} | {owner} | {due} | {md(a['success_measure'])} "
                f"| {md(a['status_label'])} |"
            )
        out.append("")
    if room["accountability"]:
        heading = _("How we hold ourselves accountable")
        out += [f"### {heading}", "", md_block(room["accountability"]), ""]
    return out


def _markdown_debrief(debrief):
    out = [
        f"## {_('Debrief')}",
        "",
        _("%(respondents)s of %(participants)s participants answered.") % debrief,
        "",
    ]
    if any(choice["count"] for choice in debrief["choices"]):
        out += [f"| {_('Common answer')} | {_('Count')} |", "| --- | ---: |"]
        out += [f"| {md(c['label'])} | {c['count']} |" for c in debrief["choices"]]
        out.append("")
    for question in debrief["questions"]:
        if question["words"]:
            out += [f"**{md(question['text'])}**", ""]
            out.append(", ".join(f"{md(w['word'])} ({w['count']})" for w in question["words"]))
            out.append("")
    for answer in debrief.get("answers", []):
        who = md(answer["name"]) or _("Anonymous")
        out.append(f"- **{who}**: {md(answer['value'])} / {md(answer['change'])}")
    if debrief.get("answers"):
        out.append("")
    return out
