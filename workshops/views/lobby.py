"""A participant's waiting room, and their own profile page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workshops import services
from workshops.access import get_workshop_by_code, participant_from_session
from workshops.forms import ParticipantForm
from workshops.public_roster import roster

# Each roster row drawn once per process (keyed by what it shows) instead of once per lobby
# page: in a join storm every page drew every row so far, and rendering the whole roster
# was most of a lobby page's time (1,000 joiners: ~500,000 row renders).
_rows = {}
ROW_CACHE_LIMIT = 20_000


def _roster_rows(people, me):
    """Returns the roster's <li> rows (workshops/_lobby_person.html), `me`'s row marked.

    `people` are Participant.public() dicts (workshops/public_roster.py)."""
    template = get_template("workshops/_lobby_person.html")
    language = get_language()
    if len(_rows) > ROW_CACHE_LIMIT:
        _rows.clear()
    html = []
    for person in people:
        pk = person["id"]
        if pk == me.pk:
            html.append(template.render({"p": {"pk": pk, **person}, "me": me}))
            continue
        key = (language, pk, person["name"], person["department"], person["location"])
        row = _rows.get(key)
        if row is None:
            row = _rows[key] = template.render({"p": {"pk": pk, **person}, "me": None})
        html.append(row)
    return mark_safe("".join(html))  # noqa: S308 - rendered by the template (autoescaped)


def _room_url(participant):
    """Returns the participant's room page, or None before they have a room."""
    if participant.room_id is None:
        return None
    return participant.room.get_absolute_url()


def _debrief_url(workshop):
    """Returns the debrief page while the debrief runs, else None."""
    if workshop.phase != workshop.Phase.DEBRIEF:
        return None
    return reverse("report:debrief", args=[workshop.join_code])


def lobby(request, code):
    """The lobby: challenges, who has joined, counts; it follows the workshop live.

    A browser that is not a participant here is sent to the join form. Once the participant
    has a room and breakouts are running, the lobby sends them to their room.
    """
    workshop = get_workshop_by_code(code)
    participant = participant_from_session(request.session, workshop)
    if participant is None:
        return redirect("workshops:join_code", workshop.join_code)
    room_url = _room_url(participant)
    if room_url and workshop.phase == workshop.Phase.BREAKOUTS:
        return redirect(room_url)
    everyone = roster(workshop.pk)  # one plain query; rows drawn once per process
    context = {
        "workshop": workshop,
        "me": participant,
        "room_url": room_url,
        "debrief_url": _debrief_url(workshop),
        "challenges": workshop.challenges.all(),
        "participants": everyone.people,
        "roster_rows": _roster_rows(everyone.people, participant),
        "roster_data": everyone.script("roster-data"),
        "counts": everyone.counts,
        # The page follows `room.assigned` itself (breakouts/consumers.py, docs/protocol.md).
        "ws_path": f"/ws/w/{workshop.join_code}/?page=lobby",
        "page_data": {"phase": workshop.phase, "me": participant.pk},
        # What the page's shared parts read (plain values: templatetags/shared_parts.py).
        "signals": {"join_code": workshop.join_code, "phase": str(workshop.phase)},
    }
    return render(request, "workshops/lobby.html", context)


def edit_me(request, code):
    """Lets a participant change name, department, location and e-mail until breakouts start."""
    workshop = get_workshop_by_code(code)
    participant = participant_from_session(request.session, workshop)
    if participant is None:
        return redirect("workshops:join_code", workshop.join_code)
    if not workshop.participants_can_edit_profile:
        messages.info(request, _("Your details cannot change once breakouts have started."))
        return redirect("workshops:lobby", workshop.join_code)
    form = ParticipantForm(request.POST or None, instance=participant, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        services.update_participant(
            participant,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
            attributes=form.attribute_values(),
        )
        messages.success(request, _("Your details are saved."))
        return redirect("workshops:lobby", workshop.join_code)
    return render(
        request, "workshops/me.html", {"workshop": workshop, "me": participant, "form": form}
    )
