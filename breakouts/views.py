"""The room page: the server renders the room as it is now; static/js/room.js keeps it live."""

from datetime import date

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from breakouts.access import get_room_for_member
from breakouts.models import Item, Step
from breakouts.ops import (
    HELP_MAX_CHARS,
    ITEM_LONG_MAX_CHARS,
    ITEM_TEXT_MAX_CHARS,
    NOTE_MAX_CHARS,
    RATIONALE_MAX_CHARS,
)
from breakouts.room_markup import member_rows
from breakouts.snapshot import room_state
from workshops.snapshot import page_workshop_state

STEP_PROMPTS = {
    Step.DEFINE: _lazy(
        "Agree on one sentence: who is affected, what happens, and how you know. Describe the "
        "problem, not a solution."
    ),
    Step.ROOT_CAUSES: _lazy(
        "Ask “why?” until you reach a cause you can act on; sort causes into people, process, "
        "technology, environment."
    ),
    Step.ALTERNATIVES: _lazy(
        "Go for quantity first: every way the group could remove a root cause. Note the pros "
        "and cons of each; judge later."
    ),
    Step.SELECTION: _lazy(
        "Spread your votes over the alternatives you believe in; then the scribe records the "
        "chosen alternative and why the group chose it."
    ),
    Step.PLAN: _lazy(
        "Turn the choice into action items with one owner, a due date and a measure of "
        "success each; agree how the group will hold itself accountable."
    ),
}


def labels():
    """Returns the room page's translated texts for static/js/room.js."""
    return {
        "not_chosen": _("not chosen yet"),
        "choose": _("Choose"),
        "propose": _("Propose"),
        "chosen": _("Chosen"),
        "proposed_by": _("Proposed by %(name)s"),
        "challenge_help_scribe": _("You are the scribe: choose the challenge for your room."),
        "challenge_help_member": _("The scribe chooses the challenge; you can propose one."),
        "challenge_help_facilitator": _("You joined as the facilitator: you can choose the "
                                        "challenge, as the scribe can."),
        "items_root_causes": _("Root causes"),
        "items_alternatives": _("Alternatives"),
        "items_plan": _("Action items"),
        "field_text_root_causes": _("Root cause"),
        "field_text_alternatives": _("Alternative"),
        "field_text_plan": _("Task"),
        "field_category": _("Category"),
        "field_pros": _("Pros"),
        "field_cons": _("Cons"),
        "field_owner": _("Owner"),
        "field_due_date": _("Due date"),
        "field_success_measure": _("Success measure"),
        "field_status": _("Status"),
        "add_root_causes": _("Add root cause"),
        "add_alternatives": _("Add alternative"),
        "add_plan": _("Add action item"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "edit_item": _("Edit: %(text)s"),
        "delete_item": _("Delete: %(text)s"),
        "choose_challenge": _("Choose: %(title)s"),
        "propose_challenge": _("Propose: %(title)s"),
        "go_to_step": _("Go to the room's step: %(label)s"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "confirm_delete": _("Delete this item?"),
        "nobody": _("nobody"),
        "no_category": _("no category"),
        # Plural pairs [one, many] with %(n)s, chosen in the browser by n (English rules).
        "voted": [ngettext("%(n)s of %(total)s has voted", "%(n)s of %(total)s have voted", 1),
                  ngettext("%(n)s of %(total)s has voted", "%(n)s of %(total)s have voted", 2)],
        "tally_hidden": _("hidden until everyone has voted"),
        "tally": [ngettext("%(n)s vote", "%(n)s votes", 1),
                  ngettext("%(n)s vote", "%(n)s votes", 2)],
        "votes_left": _("You have %(n)s of %(max)s votes left."),
        "vote_add": _("Add a vote to %(title)s"),
        "my_dots": _("Your votes: %(n)s"),
        "vote_remove": _("Remove a vote from %(title)s"),
        "nothing_selected": _("Nothing chosen yet."),
        "no_alternative": _("(none)"),
        "selected": _("Chosen: %(title)s"),
        "because": _("Why: %(text)s"),
        "scribe": _("scribe"),
        "you_are_scribe": _("You are the scribe."),
        "offer_sent": _("Offer sent to %(name)s; waiting for them to accept."),
        "offer_pending": _("%(name)s has been offered the scribe role."),
        "offer_to_me": _("You have been offered the scribe role."),
        "online": _("online"),
        "offline": _("offline"),
        "time_up": _("Time is up"),
        "time_left": _("%(time)s left"),
        "note_empty": _("Nothing written yet."),
        "step_summary": _("Step %(n)s of %(total)s · %(label)s"),
        "timer_started": _("The facilitator started a timer: %(label)s."),
        "timer_default": _("Facilitator's timer"),
        "note_scribe_only": _("Only the scribe writes the notes; everyone sees them live."),
        "conflict": _("Someone else changed this note meanwhile; their version is shown. "
                      "Your text was:"),
        "use_mine": _("Use my text"),
        "help_sent": _("Help requested — the facilitator has been told."),
        "help_on_way": _("The facilitator is on the way."),
        "error": _("Not saved: %(message)s"),
        "plenary": _("Breakouts are over — follow your facilitator."),
        "broadcast": _("Message from the facilitator"),
        "dismiss": _("Dismiss"),
        "you": _("you"),
        "step_moved": _("The room moved to step %(n)s: %(label)s."),
        "challenge_chosen": _("Challenge chosen: %(title)s."),
        "room_elsewhere": _("You are viewing step %(viewing)s — the room is on step %(current)s."),
    }


def _date_text(iso):
    """A calendar date as on every page ("Dec 1, 2026"; the room's script writes the same)."""
    if not iso:
        return ""
    return date_format(date.fromisoformat(iso), "M j, Y")


def _drawn(state, page):
    """Returns what templates/breakouts/room.html draws before any script runs: the room at its
    current step, seen by this viewer, from the same snapshot static/js/room.js starts from."""
    room, me = state["room"], state["me"]
    me_id = me["participant"]["id"] if me["participant"] else None
    is_scribe = me["role"] == "facilitator" or (me_id is not None and room["scribe"] == me_id)
    can_write = me["role"] in ("member", "facilitator")
    names = {member["id"]: member["name"] for member in room["members"]}
    categories = {c["value"]: c["label"] for c in page["categories"]}
    statuses = {s["value"]: s["label"] for s in page["statuses"]}
    votes = room["votes"]
    used = sum(votes["mine"].values())

    def item(data):
        key = str(data["id"])
        own = me_id is not None and data["author"] == me_id
        return {
            **data,
            "author_name": names.get(data["author"], ""),
            "owner_name": names.get(data["owner"], ""),
            "due_text": _date_text(data.get("due_date")),
            "category_label": categories.get(data["category"], data["category"]),
            "status_label": statuses.get(data["status"], data["status"]),
            "may_edit": can_write and (is_scribe or own),
            "tally": votes["tallies"].get(key, 0),
            "mine": votes["mine"].get(key, 0),
            "dots": "●" * votes["mine"].get(key, 0) or "·",
        }

    items = [item(data) for data in room["items"]]
    step = str(room["step"])  # a plain str, for the template's shared parts (not a Step)
    index = [s["step"] for s in room["steps"]].index(step)
    alternatives = [i for i in items if i["step"] == Step.ALTERNATIVES]
    selected = next((i for i in alternatives if i["id"] == room["selection"]["item"]), None)
    return {
        "me": me_id,
        "is_scribe": is_scribe,
        "can_write": can_write,
        "can_vote": me_id is not None and can_write,
        "step": step,
        "step_label": room["steps"][index]["label"],
        "step_number": index + 1,
        "first_step": index == 0,
        "last_step": index == len(room["steps"]) - 1,
        "step_index": index,
        "step_count": len(room["steps"]),
        "next_label": (room["steps"][index + 1]["label"]
                       if index + 1 < len(room["steps"]) else ""),
        "prompt": page["prompts"].get(step, ""),
        "note": room["notes"].get(step, {}).get("text", ""),
        "items": [i for i in items if i["step"] == step],
        "alternatives": alternatives,
        "alternative_options": [(i["id"], i["text"]) for i in alternatives],
        "selected": selected,
        "selected_text": selected["text"] if selected else None,
        "selection": room["selection"],
        "voters": len(votes["voters"]),
        "tallies_hidden": votes["hidden"],
        "votes_left": votes["per_member"] - used,
        "scribe_name": names.get(room["scribe"], ""),
        "offered_to_me": me_id is not None and room["scribe_offer"] == me_id,
        "offer_name": names.get(room["scribe_offer"], ""),
        "item_steps": [Step.ROOT_CAUSES.value, Step.ALTERNATIVES.value, Step.PLAN.value],
    }


_pages = {}  # language → page_texts()
_page_parts = {}  # language → page_parts()


def page_texts():
    """Returns the room page's texts and limits in the active language: the same for every
    room page, so made once per language (a hundred translations per page at a breakout
    start of a thousand pages). Shared: callers must not change it."""
    language = get_language()
    page = _pages.get(language)
    if page is None:
        page = _pages[language] = {
            "labels": labels(),
            "prompts": {step: str(text) for step, text in STEP_PROMPTS.items()},
            "categories": [{"value": v, "label": str(label)} for v, label in Item.Category.choices],
            "statuses": [{"value": v, "label": str(label)} for v, label in Item.Status.choices],
            "limits": {
                "note": NOTE_MAX_CHARS, "item": ITEM_TEXT_MAX_CHARS, "long": ITEM_LONG_MAX_CHARS,
                "rationale": RATIONALE_MAX_CHARS, "help": HELP_MAX_CHARS,
            },
        }
    return page


def page_parts():
    """Returns what every room page draws the same in the active language, made once per
    language like page_texts(): the steps as (value, label) and the texts' JSON element."""
    language = get_language()
    parts = _page_parts.get(language)
    if parts is None:
        parts = _page_parts[language] = {
            "steps": [(step.value, str(step.label)) for step in Step],
            "json": json_script(page_texts(), "room-page"),
        }
    return parts


def page_state(workshop, room, participant, role, user_id=None, room_key=None):
    """Returns the `state` a room page starts from (the socket's `state` frame, the roster
    left out): for `participant`, or for a facilitator (`role` "observer"/"facilitator")."""
    return {
        "type": "state",
        "rev": workshop.rev,
        "workshop": page_workshop_state(workshop),
        "room": room_state(room, participant, room_key),
        "me": {
            "participant": participant.public() if participant else None,
            "role": role,
            "room": room.number,
            "user": user_id,
        },
    }


def personal_parts(workshop, room, participant, state, labels):
    """Returns the parts of a room page that name its viewer, as the page writes them: the
    participant's bar, the member list (who is "you") and the page's embedded state."""
    me = participant.pk if participant else None
    bar = render_to_string("workshops/_participant_bar.html", {
        "workshop": workshop, "person": participant, "place": room.name,
        "help_href": "#help-section",
    }) if participant else ""
    return {
        "bar": mark_safe(bar),  # noqa: S308 - a rendered template
        "members": member_rows(state["room"]["members"], state["room"]["scribe"], me, labels),
        "state": json_script(state, "room-state"),
    }


def room(request, code, number):
    """Shows a breakout room to its members and to the workshop's facilitators."""

    workshop, room, participant = get_room_for_member(request, code, number)
    acting = request.GET.get("as") == "facilitator" and participant is None
    query = f"?room={room.number}" + ("&as=facilitator" if acting else "")
    ws_path = f"/ws/w/{workshop.join_code}/"  # breakouts/routing.py
    if participant is None:
        ws_path += query
    role = "member" if participant else ("facilitator" if acting else "observer")
    state = page_state(workshop, room, participant, role,
                       request.user.pk if participant is None else None)
    page, parts = page_texts(), page_parts()
    view = _drawn(state, page)
    members = state["room"]["members"]
    personal = personal_parts(workshop, room, participant, state, page["labels"])
    # What the page was drawn from, for breakouts/room_page.py (a lobby socket's request).
    request.room_page = {"workshop": workshop, "state": state, "personal": personal}
    return render(
        request,
        "breakouts/room.html",
        {
            "workshop": workshop,
            "room": room,
            "participant": participant,
            "state": state,
            "room_data": state["room"],
            "page_data": page,
            "page_json": parts["json"],
            "ws_path": ws_path,
            "steps": parts["steps"],
            "prompts": page["prompts"],
            "acting": acting,
            "view": view,
            "categories": page["categories"],
            "statuses": page["statuses"],
            # What the shared parts and the row partials read (plain values, see the template).
            # What differs between two members who have not voted, written or been offered
            # the scribe role (breakouts/room_page.py draws the rest once for them all).
            "personal": personal,
            "member_template": member_rows([None], None, None, page["labels"]),
            "member_options": [(member["id"], member["name"]) for member in members],
            "member_count": len(members),
            "chosen": (state["room"]["challenge"] or {}).get("id"),
            "is_scribe": view["is_scribe"],
            "can_write": view["can_write"],
            "can_vote": view["can_vote"],
            "votes_left": view["votes_left"],
            "tallies_hidden": view["tallies_hidden"],
            "signals": {"join_code": workshop.join_code, "phase": str(workshop.phase)},
        },
    )
