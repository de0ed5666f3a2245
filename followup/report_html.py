"""The report page's rooms and debrief answers, and the tracker's rows, as HTML printed in
Python.

A 100-room report prints ~30,000 values (members, causes, alternatives, 1,000 action items,
1,000 answers). Django's template language spent ~10 µs on each (variable lookup, filters,
`{% translate %}` and `{% include %}` per row): ~400 ms a page. These functions print the same
markup with `html.escape` (what Django's `escape` calls), translate each label once per page and
format each distinct date once: ~20 ms. The template tags in followup/templatetags/report_html.py
put them in report/report.html.

The alternatives table and the answer cards are also drawn by templates the plenary and the
debrief results use (report/_alternatives_table.html, report/_answers.html);
tests/test_report_html.py checks that both draw the same markup.

The accountability tracker's 50 rows a page and its room filter's option per room were half of
its time through the template engine; `tracker_rows` and `tracker_room_options` print them
for report/tracker.html.
"""

from html import escape

from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from breakouts.models import Room


def _text(value):
    """Escapes a value as `{{ value }}` prints it."""
    return escape(str(value))


def _lines(value):
    """Escapes a value as `{{ value|linebreaksbr }}` prints it."""
    text = escape(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "<br>")


def _labels(*texts):
    """Returns {text: its translation, escaped}, translated once per page."""
    return {text: escape(_(text)) for text in texts}


# -- rooms ----------------------------------------------------------------------------------


def rooms(rooms):
    """Returns the report's rooms (report["rooms"]) as HTML: a section per room."""
    t = _labels(
        "Members", "scribe", "Problem statement", "Root causes", "Alternatives",
        "Selected solution", "Action plan", "Task", "Owner", "Due date", "Success measure",
        "Status", "How we hold ourselves accountable",
    )
    alternatives_head = _alternatives_head(compact=True)
    dates = {}
    return mark_safe("".join(_room(room, t, alternatives_head, dates) for room in rooms))


def _room(room, t, alternatives_head, dates):
    anchor = f"room-{room['round']}-{room['number']}" if room["round"] > 1 else (
        f"room-{room['number']}"
    )
    title = _text(room["name"])
    if room["challenge"]:
        title += ": " + _text(room["challenge"]["title"])
    members = ", ".join(
        f'{_text(m["name"])} <span class="text-body-secondary">({_text(m["department"])}, '
        f'{_text(m["location"])})</span>'
        + (f' <span class="badge text-bg-light">{t["scribe"]}</span>' if m["scribe"] else "")
        for m in room["members"]
    ) or "—"
    out = [
        f'<section class="report-room" id="{anchor}" aria-labelledby="{anchor}-heading">\n'
        f'  <h2 class="h3" id="{anchor}-heading">{title}</h2>\n'
        f'  <p class="report-members"><strong>{t["Members"]}:</strong>\n  {members}</p>\n'
    ]
    if room["problem_statement"]:
        out.append(
            f'  <h3 class="h5">{t["Problem statement"]}</h3>\n'
            f'  <p>{_lines(room["problem_statement"])}</p>\n'
        )
    if room["root_causes"]:
        out.append(f'  <h3 class="h5">{t["Root causes"]}</h3>\n  <dl class="report-causes">\n')
        for group in room["root_causes"]:
            causes = "".join(f"<li>{_text(cause['text'])}</li>" for cause in group["items"])
            out.append(f"    <dt>{_text(group['label'])}</dt>\n    <dd><ul>{causes}</ul></dd>\n")
        out.append("  </dl>\n")
    if room["alternatives"]:
        out.append(f'  <h3 class="h5">{t["Alternatives"]}</h3>\n')
        out.append(_alternatives_table(room["alternatives"], alternatives_head))
    if room["selection"]:
        out.append(
            f'  <h3 class="h5">{t["Selected solution"]}</h3>\n'
            f'  <p><strong>{_text(room["selection"]["title"])}</strong></p>\n'
        )
        if room["selection"]["rationale"]:
            out.append(f'  <p>{_lines(room["selection"]["rationale"])}</p>\n')
    if room["actions"]:
        out.append(
            f'  <h3 class="h5">{t["Action plan"]}</h3>\n'
            '  <table class="table table-sm table-stack">\n'
            f'    <thead><tr><th scope="col">{t["Task"]}</th><th scope="col">{t["Owner"]}</th>'
            f'<th scope="col">{t["Due date"]}</th><th scope="col">{t["Success measure"]}</th>'
            f'<th scope="col">{t["Status"]}</th></tr></thead>\n    <tbody>\n'
        )
        out += [_action_row(action, t, dates) for action in room["actions"]]
        out.append("    </tbody>\n  </table>\n")
    if room["accountability"]:
        out.append(
            f'  <h3 class="h5">{t["How we hold ourselves accountable"]}</h3>\n'
            f'  <p>{_lines(room["accountability"])}</p>\n'
        )
    out.append("</section>\n")
    return "".join(out)


def _action_row(action, t, dates):
    owner = action["owner"]["name"] if action["owner"] else ""
    due = action["due_date"]
    if due:
        if due not in dates:
            dates[due] = (
                f'<time datetime="{date_format(due, "Y-m-d")}">{date_format(due, "M j, Y")}</time>'
            )
        due_html = dates[due]
    else:
        due_html = "—"
    return (
        f'      <tr><th scope="row">{_text(action["task"])}</th>'
        f'<td data-label="{t["Owner"]}">{_text(owner) if owner else "—"}</td>'
        f'<td data-label="{t["Due date"]}">{due_html}</td>'
        f'<td data-label="{t["Success measure"]}">{_text(action["success_measure"])}</td>'
        f'<td data-label="{t["Status"]}">{_text(action["status_label"])}</td></tr>\n'
    )


# -- the alternatives table (as report/_alternatives_table.html) ------------------------------


def _alternatives_head(*, compact):
    t = _labels("Alternatives with votes", "Alternative", "Pros", "Cons", "Votes", "selected")
    head = (
        f'<table class="table table-stack{" table-sm" if compact else ""}">\n'
        f'  <caption class="visually-hidden">{t["Alternatives with votes"]}</caption>\n'
        f'  <thead><tr><th scope="col">{t["Alternative"]}</th><th scope="col">{t["Pros"]}</th>'
        f'<th scope="col">{t["Cons"]}</th><th scope="col" class="text-end">{t["Votes"]}</th>'
        "</tr></thead>\n  <tbody>\n"
    )
    return head, t


def _alternatives_table(alternatives, head):
    """Returns the alternatives as report/_alternatives_table.html draws them."""
    head, t = head
    rows = "".join(_alternative_row(alt, t) for alt in alternatives)
    return f"{head}{rows}  </tbody>\n</table>\n"


def _alternative_row(alt, t):
    if alt["selected"]:
        row = '<tr class="table-success">'
        badge = f' <span class="badge text-bg-success">{t["selected"]}</span>'
    else:
        row, badge = "<tr>", ""
    return (
        f'    {row}<th scope="row">{_text(alt["title"])}{badge}</th>'
        f'<td data-label="{t["Pros"]}">{_lines(alt["pros"])}</td>'
        f'<td data-label="{t["Cons"]}">{_lines(alt["cons"])}</td>'
        f'<td class="text-end" data-label="{t["Votes"]}">{alt["votes"]}</td></tr>\n'
    )


# -- the debrief's answers (as report/_answers.html) ------------------------------------------


def answers(summary):
    """Returns the debrief summary's answers as report/_answers.html draws them."""
    listed = summary.get("answers", [])
    questions = [_text(question["text"]) for question in summary["questions"]]
    cards = "".join(_answer(index, answer, questions) for index, answer in enumerate(listed))
    empty = " hidden" if listed else ""
    return mark_safe(
        '<ul class="list-unstyled debrief-answers" id="debrief-answers" '
        f'aria-label="{escape(_("Answers"))}">\n{cards}'
        f'  <li class="text-body-secondary" data-empty{empty}>{escape(_("No answers yet."))}'
        "</li>\n</ul>\n"
    )


def _hidden_unless(value):
    return "" if value else " hidden"


def _answer(index, answer, questions):
    choices = "".join(f'<span class="chip">{_text(choice)}</span>' for choice in answer["choices"])
    return (
        f'<li class="card mb-2" data-key="{index}"><div class="card-body">\n'
        '  <p class="fw-semibold mb-1 answer-name" data-show="name"'
        f'{_hidden_unless(answer["name"])}><span data-field="name">{_text(answer["name"])}'
        '</span> <span class="text-body-secondary fw-normal" data-field="department">'
        f'{_text(answer["department"])}</span></p>\n'
        f'  <p class="mb-1 answer-text" data-show="value"{_hidden_unless(answer["value"])}>'
        f'<span class="visually-hidden">{questions[0]}: </span>'
        f'<span data-field="value">{_text(answer["value"])}</span></p>\n'
        f'  <p class="mb-1 answer-text" data-show="change"{_hidden_unless(answer["change"])}>'
        f'<span class="visually-hidden">{questions[1]}: </span>'
        f'<span data-field="change">{_text(answer["change"])}</span></p>\n'
        f'  <div data-field="choices">{choices}</div>\n</div></li>\n'
    )


# -- the accountability tracker (report/tracker.html) -----------------------------------------


def tracker_rows(rows):
    """Returns the tracker's table rows: for each of the view's `rows` (item, room, due,
    overdue, status_label) the room, task, owner, due date with an "overdue" badge, status and
    note, with the whitespace the template's loop printed."""
    t = _labels("Room", "Owner", "Due date", "Status", "Note", "overdue")
    return mark_safe("".join(_tracker_row(row, t) for row in rows))  # noqa: S308 - escaped


def _tracker_row(row, t):
    item = row["item"]
    owner = item.owner.name if item.owner_id else ""
    due = row["due"]
    due_html = f'<time datetime="{_text(due[0])}">{_text(due[1])}</time>' if due else "—"
    if row["overdue"]:
        due_html += f' <span class="badge text-bg-danger">{t["overdue"]}</span>'
    return (
        f'\n    <tr class="{"tracker-row-overdue" if row["overdue"] else ""}">\n'
        f'      <td data-label="{t["Room"]}">{_text(row["room"])}</td>\n'
        f'      <th scope="row">{_text(item.text)}</th>\n'
        f'      <td data-label="{t["Owner"]}">{_text(owner) if owner else "—"}</td>\n'
        f'      <td data-label="{t["Due date"]}">{due_html}</td>\n'
        f'      <td data-label="{t["Status"]}">{_text(row["status_label"])}</td>\n'
        f'      <td data-label="{t["Note"]}">{_lines(item.status_note)}</td>\n'
        "    </tr>\n  "
    )


def tracker_room_options(numbers, selected=None):
    """Returns the room filter's <option>s: one per room number, `selected` chosen."""
    name = Room.name_format()  # translated once for every room
    return mark_safe("".join(  # noqa: S308 - escaped; the rest are numbers
        f'<option value="{number}"{" selected" if number == selected else ""}>'
        f'{_text(name % {"number": number})}</option>'
        for number in numbers
    ))
