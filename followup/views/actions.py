"""Accountability after the workshop: an owner's "My actions" and the facilitator's tracker."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from breakouts.models import Item
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


@login_required
def tracker(request, code):
    """The facilitator's accountability tracker: every action item, status counts, overdue
    items highlighted, filtered by room (?room=<number>) and owner (?owner=<participant id>)."""
    workshop = get_workshop_for_facilitator(request, code)
    everything = list(action_items(workshop))
    room_number, owner_id = _int_param(request, "room"), _int_param(request, "owner")
    items = [
        item
        for item in everything
        if (room_number is None or item.room.number == room_number)
        and (owner_id is None or item.owner_id == owner_id)
    ]
    today = timezone.localdate()
    counts = Counter(item.status for item in items)
    rooms = sorted({item.room.number for item in everything})
    owners = sorted(
        {item.owner for item in everything if item.owner}, key=lambda p: (p.name, p.pk)
    )
    return render(
        request,
        "report/tracker.html",
        {
            "workshop": workshop,
            "rows": [{"item": item, "overdue": is_overdue(item, today)} for item in items],
            "status_counts": [
                {"value": value, "label": label, "count": counts.get(value, 0)}
                for value, label in Item.Status.choices
            ],
            "overdue_count": sum(is_overdue(item, today) for item in items),
            "rooms": rooms,
            "owners": owners,
            "room_filter": room_number,
            "owner_filter": owner_id,
        },
    )
