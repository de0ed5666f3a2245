"""The facilitator's room plan: a draft of who sits where, before breakouts start.

The draft lives on the workshop (`Workshop.draft_plan`) so every facilitator of the workshop
sees the same preview. It is plain JSON:

    {"seed": 123, "rooms": [[participant ids], ...], "pinned": {"<id>": room index},
     "keep_apart": [[id, id], ...], "keep_together": [[id, id], ...], "use_met_before": true,
     "round": 2,
     "mix": {"department": "mix if possible", "location": "ignore", "<attribute key>": ...}}

The attributes mixed are department, location and the workshop's own (`workshops.Attribute`),
each at the level chosen on the plan page (`"mix"`, which late joiners follow too), else the
attribute's default.

A draft is for one round (`round`, 1 when missing). Round 2 and later are planned so that
nobody shares a room with someone they sat with in an earlier round of this workshop (the
engine's repeat pairs, from the seats of those rounds) where the sizes allow it.

The optimisation itself is `breakouts.assignment` (no Django); this module turns the roster
into its input and its output into something a template can show.
"""

import itertools
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from breakouts.assignment import Person, plan_rooms
from breakouts.models import Seat
from workshops.models import MixLevel, Participant, Workshop, normalise_label

BUILTIN = ("department", "location")
PLAN_TIME_LIMIT = 1.5
# Later rounds search longer: avoiding every earlier room-mate is the harder part, and a
# facilitator plans the next round once, in plenary.
LATER_ROUND_TIME_LIMIT = 3.0


@dataclass(frozen=True)
class Mixed:
    """An attribute the planner mixes: its key, its label and how much it matters."""

    key: str
    label: str
    level: str

    @property
    def builtin(self):
        return self.key in BUILTIN

    @property
    def heading(self):
        """The headline's name of the attribute ("Departments", or the workshop's label)."""
        return {"department": _("Departments"), "location": _("Locations")}.get(
            self.key, self.label
        )

    @property
    def pair_word(self):
        """The word in "same-… pairs" ("department", "level")."""
        return self.key if self.builtin else self.label.lower()

    def value_of(self, participant):
        if self.builtin:
            return getattr(participant, self.key)
        return str((participant.attributes or {}).get(self.key, ""))


@dataclass(eq=False, slots=True)
class PlanPerson:
    """A participant as the plan reads them: a row, not a model instance (at 1,000 people the
    instances, their dates and JSON decoded, were a third of the plan page's time).
    `plan_extra_values` is set by `plan_review.evaluate`: the values of the workshop's own
    attributes."""

    pk: int
    name: str
    department: str
    location: str
    email: str
    attributes: dict
    plan_extra_values: list = field(default_factory=list)


def plan_people(workshop):
    """Returns the people to seat, as PlanPerson rows by name: those who have arrived. Someone
    invited who has not opened their link yet is seated as a late joiner when they do
    (breakouts.services)."""
    rows = workshop.participants.arrived().order_by("name", "pk").values_list(
        "pk", "name", "department", "location", "email", "attributes"
    )
    return [PlanPerson(*row) for row in rows]


def mixed_attributes(workshop, draft=None):
    """Returns the Mixed attributes of the workshop in order: department, location, then its
    own; each at the level of the draft's "mix" (the plan page's choice) or its default."""
    chosen = (draft or {}).get("mix") or {}
    levels = set(MixLevel.values)

    def level(key, default):
        return chosen[key] if chosen.get(key) in levels else default

    default = MixLevel.IF_POSSIBLE.value
    mixed = [
        Mixed("department", _("Department"), level("department", default)),
        Mixed("location", _("Location"), level("location", default)),
    ]
    mixed += [Mixed(a.key, a.label, level(a.key, a.mix)) for a in workshop.attributes.all()]
    return mixed


def mix_levels(attributes):
    """Returns {attribute key: mix level}, the engine's weights (and the draft's "mix")."""
    return {a.key: a.level for a in attributes}


class PlanError(ValueError):
    """Raised when the facilitator's constraints cannot all hold; the message says which."""


def new_seed():
    return secrets.randbelow(2**31)


def met_before_pairs(workshop, participants):
    """Returns frozensets of participant ids who shared a room in an earlier workshop.

    "Earlier" means a workshop run by this workshop's owner that started (or was created)
    before this one. People are recognised across workshops by e-mail, case-insensitively;
    people without an e-mail have met nobody.
    """
    by_email = defaultdict(list)
    for participant in participants:
        if participant.email:
            by_email[participant.email.casefold()].append(participant.pk)
    if len(by_email) < 2:
        return set()
    earlier = Workshop.objects.hosted_by(workshop.owner).exclude(pk=workshop.pk).filter(
        Q(created_at__lt=workshop.created_at)
    )
    rooms = defaultdict(set)
    # Every round's seats: people who met in any round of an earlier workshop have met.
    # Unordered: only sets are made of them (Seat's ordering would join rooms and workshops).
    earlier_members = [
        *Seat.objects.filter(
            participant__workshop__in=earlier, participant__email__gt=""
        ).order_by().values_list("room_id", "participant__email"),
        *Participant.objects.filter(
            workshop__in=earlier, room__isnull=False, email__gt=""
        ).order_by().values_list("room_id", "email"),
    ]
    for room_id, email in earlier_members:
        key = email.casefold()
        if key in by_email:
            rooms[room_id].add(key)
    pairs = set()
    for emails in rooms.values():
        for a, b in itertools.combinations(sorted(emails), 2):
            for pa in by_email[a]:
                for pb in by_email[b]:
                    if pa != pb:
                        pairs.add(frozenset((pa, pb)))
    return pairs


def earlier_rounds(workshop, round_number):
    """Returns the rooms of the workshop's rounds before `round_number`: a list of rounds, each
    a list of rooms of participant ids (the engine's `earlier_rounds`)."""
    if round_number <= 1:
        return []
    return list(Seat.objects.rounds_of(workshop, before=round_number).values())


def repeat_pairs(rounds):
    """Returns frozensets of participant ids who shared a room in one of `rounds`."""
    return {
        frozenset(pair)
        for rooms in rounds for room in rooms for pair in itertools.combinations(room, 2)
    }


def person_for(participant, attributes):
    """Returns the engine's Person for a participant: id and normalised values of `attributes`
    (Mixed), so "Sales " and "sales" are one value and a blank is no value."""
    values = {a.key: normalise_label(a.value_of(participant)) for a in attributes}
    return Person(participant.pk, values)


def draft_new_plan(workshop, participants, *, room_count, seed=None, pinned=None,
                   keep_apart=(), keep_together=(), use_met_before=True, mix=None,
                   round_number=1):
    """Returns a new draft plan (JSON-ready dict) for these participants and round, mixing the
    workshop's attributes at the levels of `mix` ({key: level}; missing keys at their defaults).

    Raises PlanError when the pins, keep-apart and keep-together pairs cannot all hold.
    """
    seed = new_seed() if seed is None else seed
    ids = {p.pk for p in participants}
    pinned = {int(k): int(v) for k, v in (pinned or {}).items() if int(k) in ids}
    pinned = {k: v for k, v in pinned.items() if v < room_count}
    keep_apart = [sorted(pair) for pair in keep_apart if set(pair) <= ids and len(set(pair)) == 2]
    keep_together = [
        sorted(pair) for pair in keep_together if set(pair) <= ids and len(set(pair)) == 2
    ]
    met = met_before_pairs(workshop, participants) if use_met_before else set()
    attributes = mixed_attributes(workshop, {"mix": mix})
    try:
        plan = plan_rooms(
            [person_for(p, attributes) for p in participants],
            room_count,
            seed=seed,
            weights=mix_levels(attributes),
            met_before=met,
            keep_apart=keep_apart,
            keep_together=keep_together,
            pinned=pinned,
            earlier_rounds=earlier_rounds(workshop, round_number),
            time_limit=PLAN_TIME_LIMIT if round_number <= 1 else LATER_ROUND_TIME_LIMIT,
        )
    except ValueError as exc:
        raise PlanError(str(exc)) from exc
    return {
        "seed": seed,
        "rooms": [list(room) for room in plan.rooms],
        "pinned": {str(k): v for k, v in pinned.items()},
        "keep_apart": keep_apart,
        "keep_together": keep_together,
        "use_met_before": use_met_before,
        "mix": mix_levels(attributes),
        "round": round_number,
    }


def reconcile(draft, participants):
    """Returns the draft's rooms with departed people dropped and new joiners left out.

    Also returns the ids of participants the draft does not place yet.
    """
    ids = {p.pk for p in participants}
    rooms = [[pid for pid in room if pid in ids] for room in draft["rooms"]]
    placed = {pid for room in rooms for pid in room}
    return rooms, [p.pk for p in participants if p.pk not in placed]


def together_with(draft, participant_id):
    """Returns the ids kept together with `participant_id` (directly or through others), in
    the order of the draft's pairs; empty when they are kept with nobody."""
    pairs = draft.get("keep_together", ())
    group, found = [participant_id], True
    while found:
        found = False
        for a, b in pairs:
            for one, other in ((a, b), (b, a)):
                if one in group and other not in group:
                    group.append(other)
                    found = True
    return group[1:]


def move_in_draft(draft, participant_id, room_index):
    """Moves one person, with everyone kept together with them, to another room of the draft
    (sizes may then differ by more than one); returns the ids of those who went along."""
    if not 0 <= room_index < len(draft["rooms"]):
        raise PlanError(_("There is no room %(number)s.") % {"number": room_index + 1})
    along = together_with(draft, participant_id)
    moving = {participant_id, *along}
    rooms = [[pid for pid in room if pid not in moving] for room in draft["rooms"]]
    rooms[room_index] += [participant_id, *along]
    for pid in moving:
        if str(pid) in draft["pinned"]:
            draft["pinned"][str(pid)] = room_index
    draft["rooms"] = rooms
    return along


def carried_choices(workshop):
    """Returns the draft for the next round, or an earlier round's choices with no rooms, so
    the next plan starts from them: its pins, keep-apart and keep-together pairs, use of
    met-before pairs, mix
    levels and number of rooms (`room_count`, at most one room per person when drawn); None
    before any draft. The plan page and `services.start_breakouts` both start from it."""
    draft = workshop.draft_plan
    if draft and workshop.next_round_draft() is None:
        return {"pinned": draft.get("pinned", {}), "keep_apart": draft.get("keep_apart", []),
                "keep_together": draft.get("keep_together", []),
                "use_met_before": draft.get("use_met_before", True),
                "mix": draft.get("mix"), "room_count": len(draft.get("rooms", ())),
                "rooms": []}
    return draft


def draft_next_round(workshop, participants, choices, *, room_count=None, use_met_before=None,
                     seed=None, mix=None):
    """Returns a fresh plan of the next round for `participants` honouring `choices` (a draft
    or `carried_choices`): its pins, keep-apart and keep-together pairs and mix levels, and its
    number of rooms
    unless `room_count` is given."""
    choices = choices or {}
    if room_count is None:
        room_count = (
            len(choices.get("rooms", ()))
            or min(choices.get("room_count") or 0, len(participants))
            or workshop.planned_room_count(len(participants))
        )
    if use_met_before is None:
        use_met_before = choices.get("use_met_before", True)
    return draft_new_plan(
        workshop,
        participants,
        room_count=room_count,
        seed=seed,
        pinned=choices.get("pinned"),
        keep_apart=choices.get("keep_apart", ()),
        keep_together=choices.get("keep_together", ()),
        use_met_before=use_met_before,
        mix=choices.get("mix") if mix is None else mix,
        round_number=workshop.next_round or 1,
    )
