"""The workshop report page and its downloads (Markdown, CSV, JSON, iCalendar).

Facilitators get everything; a participant gets their own room and the debrief summary; anyone
else gets 404. Printing the page (print.css) is how a PDF is made.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from followup import report as reports
from workshops.access import get_participant_for_workshop, get_workshop_by_code


def _get_report_viewer(request, code):
    """Returns (workshop, participant or None): None means a facilitator of the workshop.

    Raises 404 for everyone who is neither a facilitator nor a participant of it.
    """
    workshop = get_workshop_by_code(code)
    if workshop.is_facilitator(request.user):
        return workshop, None
    return workshop, get_participant_for_workshop(request, workshop)


def _build(request, code):
    workshop, participant = _get_report_viewer(request, code)
    hide = request.GET.get("names") == "hide"
    return workshop, participant, reports.build_report(
        workshop, participant=participant, hide_names=hide
    )


def _download(body, content_type, workshop, extension):
    name = f"{slugify(workshop.title) or 'workshop'}-{workshop.join_code.lower()}.{extension}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report_page(request, code):
    """The report as one page for screen and print."""
    workshop, participant, report = _build(request, code)
    return render(
        request,
        "report/report.html",
        {"workshop": workshop, "participant": participant, "report": report},
    )


def report_markdown(request, code):
    workshop, _participant, report = _build(request, code)
    return _download(
        reports.render_markdown(report), "text/markdown; charset=utf-8", workshop, "md"
    )


def report_json(request, code):
    workshop, _participant, report = _build(request, code)
    return _download(
        reports.render_json(report), "application/json; charset=utf-8", workshop, "json"
    )


def _build_actions(request, code):
    workshop, participant = _get_report_viewer(request, code)
    return workshop, reports.build_action_report(workshop, participant=participant)


def actions_csv(request, code):
    workshop, report = _build_actions(request, code)
    return _download(
        reports.render_actions_csv(report), "text/csv; charset=utf-8", workshop, "csv"
    )


def actions_ics(request, code):
    workshop, report = _build_actions(request, code)
    body = reports.render_actions_ics(report, domain=request.get_host().split(":")[0])
    return _download(body, "text/calendar; charset=utf-8", workshop, "ics")
