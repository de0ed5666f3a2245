"""Planning rooms: one round (``plan_rooms``), several rounds (``plan_rounds``) and one late
joiner (``best_room_for``)."""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import inputs
from .polish import polish
from .problem import MET_BEFORE, REPEAT, REPEAT_FACTOR, Person, Problem, spread_lower_bound
from .search import RoomSearch
from .start import initial_rooms

# Cost-neutral random swaps tried after the search, so that seeds differ; mixing saturates early.
_WALK_PER_PERSON = 20
_WALK_MAX = 20_000

Weights = Mapping[str, float | str]
Rooms = Sequence[Sequence[Hashable]]


@dataclass(frozen=True)
class Plan:
    """The rooms chosen by :func:`plan_rooms` and how diverse they are.

    ``rooms[i]`` lists the keys in room ``i`` (in roster order). ``similar_pairs`` and
    ``lower_bound`` map every attribute name, ``"met_before"`` and ``"repeat"`` to the number of
    pairs sharing a room (same value; met before; sat together in an earlier round) and the
    fewest possible (``0`` for met-before and repeat pairs, which sizes do not always allow).
    ``optimal`` is true when every weighted attribute reaches its bound and no weighted
    met-before or repeat pair shares a room. ``room_reports[i]`` maps each attribute to
    ``{"distinct": number of distinct values in room i (people without a value not counted),
    "similar_pairs": pairs in room i}``.
    """

    rooms: list[list[Hashable]]
    similar_pairs: dict[str, int]
    lower_bound: dict[str, int]
    optimal: bool
    room_reports: list[dict[str, dict[str, int]]]
    seed: int

    @property
    def gap(self) -> dict[str, int]:
        """Returns, per attribute, ``"met_before"`` and ``"repeat"``, pairs above the bound."""
        return {name: count - self.lower_bound[name] for name, count in self.similar_pairs.items()}

    @property
    def repeat_pairs(self) -> int:
        """Returns the number of pairs who already shared a room in an earlier round."""
        return self.similar_pairs[REPEAT]


def plan_rooms(
    people: Iterable[Person],
    rooms: int,
    *,
    seed: int,
    weights: Weights | None = None,
    met_before: Iterable[Iterable[Hashable]] = (),
    keep_apart: Iterable[Iterable[Hashable]] = (),
    keep_together: Iterable[Iterable[Hashable]] = (),
    pinned: Mapping[Hashable, int] | None = None,
    earlier_rounds: Iterable[Rooms] = (),
    time_limit: float = 2.0,
) -> Plan:
    """Returns a :class:`Plan` putting every person in exactly one of ``rooms`` rooms.

    Room sizes differ by at most one. The plan minimises the weighted number of pairs sharing a
    room that have the same value of an attribute. ``weights`` maps attribute names to a number
    or a level, ``"must mix"`` (10), ``"mix if possible"`` (1, the default) or ``"ignore"`` (0);
    the key ``"met_before"`` weighs the ``met_before`` pairs (default 1) and ``"repeat"`` the
    pairs who shared a room in one of ``earlier_rounds`` (each a list of rooms of keys; default
    10 times the heaviest attribute, per earlier round shared). People of earlier rounds who are
    no longer in ``people`` are skipped. Weights of attributes nobody has are ignored.

    Hard constraints: ``keep_apart`` pairs never share a room, each ``keep_together`` group
    shares one, and ``pinned`` maps a key to its room index (0-based). Pinned people and
    keep-together groups are placed first and do not move afterwards.

    The search stops as soon as every bound is met, after a long stretch without improvement, or
    at ``time_limit`` seconds; when the bounds cannot all be met it finishes with the tabu search
    of :func:`solve_mdgp` (up to 1,500 people). The same inputs and ``seed`` give the same plan
    whenever the search ends before the time limit (always, when the bounds are reached);
    different seeds give different rooms of the same quality.

    Raises ValueError for malformed input (rooms out of range, unknown or duplicate keys, bad
    weights or pins) and for constraints that cannot hold together, naming the conflict.
    """
    started = time.perf_counter()
    seed = inputs.check_seed(seed)
    time_limit = inputs.check_number(time_limit, "time_limit", positive=True)
    problem = inputs.encode(
        people, rooms, weights, met_before, keep_apart, keep_together, pinned, earlier_rounds
    )
    return _solve(problem, seed, started + time_limit)


def _solve(problem: Problem, seed: int, deadline: float) -> Plan:
    rng = np.random.default_rng(seed)
    search = RoomSearch(problem, rng, deadline)
    room_of, blocked = initial_rooms(problem, search, rng)
    search.load(room_of)

    # Balancing reaches the bound for two attributes; with more it is the start for the search.
    by_weight = sorted(search.active, key=lambda a: (-problem.weights[a], a))
    if by_weight and problem.rooms > 1:
        search.balance(by_weight[:2], blocked)
    if problem.rooms > 1:
        if not search.at_target():
            search.local_search(max_stall=1000 + 20 * problem.n)
        if not search.at_target():
            polish(problem, search, rng, deadline)
        search.random_walk(min(_WALK_PER_PERSON * problem.n, _WALK_MAX))

    if search.hard_count > 0:
        clashes = [
            f"{problem.keys[i]!r} and {problem.keys[j]!r}"
            for i, j in problem.keep_apart.pairs
            if search.room_of[i] == search.room_of[j]
        ]
        raise ValueError(
            f"cannot satisfy keep_apart: {'; '.join(clashes[:5])} would share a room "
            f"({len(clashes)} pair{'s' if len(clashes) > 1 else ''} in all)"
        )
    return _make_plan(problem, search.room_of, seed)


def plan_rounds(
    people: Iterable[Person],
    rooms: int,
    rounds: int,
    *,
    seed: int,
    time_limit: float = 2.0,
    **options,
) -> list[Plan]:
    """Returns one :class:`Plan` per round, each planned after the rounds before it.

    Round ``k`` avoids pairs who shared a room in rounds ``1..k-1`` (and in ``earlier_rounds``
    given in ``options``), as :func:`plan_rooms` does; the other ``options`` (weights,
    met_before, keep_apart, keep_together, pinned) hold in every round. ``time_limit`` is per
    round; round ``k`` uses seed ``seed + k - 1``.

    Raises ValueError for a number of rounds below 1, and as :func:`plan_rooms` does.
    """
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 1:
        raise ValueError(f"rounds must be a whole number of at least 1, got {rounds!r}")
    seed = inputs.check_seed(seed)
    people = list(people)
    earlier = list(options.pop("earlier_rounds", ()))
    plans = []
    for k in range(int(rounds)):
        plan = plan_rooms(
            people,
            rooms,
            seed=seed + k,
            earlier_rounds=earlier,
            time_limit=time_limit,
            **options,
        )
        plans.append(plan)
        earlier.append(plan.rooms)
    return plans


def best_room_for(
    person: Person,
    rooms: Sequence[Sequence[Person]],
    *,
    weights: Weights | None = None,
    met_before: Iterable[Iterable[Hashable]] = (),
    earlier_rounds: Iterable[Rooms] = (),
    keep_apart: Iterable[Iterable[Hashable]] = (),
    seed: int | None = None,
) -> int:
    """Returns the index of the room in ``rooms`` (lists of the people already seated) where
    ``person`` should sit: among the smallest rooms without a ``keep_apart`` partner, the one
    where they add the least weighted cost (same attribute values, met-before and repeat pairs,
    weighed as in :func:`plan_rooms`). Ties go to the first such room, or to a random one
    drawn with ``seed``. Pairs that do not involve ``person``, or name someone not seated,
    are ignored (people come and go).

    Raises ValueError for malformed input, a ``person`` already seated, and when every room
    holds a keep-apart partner.
    """
    if isinstance(rooms, str | bytes) or not isinstance(rooms, Sequence) or not rooms:
        raise ValueError("rooms must be a non-empty list of rooms, each a list of Person")
    seated = [member for room in rooms for member in room]
    everyone, keys, index = inputs.encode_people([person, *seated])
    room_of = np.repeat(np.arange(len(rooms)), [len(room) for room in rooms])
    names, codes, n_values = inputs.encode_attributes(everyone)
    weights = inputs.check_weights(weights)
    if seed is not None:
        seed = inputs.check_seed(seed)

    cost = np.zeros(len(rooms))
    heaviest = 1.0
    for name, code, nv in zip(names, codes, n_values, strict=True):
        weight = weights.get(name, 1.0)
        heaviest = max(heaviest, weight)
        if code[0] < nv and weight > 0:
            same = code[1:] == code[0]
            cost += weight * np.bincount(room_of[same], minlength=len(rooms))

    def partners(pairs):
        return [j - 1 for i, j in pairs if i == 0]

    met = partners(inputs.pairs_of(index, met_before, "met_before", skip_unknown=True))
    cost += weights.get(MET_BEFORE, 1.0) * np.bincount(room_of[met], minlength=len(rooms))
    repeat_weight = weights.get(REPEAT, REPEAT_FACTOR * heaviest)
    for (i, j), times in inputs.repeat_counts(index, earlier_rounds).items():
        if i == 0:
            cost[room_of[j - 1]] += repeat_weight * times
    apart = partners(inputs.pairs_of(index, keep_apart, "keep_apart", skip_unknown=True))
    allowed = np.ones(len(rooms), dtype=bool)
    allowed[room_of[apart]] = False
    if not allowed.any():
        raise ValueError(f"every room holds someone {person.key!r} must be kept apart from")

    sizes = np.array([len(room) for room in rooms])
    smallest = sizes[allowed].min()
    candidates = np.flatnonzero(allowed & (sizes == smallest))
    lowest = cost[candidates].min()
    best = candidates[cost[candidates] <= lowest + 1e-9 * max(1.0, abs(lowest))]
    if seed is None:
        return int(best[0])
    return int(best[np.random.default_rng(seed).integers(best.size)])


def _count_inside(pairs, room_of) -> int:
    return int(pairs.inside(room_of).sum()) if pairs.pairs else 0


def _make_plan(problem: Problem, room_of: np.ndarray, seed) -> Plan:
    R = problem.rooms
    rooms = [[] for _ in range(R)]
    for key, room in zip(problem.keys, room_of.tolist(), strict=True):
        rooms[room].append(key)
    similar, bound = {}, {}
    reports = [{} for _ in range(R)]
    optimal = True
    for a, name in enumerate(problem.names):
        code, nv = problem.codes[a], problem.n_values[a]
        valid = code < nv
        counts = np.zeros((R, nv), dtype=np.int64)
        np.add.at(counts, (room_of[valid], code[valid]), 1)
        per_room = (counts * (counts - 1) // 2).sum(axis=1)
        distinct = (counts > 0).sum(axis=1)
        similar[name] = int(per_room.sum())
        bound[name] = spread_lower_bound(problem.value_counts[a], R)
        if problem.weights[a] > 0 and similar[name] > bound[name]:
            optimal = False
        for room in range(R):
            reports[room][name] = {
                "distinct": int(distinct[room]),
                "similar_pairs": int(per_room[room]),
            }
    for name, pairs in ((MET_BEFORE, problem.met_before), (REPEAT, problem.repeats)):
        similar[name], bound[name] = _count_inside(pairs, room_of), 0
        if pairs and (pairs.inside(room_of) & (pairs.pair_weights > 0)).any():
            optimal = False
    return Plan(
        rooms=rooms,
        similar_pairs=similar,
        lower_bound=bound,
        optimal=optimal,
        room_reports=reports,
        seed=seed,
    )
