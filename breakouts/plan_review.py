"""How mixed a draft plan is, as the plan page shows it: per room its size and mix, per
attribute the same-value pairs against the best possible, and the pairs who would meet again
from an earlier round. `evaluate` reads the draft as it stands (manual moves too)."""

import itertools
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from breakouts.assignment import spread_lower_bound
from breakouts.planning import (
    earlier_rounds,
    met_before_pairs,
    mixed_attributes,
    reconcile,
    repeat_pairs,
    together_with,
)
from workshops.models import MixLevel, normalise_label

# The plan page names this many repeat pairs, then says how many more there are.
REPEAT_PAIRS_NAMED = 10


@dataclass
class RoomView:
    index: int
    members: list
    similar_pairs: dict
    distinct: dict
    extra_distinct: list  # (label, distinct values) of the workshop's own attributes

    @property
    def number(self):
        return self.index + 1


@dataclass
class PlanView:
    rooms: list
    attributes: list
    similar_pairs: dict
    lower_bound: dict
    met_before_together: int
    unplaced: list
    sizes_balanced: bool
    round: int = 1
    # Pairs in one room of this plan who already shared a room in an earlier round: how many,
    # and who (first, second, room number), in room order.
    repeat_pairs: int = 0
    repeat_pair_list: list = field(default_factory=list)

    @property
    def gap(self):
        return {a.key: self.similar_pairs[a.key] - self.lower_bound[a.key] for a in self.attributes}

    def lines(self):
        """Returns one dict per attribute: attribute, similar, bound, gap, the headline
        sentence ("as mixed as possible", the pairs above the best possible, or "ignored"),
        its detail ("2 same-level pairs; fewest possible 0") and `broken`: a "Must mix"
        attribute above its bound."""
        lines = []
        for attribute in self.attributes:
            gap = self.gap[attribute.key]
            similar = self.similar_pairs[attribute.key]
            what = {"what": attribute.pair_word}
            if attribute.level == MixLevel.IGNORE:
                verdict = _("not mixed (ignored)")
            elif gap <= 0:
                verdict = _("as mixed as possible")
            else:
                verdict = ngettext(
                    "+%(gap)s same-%(what)s pair above the best possible",
                    "+%(gap)s same-%(what)s pairs above the best possible", gap,
                ) % {"gap": gap, **what}
            detail = ngettext(
                "%(similar)s same-%(what)s pair; fewest possible %(bound)s",
                "%(similar)s same-%(what)s pairs; fewest possible %(bound)s", similar,
            ) % {"similar": similar, "bound": self.lower_bound[attribute.key], **what}
            lines.append({
                "attribute": attribute, "gap": gap, "verdict": verdict,
                "text": f"{attribute.heading}: {verdict}", "detail": detail,
                "similar": similar, "bound": self.lower_bound[attribute.key],
                "broken": attribute.level == MixLevel.MUST and gap > 0,
            })
        return lines

    def named_repeat_pairs(self, limit=REPEAT_PAIRS_NAMED):
        """Returns ("Iris and Rosa (Room 1)" for the first `limit` repeat pairs, how many
        more there are)."""
        named = [
            _("%(first)s and %(second)s (Room %(n)s)") % {
                "first": first.name, "second": second.name, "n": number,
            }
            for first, second, number in self.repeat_pair_list[:limit]
        ]
        return named, max(0, len(self.repeat_pair_list) - limit)

    def headline(self):
        """Returns one line per attribute: "as mixed as possible" or the gap to the ideal."""
        return [line["text"] for line in self.lines()]

    @property
    def optimal(self):
        mixed = [a for a in self.attributes if a.level != MixLevel.IGNORE]
        return (
            all(self.gap[a.key] <= 0 for a in mixed)
            and not self.met_before_together
            and not self.repeat_pairs
        )


def evaluate(workshop, draft, participants, attributes=None):
    """Returns a PlanView of the draft as it stands (after manual moves too)."""
    attributes = attributes or mixed_attributes(workshop, draft)
    keys = [a.key for a in attributes]
    by_id = {p.pk: p for p in participants}
    rooms, unplaced = reconcile(draft, participants)
    met = met_before_pairs(workshop, participants) if draft.get("use_met_before") else set()
    # Normalised values once per person; a blank is no value (never a same-value pair).
    # People share a few labels, so each distinct one is normalised once.
    labels = {}

    def label(value):
        if value not in labels:
            labels[value] = normalise_label(value)
        return labels[value]

    values = {p.pk: {a.key: label(a.value_of(p)) for a in attributes} for p in participants}
    # The bound is for the people the plan places (late joiners are listed apart, unplaced).
    placed = [pid for room in rooms for pid in room]
    totals = {k: Counter(values[pid][k] for pid in placed if values[pid][k]) for k in keys}
    lower = {k: spread_lower_bound(totals[k].values(), max(1, len(rooms))) for k in keys}
    extras = [a for a in attributes if not a.builtin]
    for participant in participants:  # the room cards show these beside department, location
        participant.plan_extra_values = [a.value_of(participant) for a in extras]
    round_number = draft.get("round", 1)
    # A pair kept together sits together on purpose, round after round: not a repeat.
    repeats = repeat_pairs(earlier_rounds(workshop, round_number)) - {
        frozenset((pid, other))
        for pid in {pid for pair in draft.get("keep_together", ()) for pid in pair}
        for other in together_with(draft, pid)
    }
    views, similar, met_together, repeated = [], dict.fromkeys(keys, 0), 0, []
    for index, room in enumerate(rooms):
        members = sorted((by_id[pid] for pid in room), key=lambda p: p.name.casefold())
        room_similar, distinct = {}, {}
        for key in keys:
            counts = Counter(values[pid][key] for pid in room if values[pid][key])
            room_similar[key] = sum(c * (c - 1) // 2 for c in counts.values())
            distinct[key] = len(counts)
            similar[key] += room_similar[key]
        for pair in itertools.combinations(room, 2):
            met_together += frozenset(pair) in met
        if repeats:  # members are sorted by name, so each pair reads in name order
            repeated += [
                (a, b, index + 1) for a, b in itertools.combinations(members, 2)
                if frozenset((a.pk, b.pk)) in repeats
            ]
        extra = [(a.label, distinct[a.key]) for a in extras]
        views.append(RoomView(index, members, room_similar, distinct, extra))
    sizes = [len(room) for room in rooms]
    return PlanView(
        rooms=views,
        attributes=attributes,
        similar_pairs=similar,
        lower_bound=lower,
        met_before_together=met_together,
        unplaced=[by_id[pid] for pid in unplaced],
        sizes_balanced=not sizes or max(sizes) - min(sizes) <= 1,
        round=round_number,
        repeat_pairs=len(repeated),
        repeat_pair_list=repeated,
    )
