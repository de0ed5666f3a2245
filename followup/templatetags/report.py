"""Template tags of the report page: its rooms and debrief answers, printed in Python
(followup/report_html.py explains why)."""

from django import template

from followup import report_html

register = template.Library()


@register.simple_tag
def report_rooms(rooms):
    """{% report_rooms report.rooms %}: a section per room."""
    return report_html.rooms(rooms)


@register.simple_tag
def report_answers(summary):
    """{% report_answers summary %}: the debrief's answers, as report/_answers.html."""
    return report_html.answers(summary)
