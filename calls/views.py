"""The facilitator's calls page (how rooms talk, the links) and the meeting exports."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from calls import rosters
from calls.forms import CallSettingsForm
from calls.models import CallSettings, RoomCall, jitsi_origin
from workshops.access import get_workshop_for_facilitator


def room_numbers(workshop):
    """Returns the room numbers to offer a link for: the rooms once they exist, else the
    draft plan's, else as many as the workshop would open now; plus any with a stored link."""
    numbers = set(workshop.rooms.values_list("number", flat=True))
    if not numbers:
        plan = rosters.meeting_plan(workshop)
        count = len(plan.rooms) if plan else workshop.planned_room_count(
            workshop.participants.arrived().count()
        )
        numbers = set(range(1, count + 1))
    numbers |= set(workshop.room_calls.exclude(link="").values_list("number", flat=True))
    return sorted(numbers)


@login_required
def call_settings(request, code):
    """Shows and saves how the workshop's rooms talk."""
    workshop = get_workshop_for_facilitator(request, code)
    current = CallSettings.of(workshop)
    numbers = room_numbers(workshop)
    links = dict(workshop.room_calls.values_list("number", "link"))
    initial = {
        "mode": current.mode, "link_pattern": current.link_pattern,
        "meeting_link": current.meeting_link,
        **{f"room_{n}": links.get(n, "") for n in numbers},
    }
    form = CallSettingsForm(request.POST or None, initial=initial, numbers=numbers)
    if request.method == "POST":
        if form.is_valid():
            _save(workshop, current, form)
            messages.success(request, _("Call settings saved."))
            return redirect("calls:settings", workshop.join_code)
        messages.error(request, _("Nothing was saved: see the marked fields."))
    context = {
        "workshop": workshop,
        "form": form,
        "jitsi_origin": jitsi_origin(),
        "plan": rosters.meeting_plan(workshop),
    }
    return render(request, "calls/settings.html", context, status=400 if form.errors else 200)


@transaction.atomic
def _save(workshop, current, form):
    data = form.cleaned_data
    current.mode = data["mode"]
    current.link_pattern = data["link_pattern"]
    current.meeting_link = data["meeting_link"]
    current.save()
    for number in form.numbers:
        call, _created = RoomCall.objects.get_or_create(workshop=workshop, number=number)
        if call.link != data[f"room_{number}"]:
            call.link = data[f"room_{number}"]
            call.save(update_fields=["link"])


def _download(text, filename, content_type="text/csv; charset=utf-8"):
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def with_meeting_plan(view):
    """Makes a facilitator's view of the rooms as planned or running: it is called with the
    workshop and its MeetingPlan, or the facilitator goes back to the calls page with a
    message when there are no rooms yet."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, code):
        workshop = get_workshop_for_facilitator(request, code)
        plan = rosters.meeting_plan(workshop)
        if plan is None:
            messages.info(request, _("There are no rooms to export yet: plan the rooms first."))
            return redirect("calls:settings", workshop.join_code)
        return view(request, workshop, plan)

    return wrapper


@with_meeting_plan
def zoom_csv(request, workshop, plan):
    """Zoom's breakout-room pre-assignment file of the rooms as planned or running."""
    return _download(rosters.zoom_csv(plan), f"{workshop.join_code}-zoom-breakout-rooms.csv")


@with_meeting_plan
def roster_csv(request, workshop, plan):
    """The rooms as a spreadsheet: one row per person with the workshop's attributes (and the
    room's link in "our own links" mode), for filling Teams rooms by hand."""
    with_links = rosters.add_links(plan, CallSettings.of(workshop))
    text = rosters.roster_csv(
        plan, _("(no e-mail: add by hand)"), list(workshop.attributes.all()), with_links
    )
    return _download(text, f"{workshop.join_code}-rooms.csv")


@with_meeting_plan
def roster(request, workshop, plan):
    """The rooms as a printable page, one table per room (and its link in links mode)."""
    with_links = rosters.add_links(plan, CallSettings.of(workshop))
    attributes = list(workshop.attributes.all())
    for room in plan.rooms:
        for person in room.members:  # the table's cells, in the workshop's order
            person.attribute_cells = [(a.label, a.value_of(person)) for a in attributes]
    context = {
        "workshop": workshop, "plan": plan, "with_links": with_links, "attributes": attributes,
    }
    return render(request, "calls/roster.html", context)
