"""Planning rooms: preview, reshuffle, move, pin, keep apart or together, then start breakouts.

The plan is for the workshop's next round (`Workshop.next_round`): round 1 in the lobby, a
later round in plenary while rounds are left. A draft of an earlier round is replaced by a
fresh one for the next round that keeps its pins, keep-apart and keep-together pairs.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakouts import plan_markup, plan_review, planning, services
from breakouts.plan_forms import MoveForm, PairForm, ParticipantForm, PlanSettingsForm
from workshops.access import get_workshop_for_facilitator
from workshops.models import PhaseError, Workshop
from workshops.phases import wording
from workshops.views.confirm import is_confirmed, render_confirm


def _replan(workshop, participants, draft, **choices):
    """Stores a fresh plan honouring the draft's pins, keep-apart pairs and mix levels
    (`choices`: room_count, use_met_before, seed, mix, as planning.draft_next_round takes)."""
    workshop.draft_plan = planning.draft_next_round(workshop, participants, draft, **choices)
    workshop.save(update_fields=["draft_plan", "updated_at"])


def _moving(request, view, by_id):
    """Returns (person, room number) named by `?move=<id>` (the page without its script
    opens the move dialog for them), or (None, None)."""
    try:
        person = by_id.get(int(request.GET.get("move", "")))
    except ValueError:
        return None, None
    room = next((r for r in view.rooms if person in r.members), None)
    return (person, room.number) if person and room else (None, None)


def _named_pairs(pairs, by_id):
    """Returns the (person, person) of the id pairs whose people are still here."""
    return [(by_id[a], by_id[b]) for a, b in pairs if a in by_id and b in by_id]


def _plan_url(workshop):
    return reverse("breakouts:plan", args=[workshop.join_code])


def _not_planning(workshop):
    """Returns the message why no round can be planned now."""
    if workshop.phase == Workshop.Phase.PLENARY:
        return _("All %(n)s rounds have run. Raise the number of rounds in the settings to run "
                 "another.") % {"n": workshop.rounds}
    if workshop.phase == Workshop.Phase.BREAKOUTS:
        return _("Breakouts have already started. The next round is planned in plenary.")
    return _("Rooms are planned in the lobby, before breakouts start.")


@login_required
def plan(request, code):
    """Shows the room preview; makes a first plan when there is none (or it lost people)."""
    workshop = get_workshop_for_facilitator(request, code)
    if workshop.next_round is None:
        messages.info(request, _not_planning(workshop))
        return redirect(workshop.get_absolute_url())
    participants = planning.plan_people(workshop)
    context = {"workshop": workshop, "participants": participants,
               "round": workshop.next_round,
               "not_arrived": workshop.participants.not_arrived().count()}
    if participants:
        draft = planning.carried_choices(workshop)
        if draft is None or not any(draft.get("rooms")):
            try:
                _replan(workshop, participants, draft)
            except planning.PlanError as exc:
                messages.error(request, str(exc))
                workshop.draft_plan = None
            draft = workshop.draft_plan
        if draft:
            attributes = planning.mixed_attributes(workshop, draft)
            view = plan_review.evaluate(workshop, draft, participants, attributes)
            room_count = len(draft["rooms"])
            by_id = {p.pk: p for p in participants}
            context.update(
                plan=view,
                draft=draft,
                pinned={int(pid) for pid in draft["pinned"]},
                keep_apart=_named_pairs(draft.get("keep_apart", ()), by_id),
                keep_together=_named_pairs(draft.get("keep_together", ()), by_id),
                settings_form=PlanSettingsForm(
                    participant_count=len(participants),
                    attributes=attributes,
                    initial={"room_count": room_count,
                             "use_met_before": draft.get("use_met_before", True)},
                ),
            )
            moving, moving_room = _moving(request, view, by_id)
            first_options, second_options = plan_markup.person_options(participants, (0, 1))
            context.update(
                moving=moving,
                room_cards=plan_markup.room_cards(
                    workshop, view.rooms, context["pinned"],
                    {pid for pair in draft.get("keep_together", ()) for pid in pair},
                ),
                room_options=plan_markup.room_options(room_count, moving_room),
                first_options=first_options,
                second_options=second_options,
            )
    return render(request, "breakouts/plan.html", context)


def plan_change(view=None, *, needs_draft=True):
    """Wraps one change of the draft plan: the facilitator's access, the lobby phase, someone
    to seat, a draft to change (a first one is drawn instead when there is none), and the
    refusal of a change as a message. Every change lands back on the plan page."""
    if view is None:
        return functools.partial(plan_change, needs_draft=needs_draft)

    @login_required
    @require_POST
    @functools.wraps(view)
    def wrapper(request, code):
        workshop = get_workshop_for_facilitator(request, code)
        if workshop.next_round is None:
            messages.error(request, _not_planning(workshop))
            return redirect(workshop.get_absolute_url())
        participants = planning.plan_people(workshop)
        if not participants:
            messages.error(request, _("Nobody has joined yet."))
            return redirect(_plan_url(workshop))
        draft = planning.carried_choices(workshop)
        try:
            if not (draft and draft.get("rooms")) and needs_draft:
                _reshuffle(request, workshop, participants, draft)
            else:
                view(request, workshop, participants, draft)
        except planning.PlanError as exc:
            messages.error(request, _("The plan was not changed: %(why)s") % {"why": exc})
        except (TypeError, ValueError):
            messages.error(request, _("The plan was not changed: the request was malformed."))
        return redirect(_plan_url(workshop))

    return wrapper


@plan_change(needs_draft=False)
def reshuffle(request, workshop, participants, draft):
    _reshuffle(request, workshop, participants, draft)


def _reshuffle(request, workshop, participants, draft):
    attributes = planning.mixed_attributes(workshop, draft)
    form = PlanSettingsForm(
        request.POST, participant_count=len(participants), attributes=attributes
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    _replan(
        workshop, participants, draft,
        room_count=form.cleaned_data["room_count"],
        use_met_before=form.cleaned_data["use_met_before"],
        mix=form.mix_levels(),
    )
    messages.success(request, _("New rooms planned."))


@plan_change
def move(request, workshop, participants, draft):
    form = MoveForm(request.POST, participants=participants, room_count=len(draft["rooms"]))
    if not form.is_valid():
        messages.error(request, _("Choose a person and a room."))
        return
    participant_id, number = form.cleaned_data["participant"], form.cleaned_data["room"]
    along = planning.move_in_draft(draft, participant_id, number - 1)
    workshop.save(update_fields=["draft_plan", "updated_at"])
    names = {p.pk: p.name for p in participants}
    if along:
        messages.success(request, _("%(name)s moved to room %(n)s, with %(others)s (kept "
                                    "together).") % {
            "name": names[participant_id], "n": number,
            "others": ", ".join(names[pid] for pid in along if pid in names)})
    else:
        messages.success(
            request, _("%(name)s moved to room %(n)s.") % {"name": names[participant_id],
                                                           "n": number})


@plan_change
def pin(request, workshop, participants, draft):
    _set_pin(request, workshop, participants, draft, pin=True)


@plan_change
def unpin(request, workshop, participants, draft):
    _set_pin(request, workshop, participants, draft, pin=False)


def _set_pin(request, workshop, participants, draft, *, pin):
    form = ParticipantForm(request.POST, participants=participants)
    if not form.is_valid():
        messages.error(request, _("Choose a person."))
        return
    pid = form.cleaned_data["participant"]
    if pin:
        room_index = next((i for i, room in enumerate(draft["rooms"]) if pid in room), None)
        if room_index is None:
            messages.error(request, _("Reshuffle first: this person is not in the plan yet."))
            return
        draft["pinned"][str(pid)] = room_index
    else:
        draft["pinned"].pop(str(pid), None)
    workshop.save(update_fields=["draft_plan", "updated_at"])


def _add_pair(request, workshop, participants, draft, key, pair, *, honoured, kept, redrawn):
    """Adds `pair` to the draft's `key` list ("keep_apart" or "keep_together"). A plan that
    already `honoured` it is kept as it is, manual moves included; otherwise the rooms are
    redrawn at once, so the preview honours the pair (or says why it cannot). Says which
    (`kept` or `redrawn`, with the two names)."""
    names = {p.pk: p.name for p in participants}
    pair_names = {"a": names[pair[0]], "b": names[pair[1]]}
    pairs = [*draft.get(key, []), pair]
    if honoured:
        draft[key] = pairs
        workshop.save(update_fields=["draft_plan", "updated_at"])
        messages.success(request, kept % pair_names)
        return
    _replan(workshop, participants, {**draft, key: pairs}, seed=draft.get("seed"))
    messages.success(request, redrawn % pair_names)


def _remove_pair(request, workshop, draft, key):
    """Drops the POSTed `pair` from the draft's `key` list; the rooms stay as they are."""
    pair = sorted(int(x) for x in request.POST.getlist("pair")[:2])
    draft[key] = [p for p in draft.get(key, []) if sorted(p) != pair]
    workshop.save(update_fields=["draft_plan", "updated_at"])


def _room_of(draft, participant_id):
    """Returns the index of the draft's room holding the person (None: not placed yet)."""
    return next((i for i, room in enumerate(draft["rooms"]) if participant_id in room), None)


def _chosen_pair(request, form):
    """Returns the form's pair of ids, or None after saying what is wrong."""
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Choose two people.")]:
            messages.error(request, error)
        return None
    return form.pair()


@plan_change
def keep_apart(request, workshop, participants, draft):
    pair = _chosen_pair(request, PairForm(request.POST, participants=participants))
    if pair is None or pair in draft["keep_apart"]:
        return
    names = {p.pk: p.name for p in participants}
    if pair[1] in planning.together_with(draft, pair[0]):
        messages.error(request, _("%(a)s and %(b)s are kept together. Stop keeping them together "
                                  "first.") % {"a": names[pair[0]], "b": names[pair[1]]})
        return
    _add_pair(
        request, workshop, participants, draft, "keep_apart", pair,
        honoured=_room_of(draft, pair[0]) != _room_of(draft, pair[1]),
        kept=_("%(a)s and %(b)s are in different rooms and will stay apart when you "
               "reshuffle."),
        redrawn=_("The rooms were redrawn so that %(a)s and %(b)s are apart."),
    )


@plan_change
def keep_apart_remove(request, workshop, participants, draft):
    _remove_pair(request, workshop, draft, "keep_apart")


@plan_change
def keep_together(request, workshop, participants, draft):
    pair = _chosen_pair(request, PairForm(request.POST, participants=participants))
    together = draft.get("keep_together", [])
    if pair is None or pair in together:
        return
    names = {p.pk: p.name for p in participants}
    a, b = names[pair[0]], names[pair[1]]
    group = {pair[0], pair[1], *planning.together_with(draft, pair[0]),
             *planning.together_with(draft, pair[1])}
    if pair in draft["keep_apart"]:
        messages.error(request, _("%(a)s and %(b)s are kept apart. Stop keeping them apart "
                                  "first.") % {"a": a, "b": b})
        return
    if any({x, y} <= group for x, y in draft["keep_apart"]):
        messages.error(request, _("%(a)s and %(b)s cannot be kept together: someone they would "
                                  "sit with is kept apart from them. Stop keeping that pair "
                                  "apart first.") % {"a": a, "b": b})
        return
    pinned_rooms = {draft["pinned"][str(pid)] for pid in group if str(pid) in draft["pinned"]}
    if len(pinned_rooms) > 1:
        messages.error(request, _("%(a)s and %(b)s cannot be kept together: they are pinned to "
                                  "different rooms. Unpin one of them first.") % {"a": a, "b": b})
        return
    _add_pair(
        request, workshop, participants, draft, "keep_together", pair,
        honoured=len({_room_of(draft, pid) for pid in group}) == 1,
        kept=_("%(a)s and %(b)s share a room and will stay together when you reshuffle."),
        redrawn=_("The rooms were redrawn so that %(a)s and %(b)s share a room."),
    )


@plan_change
def keep_together_remove(request, workshop, participants, draft):
    _remove_pair(request, workshop, draft, "keep_together")


@login_required
@require_POST
def start(request, code):
    """Turns the draft plan into rooms and sends everyone to theirs (breakouts/services.py)."""
    workshop = get_workshop_for_facilitator(request, code)
    if workshop.next_round is None:
        messages.error(request, _not_planning(workshop))
        return redirect(workshop.get_absolute_url())
    if not is_confirmed(request):  # asked here too: a click before the page's script loads
        label, confirm = wording(workshop, Workshop.Phase.BREAKOUTS)
        if workshop.next_round > 1:
            label = _("Start round %(n)s") % {"n": workshop.next_round}
            confirm = _("Everyone moves to their new room; earlier rooms stay in the report.")
        return render_confirm(
            request, title=label, message=confirm, button=label,
            cancel_url=_plan_url(workshop), workshop=workshop,
        )
    try:
        rooms = services.start_breakouts(workshop)
    except (PhaseError, planning.PlanError) as exc:
        messages.error(request, str(exc))
        return redirect(_plan_url(workshop))
    workshop.refresh_from_db(fields=["current_round"])
    if workshop.current_round > 1:
        started = _("Round %(round)s started in %(n)s rooms. Everyone has been sent to their "
                    "new room.")
    else:
        started = _("Breakouts started in %(n)s rooms. Everyone has been sent to their room.")
    messages.success(request, started % {"n": len(rooms), "round": workshop.current_round})
    return redirect(reverse("breakouts:control", args=[workshop.join_code]))
