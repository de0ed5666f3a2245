"""The room ops of the live protocol (ROOM_OPS): read the frame, check who may, call the room.

The op pipeline (live/pipeline.py) runs these handlers inside the group-commit writer's
transaction, idempotently by op id. Every check happens before the first write, so a refused
op leaves nothing behind and never breaks the batch it rides in. The rules themselves (who is
the scribe, who may edit an item, what a vote may be) are Room methods; this module reads the
frame and turns bad input into stable error codes (docs/protocol.md).
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from breakouts.models import STEP_ORDER, Item, NoteConflict, NoteTooLong, Room, Step, Vote
from breakouts.models.notes import NOTE_MAX_CHARS
from breakouts.textops import EditError
from live.fields import int_field, text_field
from live.pipeline import OpError, OpTable
from workshops.models import Participant, Workshop


def authorize(actor):
    """A facilitator acting in a room must still run the workshop, at every op (members'
    rights are read with the room: `load_room`, and the scribe check of `note.set`)."""
    if actor.user_id is None:
        return
    runs_it = Workshop.objects.filter(pk=actor.workshop_id).filter(
        Q(owner_id=actor.user_id) | Q(cofacilitators__id=actor.user_id)
    )
    if not runs_it.exists():
        raise OpError("forbidden", _("You no longer run this workshop."))


def read_ahead(jobs):
    """The batch's note writes read their rooms and notes in one round trip (the first write
    of each room; a later one reads after it: Room.for_note_write)."""
    keys = {}
    for job in jobs:
        actor, step = job.actor, job.frame.get("step")
        if job.op in NOTE_OPS and step in STEP_ORDER and actor.room_id and actor.may_write:
            keys.setdefault(actor.room_id, (actor.room_id, actor.workshop_id, step))
    Room.read_ahead(list(keys.values()))


NOTE_OPS = ("note.set", "note.edit")
ROOM_OPS = OpTable("room", authorize=authorize, prefetch=read_ahead)


def check_proposal(frame, actor):
    """Returns the challenge id a member may propose to the scribe (nothing is stored: the
    socket answers `challenge.propose` itself), or raises OpError."""
    challenge = int_field(frame, "challenge")
    authorize(actor)
    if not Workshop.objects.filter(pk=actor.workshop_id, challenges__pk=challenge).exists():
        raise OpError("not_found", _("This challenge does not exist."))
    return challenge

ITEM_TEXT_MAX_CHARS = 500
ITEM_LONG_MAX_CHARS = 2_000
RATIONALE_MAX_CHARS = 5_000
HELP_MAX_CHARS = 500
ITEMS_PER_STEP = 100

ITEM_FIELDS = {
    Step.ROOT_CAUSES: {"text", "category"},
    Step.ALTERNATIVES: {"text", "pros", "cons"},
    Step.PLAN: {"text", "owner", "due_date", "success_measure", "status", "status_note"},
}
FIELD_LIMITS = {
    "text": ITEM_TEXT_MAX_CHARS,
    "success_measure": ITEM_TEXT_MAX_CHARS,
    "pros": ITEM_LONG_MAX_CHARS,
    "cons": ITEM_LONG_MAX_CHARS,
    "status_note": ITEM_LONG_MAX_CHARS,
}


def step_field(frame, allowed=STEP_ORDER):
    step = frame.get("step")
    if step not in allowed:
        raise OpError("invalid", _("Unknown step."))
    return step


# -- loading what an op acts on -------------------------------------------------------------


def load_room(actor):
    """Returns the actor's room with its workshop; checks it is open and the actor is in it."""
    if actor.room_id is None:
        raise OpError("not_found", _("You are not in a room."))
    if not actor.may_write:
        raise OpError("forbidden", _("Join the room as facilitator to change it."))
    room = (
        Room.objects.select_related("workshop")
        .filter(pk=actor.room_id, workshop_id=actor.workshop_id)
        .first()
    )
    if room is None:
        raise OpError("not_found", _("This room no longer exists."))
    if room.workshop.phase == room.workshop.Phase.CLOSED:
        raise OpError("forbidden", _("This workshop is closed."))
    if room.round != room.workshop.current_round:
        raise OpError("forbidden", _("This round is over: its rooms are read-only."))
    if actor.participant_id is not None and not actor.acts_as_facilitator:
        if not Participant.objects.filter(pk=actor.participant_id, room_id=room.pk).exists():
            raise OpError("forbidden", _("You are no longer a member of this room."))
    return room


def require_scribe(room, actor):
    if not room.is_scribe(actor):
        raise OpError("forbidden", _("Only the scribe can do this."))


def load_item(room, frame):
    item_id = int_field(frame, "item")
    item = Item.objects.filter(pk=item_id, room=room).first()
    if item is None:
        raise OpError("not_found", _("This item no longer exists."))
    return item


def load_member(room, participant_id):
    member = room.members.filter(pk=participant_id).first()
    if member is None:
        raise OpError("invalid", _("That person is not a member of this room."))
    return member


def clean_item_fields(room, step, fields, *, partial):
    """Returns model field values from a client's `fields` for an item of `step`."""
    if not isinstance(fields, dict):
        raise OpError("invalid", _("“fields” must be an object."))
    allowed = ITEM_FIELDS[step]
    unknown = set(fields) - allowed
    if unknown:
        raise OpError("invalid", _("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    if not partial and "text" not in fields:
        raise OpError("invalid", _("“text” cannot be empty."))
    cleaned = {}
    for name in fields:
        if name in FIELD_LIMITS:
            cleaned[name] = text_field(
                fields, name, FIELD_LIMITS[name], required=name == "text"
            ).strip()
        elif name == "category":
            value = fields[name] or ""
            if value and value not in Item.Category.values:
                raise OpError("invalid", _("Unknown category."))
            cleaned[name] = value
        elif name == "status":
            if fields[name] not in Item.Status.values:
                raise OpError("invalid", _("Unknown status."))
            cleaned[name] = fields[name]
        elif name == "owner":
            owner = int_field(fields, "owner", allow_none=True)
            cleaned["owner"] = load_member(room, owner) if owner is not None else None
        elif name == "due_date":
            value = fields[name] or None
            if value is not None:
                try:
                    value = datetime.date.fromisoformat(value)
                except (TypeError, ValueError):
                    raise OpError("invalid", _("“due_date” must be a date (YYYY-MM-DD).")) from None
            cleaned["due_date"] = value
    return cleaned


# -- the write ops --------------------------------------------------------------------------


def load_note_writer(actor, step):
    """The note hot path's checks in one round trip: the room exists, is open, is of the
    current round, and the actor writes its notes. Returns the NoteRoom (the room's row
    locked: breakouts/models/notes.py)."""
    if actor.room_id is None:
        raise OpError("not_found", _("You are not in a room."))
    if not actor.may_write:
        raise OpError("forbidden", _("Join the room as facilitator to change it."))
    found = Room.for_note_write(actor.room_id, actor.workshop_id, step)
    if found is None:
        raise OpError("not_found", _("This room no longer exists."))
    if found.phase == Workshop.Phase.CLOSED:
        raise OpError("forbidden", _("This workshop is closed."))
    if found.room.round != found.current_round:
        raise OpError("forbidden", _("This round is over: its rooms are read-only."))
    require_scribe(found.room, actor)
    return found


def note_conflict(step, conflict):
    return OpError(
        "conflict",
        _("Someone else changed this note meanwhile."),
        current={"step": step, "text": conflict.text, "note_rev": conflict.rev},
    )


@ROOM_OPS.register("note.set")
def note_set(frame, actor):
    """The hot path: one room check and the note write in plain SQL, no ORM objects."""
    step = step_field(frame)
    text = text_field(frame, "text", NOTE_MAX_CHARS)
    base_rev = int_field(frame, "base_rev")
    found = load_note_writer(actor, step)
    try:
        return found.room.write_note(
            step, text, base_rev, actor.participant_id, actor.tab, note=found.note
        )
    except NoteConflict as conflict:
        raise note_conflict(step, conflict) from None


@ROOM_OPS.register("note.edit")
def note_edit(frame, actor):
    """A streamed edit: replace [from, to) of the note as of `base_rev` with `text`."""
    step = step_field(frame)
    start = int_field(frame, "from")
    end = int_field(frame, "to")
    text = text_field(frame, "text", NOTE_MAX_CHARS)
    base_rev = int_field(frame, "base_rev")
    if start < 0 or end < start:
        raise OpError("invalid", _("“from” and “to” must be positions with from ≤ to."))
    if start == end and not text:
        raise OpError("invalid", _("This edit changes nothing."))
    found = load_note_writer(actor, step)
    try:
        return found.room.edit_note(
            step, start, end, text, base_rev, actor.participant_id, actor.tab, frame["id"],
            note=found.note,
        )
    except NoteConflict as conflict:
        raise note_conflict(step, conflict) from None
    except EditError as error:
        raise OpError("invalid", _("This edit does not fit the note: %(why)s") % {
            "why": error}) from None
    except NoteTooLong:
        raise OpError("too_large", _("A note holds at most %(max)s characters.") % {
            "max": NOTE_MAX_CHARS}) from None


@ROOM_OPS.register("item.add")
def item_add(frame, actor):
    room = load_room(actor)
    step = step_field(frame, allowed=list(ITEM_FIELDS))
    fields = clean_item_fields(room, step, frame.get("fields"), partial=False)
    if room.items.filter(step=step).count() >= ITEMS_PER_STEP:
        raise OpError(
            "limit_reached",
            _("A step holds at most %(max)s items.") % {"max": ITEMS_PER_STEP},
        )
    _item, rev = room.add_item(step, fields, actor.participant_id)
    return rev


@ROOM_OPS.register("item.update")
def item_update(frame, actor):
    room = load_room(actor)
    item = load_item(room, frame)
    base_version = int_field(frame, "base_version")
    if not room.can_edit_item(actor, item):
        raise OpError("forbidden", _("You can change only your own items."))
    fields = clean_item_fields(room, item.step, frame.get("fields"), partial=True)
    if item.version != base_version:
        raise OpError(
            "conflict", _("Someone else changed this item meanwhile."), current=item.public()
        )
    return room.update_item(item, fields)


@ROOM_OPS.register("item.delete")
def item_delete(frame, actor):
    room = load_room(actor)
    item = load_item(room, frame)
    if not room.can_edit_item(actor, item):
        raise OpError("forbidden", _("You can delete only your own items."))
    return room.delete_item(item)


@ROOM_OPS.register("vote.set")
def vote_set(frame, actor):
    room = load_room(actor)
    if actor.participant_id is None:
        raise OpError("forbidden", _("Only the room's members vote."))
    item = load_item(room, frame)
    if item.step != Step.ALTERNATIVES:
        raise OpError("invalid", _("Only alternatives can be voted on."))
    count = int_field(frame, "count")
    allowance = room.workshop.votes_per_member
    if count < 0:
        raise OpError("invalid", _("“count” cannot be negative."))
    used_elsewhere = sum(
        Vote.objects.filter(item__room=room, participant_id=actor.participant_id)
        .exclude(item=item)
        .values_list("count", flat=True)
    )
    if used_elsewhere + count > allowance:
        raise OpError(
            "limit_reached",
            _("Each member has %(max)s votes in all.") % {"max": allowance},
            used=used_elsewhere,
        )
    return room.set_vote(actor.participant_id, item, count)


@ROOM_OPS.register("step.set")
def step_set(frame, actor):
    room = load_room(actor)
    step = step_field(frame)
    require_scribe(room, actor)
    return room.move_to_step(step)


@ROOM_OPS.register("challenge.set")
def challenge_set(frame, actor):
    room = load_room(actor)
    challenge_id = int_field(frame, "challenge", allow_none=True)
    require_scribe(room, actor)
    challenge = None
    if challenge_id is not None:
        challenge = room.workshop.challenges.filter(pk=challenge_id).first()
        if challenge is None:
            raise OpError("not_found", _("This challenge does not exist."))
    return room.choose_challenge(challenge)


@ROOM_OPS.register("selection.set")
def selection_set(frame, actor):
    room = load_room(actor)
    require_scribe(room, actor)
    item = None
    if frame.get("item") is not None:
        item = load_item(room, frame)
        if item.step != Step.ALTERNATIVES:
            raise OpError("invalid", _("Only an alternative can be selected."))
    rationale = text_field(frame, "rationale", RATIONALE_MAX_CHARS)
    return room.select_alternative(item, rationale)


@ROOM_OPS.register("scribe.handover")
def scribe_handover(frame, actor):
    """The scribe offers the role to a member (who must accept); a facilitator hands it over."""
    room = load_room(actor)
    require_scribe(room, actor)
    to_id = int_field(frame, "to", allow_none=True)
    if actor.acts_as_facilitator:
        if to_id is None:
            raise OpError("invalid", _("Choose the new scribe."))
        return room.set_scribe(load_member(room, to_id))
    if to_id == actor.participant_id:
        raise OpError("invalid", _("You are the scribe already."))
    to = load_member(room, to_id) if to_id is not None else None
    return room.offer_scribe(to, actor.participant_id)


def _require_offer(room, actor):
    if actor.participant_id is None or room.scribe_offer_to_id != actor.participant_id:
        raise OpError("forbidden", _("The scribe role is not offered to you."))


@ROOM_OPS.register("scribe.accept")
def scribe_accept(frame, actor):
    room = load_room(actor)
    _require_offer(room, actor)
    return room.set_scribe(room.scribe_offer_to)


@ROOM_OPS.register("scribe.decline")
def scribe_decline(frame, actor):
    room = load_room(actor)
    _require_offer(room, actor)
    return room.offer_scribe(None, actor.participant_id)


@ROOM_OPS.register("help.request")
def help_request(frame, actor):
    room = load_room(actor)
    message = text_field(frame, "message", HELP_MAX_CHARS).strip()
    _request, rev = room.request_help(actor.participant_id, message)
    return rev
