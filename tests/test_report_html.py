"""The report page's rooms and answers and the tracker's rows, printed in Python
(followup/report_html.py): user text is escaped, the alternatives table and the answer cards are
the markup of the templates the plenary and the debrief results draw them with, and the tracker's
rows are what its template printed."""

import re
from datetime import date
from types import SimpleNamespace
from unittest import mock

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from followup import report_html

EVIL = "<b>&amp; \"q\" 'a'</b> =1+2"


def same_markup(html):
    """HTML with every run of whitespace made one space: what a browser shows is the same."""
    return re.sub(r"\s+", " ", str(html)).strip()


def room(**changes):
    return {
        "round": 1, "number": 3, "name": "Room 3", "challenge": {"title": EVIL},
        "members": [
            {"name": EVIL, "department": "R&D", "location": "Lagos", "scribe": True},
            {"name": "Ana", "department": "IT", "location": "Lima", "scribe": False},
        ],
        "problem_statement": "one\r\ntwo\rthree\nfour", "root_causes": [
            {"label": "People", "items": [{"text": EVIL}, {"text": "No owner"}]},
        ],
        "alternatives": [
            {"title": EVIL, "pros": "cheap\nfast", "cons": EVIL, "votes": 7, "selected": False},
            {"title": "Buddy", "pros": "", "cons": "", "votes": 2, "selected": True},
        ],
        "selection": {"title": "Buddy", "rationale": "Cheapest\nto try"},
        "actions": [
            {"task": EVIL, "owner": {"name": "Ana"}, "due_date": date(2026, 12, 1),
             "success_measure": "-5%", "status_label": "Done"},
            {"task": "Later", "owner": None, "due_date": None, "success_measure": "",
             "status_label": "Not started"},
        ],
        "accountability": "Weekly\ncheck-in",
        **changes,
    }


def test_room_escapes_user_text_and_keeps_line_breaks():
    html = report_html.rooms([room()])
    assert "<b>" not in html
    assert "&lt;b&gt;&amp;amp; &quot;q&quot; &#x27;a&#x27;&lt;/b&gt; =1+2" in html
    assert "<p>one<br>two<br>three<br>four</p>" in html
    assert "<td data-label=\"Pros\">cheap<br>fast</td>" in html
    assert "<p>Cheapest<br>to try</p>" in html
    assert 'id="room-3"' in html and 'aria-labelledby="room-3-heading"' in html
    assert "Room 3: &lt;b&gt;" in html
    assert '<time datetime="2026-12-01">Dec 1, 2026</time>' in html
    # No owner, no due date: a dash, as before.
    assert '<td data-label="Owner">—</td><td data-label="Due date">—</td>' in html


def test_room_of_a_later_round_has_the_round_in_its_anchor_and_empty_parts_are_left_out():
    html = report_html.rooms([room(round=2, members=[], problem_statement="", root_causes=[],
                                   alternatives=[], selection=None, actions=[],
                                   accountability="")])
    assert 'id="room-2-3"' in html
    assert "<strong>Members:</strong> —</p>" in same_markup(html)
    for heading in ("Problem statement", "Root causes", "Alternatives", "Selected solution",
                    "Action plan", "How we hold ourselves accountable"):
        assert heading not in html


def test_alternatives_are_the_markup_of_the_plenarys_template():
    alternatives = room()["alternatives"]
    html = report_html.rooms([room()])
    table = re.search(r'<table class="table table-stack.*?</table>', html, re.S).group(0)
    expected = render_to_string(
        "report/_alternatives_table.html", {"alternatives": alternatives, "compact": True}
    )
    assert same_markup(table) == same_markup(expected)


def test_answers_are_the_markup_of_the_debrief_results_template():
    summary = {
        "questions": [{"text": "Value <?>"}, {"text": "Change & more"}],
        "answers": [
            {"name": EVIL, "department": "R&D", "value": EVIL, "change": "",
             "choices": ["Listen more", EVIL]},
            {"name": "", "department": "", "value": "", "change": "Ask\npeers", "choices": []},
        ],
    }
    expected = render_to_string("report/_answers.html", {"summary": summary})
    assert same_markup(report_html.answers(summary)) == same_markup(expected)
    empty = {**summary, "answers": []}
    assert same_markup(report_html.answers(empty)) == same_markup(
        render_to_string("report/_answers.html", {"summary": empty})
    )


# -- the accountability tracker ---------------------------------------------------------------

# The rows as report/tracker.html printed them with the template engine, before tracker_rows.
TRACKER_TEMPLATE = """{% load i18n %}{% translate "Room" as room_label %}{% translate "Owner" as owner_label %}{% translate "Due date" as due_label %}{% translate "Status" as status_label %}{% translate "Note" as note_label %}{% translate "overdue" as overdue_label %}{% for row in rows %}
    <tr class="{% if row.overdue %}tracker-row-overdue{% endif %}">
      <td data-label="{{ room_label }}">{{ row.room }}</td>
      <th scope="row">{{ row.item.text }}</th>
      <td data-label="{{ owner_label }}">{{ row.item.owner.name|default:"—" }}</td>
      <td data-label="{{ due_label }}">{% if row.due %}<time datetime="{{ row.due.0 }}">{{ row.due.1 }}</time>{% else %}—{% endif %}{% if row.overdue %} <span class="badge text-bg-danger">{{ overdue_label }}</span>{% endif %}</td>
      <td data-label="{{ status_label }}">{{ row.status_label }}</td>
      <td data-label="{{ note_label }}">{{ row.item.status_note|linebreaksbr }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


def tracker_row(text=EVIL, owner=EVIL, note="one\r\ntwo\nthree", **changes):
    item = SimpleNamespace(text=text, status_note=note, owner_id=1 if owner is not None else None,
                           owner=SimpleNamespace(name=owner) if owner is not None else None)
    return {"item": item, "room": EVIL, "due": ("2026-12-01", "Dec 1, 2026"), "overdue": False,
            "status_label": "Not started", **changes}


def test_tracker_rows_escape_user_text_and_keep_line_breaks():
    html = report_html.tracker_rows([tracker_row()])
    assert "<b>" not in html
    assert html.count("&lt;b&gt;&amp;amp; &quot;q&quot; &#x27;a&#x27;&lt;/b&gt; =1+2") == 3
    assert '<td data-label="Note">one<br>two<br>three</td>' in html


def test_tracker_rows_are_the_markup_the_template_printed():
    rows = [
        tracker_row(),
        tracker_row(owner=None, due=None, overdue=True, note="", status_label="Blocked"),
        tracker_row(owner="", room=3, overdue=True, status_label="Done"),
    ]
    expected = Template(TRACKER_TEMPLATE).render(Context({"rows": rows}))
    assert report_html.tracker_rows(rows) == expected
    assert report_html.tracker_rows([]) == ""


def test_tracker_room_options_escape_and_select_the_filtered_room():
    html = report_html.tracker_room_options([1, 2, 10], selected=2)
    assert html == ('<option value="1">Room 1</option><option value="2" selected>Room 2</option>'
                    '<option value="10">Room 10</option>')
    with translation.override("en"), mock.patch.object(
        report_html.Room, "name_format", return_value="<Room> %(number)s"
    ):
        assert "&lt;Room&gt; 1" in report_html.tracker_room_options([1])
