"""The roster: the dashboard's searchable, paginated list (and its live fragment), CSV import
with a preview, the personal-links download, removing a participant.

Between preview and confirm the parsed rows wait in the facilitator's session (one pending
import per workshop), so the file is read once and confirm imports exactly what was shown.
Rows are checked again on confirm, because people may have joined in the meantime.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from workshops import services
from workshops.access import get_workshop_for_facilitator
from workshops.forms import RosterUploadForm
from workshops.roster import (
    RosterError,
    expected_columns,
    parse_roster,
    valid_rows,
    write_links_csv,
)
from workshops.views.confirm import is_confirmed, render_confirm

# A roster page: short enough to load fast on a conference network and to scan by eye.
ROSTER_PAGE_SIZE = 50
ROSTER_QUERY_MAX = 100
INVITED_NAMES = 50  # the dashboard names this many invited people who are not here yet


# The roster rows' texts, translated once per page instead of once per row.
ROSTER_TEXTS = {
    "name": gettext_lazy("Name"), "department": gettext_lazy("Department"),
    "location": gettext_lazy("Location"), "joined": gettext_lazy("Joined"),
    "remove": gettext_lazy("Remove"), "confirm_title": gettext_lazy("Remove this participant?"),
    "confirm": gettext_lazy("They leave the roster and their votes are deleted. They can join "
                            "again with the code while joining is open."),
}


def roster_context(request, workshop):
    """Returns what templates/workshops/_roster.html shows: one page of the roster, newest
    first (people who just joined are on page 1), filtered by `?q=`, and the workshop's counts.
    Only people who have arrived are on it; the invited who have not are counted and named apart.

    A fixed number of queries whatever the size of the roster; a page number out of range shows
    the last page.
    """
    query = request.GET.get("q", "").strip()[:ROSTER_QUERY_MAX]
    everyone = workshop.participants.arrived()
    # A page of rows with what a roster row prints, not model instances.
    matching = everyone.matching(query).order_by("-joined_at", "-pk").values_list(
        "pk", "name", "department", "location", "joined_at", named=True
    )
    paginator = Paginator(matching, ROSTER_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    total = everyone.count() if query else paginator.count
    return {
        "workshop": workshop,
        "roster_page": page,
        "roster_pages": list(page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                                   on_ends=1)),
        "roster_query": query,
        "roster_query_string": urlencode({"q": query}) if query else "",
        "roster_total": total,
        "roster_rows": _roster_rows(request, workshop, page.object_list),
        **_invited(workshop),
        "counts": {
            "department": everyone.label_counts("department"),
            "location": everyone.label_counts("location"),
        },
    }


def _invited(workshop):
    """Returns the imported people who have not opened their personal link yet: how many, and
    (id, name) of the first INVITED_NAMES of them by name (one query whatever their number)."""
    rows = list(
        workshop.participants.not_arrived()
        .annotate(total=Window(Count("pk")))  # counted before the LIMIT: one query in all
        .order_by("name", "pk").values_list("pk", "name", "total")[:INVITED_NAMES]
    )
    count = rows[0][2] if rows else 0
    return {"invited_count": count, "invited_names": [row[:2] for row in rows],
            "invited_more": count - len(rows)}


def _roster_rows(request, workshop, people):
    """Returns the roster's <tr>s: a person's name, department, location, when they joined,
    and a button to remove them. Built as a string (each value escaped): through the template
    engine the 50 rows of a page were most of the dashboard's CPU."""
    t = {key: escape(str(text)) for key, text in ROSTER_TEXTS.items()}
    token = escape(get_token(request))
    # Each row's remove URL is head + the person's id + tail, reversed once for the page.
    marker = "987654321"
    head, _marker, tail = reverse(
        "workshops:participant_remove", args=[workshop.join_code, int(marker)]
    ).rpartition(marker)
    rows = []
    for p in people:
        name = escape(p.name)
        joined = timezone.localtime(p.joined_at)
        action = escape(f"{head}{p.pk}{tail}")
        rows.append(
            f'<tr data-participant-id="{p.pk}" data-key="{p.pk}">'
            f'<td data-field="name" data-label="{t["name"]}">{name}</td>'
            f'<td data-field="department" data-label="{t["department"]}">'
            f'{escape(p.department)}</td>'
            f'<td data-field="location" data-label="{t["location"]}">{escape(p.location)}</td>'
            f'<td data-label="{t["joined"]}"><time data-field="joined_at" data-local-time="time" '
            f'datetime="{joined.isoformat()}">{joined.strftime("%H:%M")}</time></td>'
            f'<td class="text-end"><form method="post" action="{action}" '
            f'data-confirm="{t["confirm"]}" data-confirm-title="{t["confirm_title"]}" '
            f'data-confirm-button="{t["remove"]}" data-confirm-danger>'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            f'<button type="submit" class="btn btn-sm btn-outline-danger">{t["remove"]}'
            f'<span class="visually-hidden"> <span data-field="name">{name}</span></span>'
            f'</button></form></td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped


@login_required
def roster(request, code):
    """The dashboard's roster part alone (same `?q=` and `?page=`): static/js/facilitator_lobby.js
    fetches it when people join, change or leave, so the page shows what the server would."""
    workshop = get_workshop_for_facilitator(request, code)
    return render(request, "workshops/_roster.html", roster_context(request, workshop))


def _pending_key(workshop):
    return f"roster_import_{workshop.pk}"


@login_required
def roster_import(request, code):
    """Upload (GET form, POST file) → preview of every row and its problems → confirm."""
    workshop = get_workshop_for_facilitator(request, code)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm_import(request, workshop)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        request.session.pop(_pending_key(workshop), None)
        return redirect(workshop)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    rows, ignored = None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster = parse_roster(upload.read(), workshop)
        except RosterError as error:
            form.add_error("file", str(error))
        else:
            rows, ignored = roster.rows, roster.ignored_columns
            attributes = list(workshop.attributes.all())
            for row in rows:  # the preview's cells, in the workshop's order
                row["attribute_cells"] = [row["attributes"].get(a.key, "") for a in attributes]
            if valid_rows(rows):
                request.session[_pending_key(workshop)] = rows
            else:
                form.add_error("file", _("No row can be imported; fix the problems and retry."))
    context = {
        "workshop": workshop,
        "form": form,
        "rows": rows,
        "attributes": list(workshop.attributes.all()),
        "columns": expected_columns(workshop),
        "ignored_columns": ignored,
        "valid_count": len(valid_rows(rows or [])),
        "can_import": bool(rows) and not form.errors,
    }
    status = 400 if form.errors else 200
    return render(request, "workshops/roster_import.html", context, status=status)


def _confirm_import(request, workshop):
    pending = request.session.pop(_pending_key(workshop), None)
    if not pending:
        messages.error(request, _("Nothing to import: upload the file again."))
        return redirect("workshops:roster_import", workshop.join_code)
    # Re-check against the roster as it is now (e-mails may have been taken since the preview).
    rows = [row for row in pending if not row["problems"]]
    emails = workshop.participants.exclude(email="").values_list("email", flat=True)
    taken = {email.casefold() for email in emails}
    rows = [row for row in rows if not row["email"] or row["email"].casefold() not in taken]
    created = services.import_participants(workshop, rows)
    messages.success(
        request,
        ngettext(
            "%(count)s participant imported; each has a personal link.",
            "%(count)s participants imported; each has a personal link.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect(workshop)


@login_required
def roster_links(request, code):
    """Downloads name, e-mail, department, location, the workshop's attributes and the personal
    link of every participant."""
    workshop = get_workshop_for_facilitator(request, code)
    participants = workshop.participants.order_by("name", "pk")
    text = write_links_csv(
        participants,
        lambda p: request.build_absolute_uri(p.get_absolute_url()),
        list(workshop.attributes.all()),
    )
    # The BOM makes spreadsheet programs read the file as UTF-8.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    filename = f"roundtable-{workshop.join_code}-links.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def participant_remove(request, code, pk):
    """Removes a participant from the workshop after confirmation; everyone sees them leave."""
    workshop = get_workshop_for_facilitator(request, code)
    participant = get_object_or_404(workshop.participants, pk=pk)
    if not is_confirmed(request):
        return render_confirm(
            request,
            title=_("Remove %(name)s?") % {"name": participant.name},
            message=_(
                "They leave the roster and their votes are deleted. They can join again with "
                "the code while joining is open."
            ),
            button=_("Remove"),
            cancel_url=workshop.get_absolute_url(),
            danger=True,
            workshop=workshop,
        )
    services.remove_participant(participant)
    messages.success(request, _("%(name)s was removed.") % {"name": participant.name})
    return redirect(workshop)
