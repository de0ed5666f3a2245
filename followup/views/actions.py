"""Accountability after the workshop: an owner's "My actions" and the facilitator's tracker."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from breakouts.models import Item
from followup import report_html
from followup.actions import action_items, is_overdue, set_action_status
from workshops.access import (
    get_participant_for_workshop,
    get_workshop_by_code,
    get_workshop_for_facilitator,
)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Item.Status.choices)
    status_note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def my_actions(request, code):
    """Lists the session participant's action items; POST updates one item's status and note."""
    workshop = get_workshop_by_code(code)
    participant = get_participant_for_workshop(request, workshop)
    items = list(action_items(workshop).filter(owner=participant))
    failed = None
    if request.method == "POST":
        item = get_object_or_404(action_items(workshop).filter(owner=participant),
                                 pk=request.POST.get("item"))
        form = ActionStatusForm(request.POST, prefix=f"item-{item.pk}")
        if form.is_valid():
            set_action_status(
                item, status=form.cleaned_data["status"], note=form.cleaned_data["status_note"]
            )
            messages.success(request, _("Progress saved for “%(task)s”.") % {"task": item.text})
            return redirect("report:my_actions", code=workshop.join_code)
        failed = (item.pk, form)
    today = timezone.localdate()
    rows = []
    for item in items:
        form = ActionStatusForm(
            initial={"status": item.status, "status_note": item.status_note},
            prefix=f"item-{item.pk}",
        )
        if failed and failed[0] == item.pk:
            form = failed[1]
        rows.append({"item": item, "form": form, "overdue": is_overdue(item, today)})
    return render(
        request,
        "report/my_actions.html",
        {"workshop": workshop, "participant": participant, "rows": rows},
    )


def _int_param(request, name):
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


# Rows per page of the tracker; a 100-room workshop has a thousand action items.
TRACKER_PAGE_SIZE = 50


def _tracker_rows(page, rounds):
    """Returns the tracker's rows: each item with what its row prints, the status label and
    each due date formatted once a page rather than once a row."""
    today = timezone.localdate()
    statuses = dict(Item.Status.choices)
    dates = {}
    rows = []
    for item in page:
        due = item.due_date
        if due and due not in dates:
            dates[due] = (date_format(due, "Y-m-d"), date_format(due, "M j, Y"))
        rows.append({
            "item": item,
            "overdue": is_overdue(item, today),
            "room": item.room.round_name if rounds > 1 else item.room.number,
            "due": dates.get(due),
            "status_label": statuses.get(item.status, item.status),
        })
    return rows


@login_required
def tracker(request, code):
    """The facilitator's accountability tracker: the action items 50 at a time, in room order,
    with status counts and overdue items highlighted, filtered by room (?room=<number>), owner
    (?owner=<participant id>) or the owner's name (?who=<text>). Fixed queries at any size."""
    workshop = get_workshop_for_facilitator(request, code)
    everything = action_items(workshop)
    room_number, owner_id = _int_param(request, "room"), _int_param(request, "owner")
    who = request.GET.get("who", "").strip()[:100]
    items = everything
    if room_number is not None:
        items = items.filter(room__number=room_number)
    if owner_id is not None:
        items = items.filter(owner_id=owner_id)
    if who:
        items = items.filter(owner__name__icontains=who)
    today = timezone.localdate()
    counts = dict(items.order_by().values_list("status").annotate(n=Count("pk")))
    page = Paginator(items, TRACKER_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"room": room_number, "owner": owner_id, "who": who}
    rows = _tracker_rows(page, workshop.rounds)
    return render(
        request,
        "report/tracker.html",
        {
            "workshop": workshop,
            "rows": rows,
            "row_markup": report_html.tracker_rows(rows),
            "page": page,
            "pages": list(page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                               on_ends=1)),
            "query": urlencode({k: v for k, v in filters.items() if v not in (None, "")}),
            "status_counts": [
                {"value": value, "label": label, "count": counts.get(value, 0)}
                for value, label in Item.Status.choices
            ],
            "overdue_count": items.filter(due_date__lt=today).exclude(
                status=Item.Status.DONE).count(),
            "room_options": report_html.tracker_room_options(
                everything.order_by("room__number").values_list("room__number", flat=True)
                .distinct(),
                room_number,
            ),
            "room_filter": room_number,
            "owner": (workshop.participants.filter(pk=owner_id).first()
                      if owner_id is not None else None),
            "who": who,
        },
    )
