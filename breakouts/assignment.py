"""Room assignment: split people into breakout rooms that are as mixed as possible.

The problem
-----------
``plan_rooms`` puts ``n`` people into ``R`` rooms whose sizes differ by at most one and minimises
the weighted number of *similar pairs* sharing a room: two people with the same value of an
attribute (department, location, ...) and pairs who met before. It is the maximally diverse
grouping problem (MDGP) with a special, count-based distance, under hard constraints
(keep apart, keep together, pinned to a room).

One value held by ``N`` people cannot do better than spreading evenly over the rooms, which gives
the per-attribute ``lower_bound``. For two attributes every bound is reachable at once: people are
the edges of a bipartite multigraph (department - location) and rooms are edge colours, and every
bipartite multigraph has an equitable, balanced edge colouring (de Werra, 1971).

Approach
--------
``plan_rooms`` never builds a pairwise matrix (10,000 people would need 10^8 entries). It keeps,
per attribute, a ``rooms x values`` counter array, so the change in cost of moving or swapping
people is a handful of look-ups and a whole neighbourhood is one numpy expression.

1. People pinned to a room or kept together are placed first and never move again.
2. Everyone else is dealt randomly into the remaining seats: the pure-random split.
3. Kempe rebalancing, de Werra's constructive proof: for two rooms where some value is unevenly
   spread, the people of both rooms are re-split along alternating Euler trails of the
   department - location graph, which leaves every value balanced between the two rooms. This
   reaches the bound for the two heaviest attributes, fast, and from a random start.
4. Conflict-driven local search (best swap or move for a person who takes part in a similar
   pair, plateau moves and a little noise) takes care of met-before pairs, keep-apart pairs,
   further attributes and rooms holding fixed people. It stops at the bound.
5. A random walk of cost-neutral swaps, so different seeds give different rooms of equal quality.

``solve_mdgp`` solves the general problem on a distance matrix with iterated tabu search
(Palubeckis 2011; Lai & Hao 2016): batched best-improvement descent, then tabu search over the
move and swap neighbourhoods with incremental gains ``W[i, g]`` (sum of distances from element
``i`` to group ``g``), so every neighbourhood is evaluated with a few numpy operations, and
random-swap perturbations of the best solution until the time limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MET_BEFORE = "met_before"

# Deltas are sums of a few weight x small-integer products; anything below this is rounding.
_TOLERANCE = 1e-9
# Probability of taking the best move even when it worsens the cost, to leave local minima.
_NOISE = 0.05
# Cost-neutral random swaps tried after the search, so that seeds differ; mixing saturates early.
_WALK_PER_PERSON = 20
_WALK_MAX = 20_000


@dataclass(frozen=True)
class Person:
    """Someone to place: a hashable ``key`` and attributes such as ``{"department": "Sales"}``.

    A missing attribute, ``None`` or a blank string means "no value": that person is not similar
    to anyone on that attribute (two people without a location are not a same-location pair).
    """

    key: Hashable
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """The rooms chosen by :func:`plan_rooms` and how diverse they are.

    ``rooms[i]`` lists the keys in room ``i`` (in roster order). ``similar_pairs`` and
    ``lower_bound`` map every attribute name, and ``"met_before"``, to the number of similar
    pairs sharing a room and the fewest possible (``0`` for met-before pairs). ``optimal`` is
    true when every weighted attribute reaches its bound and no weighted met-before pair shares
    a room. ``room_reports[i]`` maps each attribute to ``{"distinct": number of distinct values
    in room i (people without a value not counted), "similar_pairs": pairs in room i}``.
    """

    rooms: list[list[Hashable]]
    similar_pairs: dict[str, int]
    lower_bound: dict[str, int]
    optimal: bool
    room_reports: list[dict[str, dict[str, int]]]
    seed: int

    @property
    def gap(self) -> dict[str, int]:
        """Returns, per attribute and ``"met_before"``, similar pairs above the lower bound."""
        return {name: count - self.lower_bound[name] for name, count in self.similar_pairs.items()}


def spread_lower_bound(value_counts: Iterable[int], rooms: int) -> int:
    """Returns the fewest same-value pairs possible when values of these counts share rooms.

    Each value is spread as evenly as possible: with ``q, r = divmod(count, rooms)``, ``r`` rooms
    hold ``q + 1`` of them and the others ``q``.
    """
    total = 0
    for count in value_counts:
        q, r = divmod(int(count), rooms)
        total += r * (q + 1) * q // 2 + (rooms - r) * q * (q - 1) // 2
    return total


# -- plan_rooms: input ---------------------------------------------------------------------------


@dataclass
class _Pairs:
    """Symmetric weighted pairs of people, in compressed rows: neighbours of ``i`` are
    ``indices[indptr[i]:indptr[i + 1]]``."""

    n: int
    pairs: list[tuple[int, int]]
    weight: float
    ends: tuple[np.ndarray, np.ndarray] = field(init=False)
    indptr: np.ndarray = field(init=False)
    indices: np.ndarray = field(init=False)
    weights: np.ndarray = field(init=False)

    def __post_init__(self):
        if self.pairs:
            ends = np.array(self.pairs, dtype=np.int64)
            self.ends = ends[:, 0], ends[:, 1]
            rows = np.concatenate([ends[:, 0], ends[:, 1]])
            cols = np.concatenate([ends[:, 1], ends[:, 0]])
            order = np.lexsort((cols, rows))
            rows, cols = rows[order], cols[order]
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            self.ends = rows, cols
        self.indptr = np.zeros(self.n + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum(np.bincount(rows, minlength=self.n))
        self.indices = cols
        self.weights = np.full(cols.size, float(self.weight))

    def __bool__(self):
        return bool(self.pairs) and self.weight > 0

    def of(self, i):
        start, end = self.indptr[i], self.indptr[i + 1]
        return self.indices[start:end], self.weights[start:end]

    def weight_towards(self, room_of, room):
        """Returns, for every person, the weight of their pairs with people in ``room``."""
        first, second = self.ends
        in_first, in_second = room_of[first] == room, room_of[second] == room
        return (
            np.bincount(second[in_first], minlength=self.n) * self.weight
            + np.bincount(first[in_second], minlength=self.n) * self.weight
        )


@dataclass
class _Problem:
    keys: list[Hashable]
    rooms: int
    names: list[str]
    codes: list[np.ndarray]  # per attribute: value id per person; n_values[a] means "no value"
    n_values: list[int]
    weights: list[float]
    met_before: _Pairs
    keep_apart: _Pairs
    units: list[tuple[list[int], int | None]]  # people placed first, and their pinned room
    value_counts: list[np.ndarray] = field(init=False)

    def __post_init__(self):
        self.value_counts = [
            np.bincount(code, minlength=nv + 1)[:nv]
            for code, nv in zip(self.codes, self.n_values, strict=True)
        ]

    @property
    def n(self):
        return len(self.keys)


def _is_missing(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _check_number(value, what, *, positive=False):
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        sign = "positive" if positive else "non-negative"
        raise ValueError(f"{what} must be a finite {sign} number, got {value!r}")
    return float(value)


def _encode(people, rooms, weights, met_before, keep_apart, keep_together, pinned):
    people = list(people)
    keys, index = [], {}
    for person in people:
        key = getattr(person, "key", None)
        attributes = getattr(person, "attributes", None)
        if not isinstance(attributes, Mapping):
            raise ValueError(f"expected Person(key, attributes), got {person!r}")
        try:
            if key in index:
                raise ValueError(f"duplicate person key {key!r}")
        except TypeError:
            raise ValueError(f"person keys must be hashable, got {key!r}") from None
        index[key] = len(keys)
        keys.append(key)
    n = len(keys)
    if n == 0:
        raise ValueError("no people to place")
    if isinstance(rooms, bool) or not isinstance(rooms, int | np.integer) or not 1 <= rooms <= n:
        raise ValueError(
            f"rooms must be a whole number from 1 to {n} (the number of people), got {rooms!r}"
        )
    rooms = int(rooms)

    names = []
    for person in people:
        for name in person.attributes:
            if name not in names:
                if name == MET_BEFORE:
                    raise ValueError(f"attribute name {MET_BEFORE!r} is reserved")
                names.append(name)
    codes, n_values = [], []
    for name in names:
        ids, column = {}, []
        for person in people:
            value = person.attributes.get(name)
            if _is_missing(value):
                column.append(-1)
                continue
            try:
                column.append(ids.setdefault(value, len(ids)))
            except TypeError:
                raise ValueError(
                    f"attribute values must be hashable: {person.key!r} has {name}={value!r}"
                ) from None
        code = np.array(column, dtype=np.int64)
        code[code < 0] = len(ids)
        codes.append(code)
        n_values.append(len(ids))

    weights = dict(weights or {})
    for name, weight in weights.items():
        _check_number(weight, f"weight of {name!r}")
    attribute_weights = [float(weights.get(name, 1.0)) for name in names]

    def lookup(key, what):
        try:
            return index[key]
        except (KeyError, TypeError):
            raise ValueError(f"{what} names unknown person {key!r}") from None

    def pairs_of(items, what):
        found = set()
        for item in items:
            if isinstance(item, str | bytes) or not isinstance(item, Iterable):
                raise ValueError(f"each {what} entry must be a pair of person keys, got {item!r}")
            ends = list(item)
            if len(ends) != 2 or ends[0] == ends[1]:
                raise ValueError(f"each {what} entry must name two different people, got {item!r}")
            i, j = sorted(lookup(key, what) for key in ends)
            found.add((i, j))
        # Sorted, so the search never depends on set order (string hashes vary per process).
        return sorted(found)

    met = _Pairs(n, pairs_of(met_before, "met_before"), float(weights.get(MET_BEFORE, 1.0)))
    apart = _Pairs(n, pairs_of(keep_apart, "keep_apart"), 1.0)

    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grouped = set()
    for group in keep_together:
        if isinstance(group, str | bytes) or not isinstance(group, Iterable):
            raise ValueError(
                f"each keep_together entry must be a collection of keys, got {group!r}"
            )
        members = [lookup(key, "keep_together") for key in group]
        grouped.update(members)
        for other in members[1:]:
            parent[root(other)] = root(members[0])

    pins = {}
    if pinned is not None:
        if not isinstance(pinned, Mapping):
            raise ValueError("pinned must map person keys to room numbers")
        for key, room in pinned.items():
            i = lookup(key, "pinned")
            if isinstance(room, bool) or not isinstance(room, int | np.integer):
                raise ValueError(f"{key!r} is pinned to {room!r}, which is not a room number")
            if not 0 <= room < rooms:
                raise ValueError(
                    f"{key!r} is pinned to room {room}, but rooms are numbered 0 to {rooms - 1}"
                )
            pins[i] = int(room)

    lo, extra = divmod(n, rooms)
    hi = lo + (extra > 0)
    components = {}
    for i in sorted(grouped | pins.keys()):
        components.setdefault(root(i), []).append(i)
    units, unit_of = [], {}
    for members in components.values():
        rooms_pinned = sorted({pins[i] for i in members if i in pins})
        if len(rooms_pinned) > 1:
            a = next(i for i in members if pins.get(i) == rooms_pinned[0])
            b = next(i for i in members if pins.get(i) == rooms_pinned[1])
            raise ValueError(
                f"{keys[a]!r} and {keys[b]!r} are kept together but pinned to different rooms "
                f"({rooms_pinned[0]} and {rooms_pinned[1]})"
            )
        if len(members) > hi:
            shown = ", ".join(repr(keys[i]) for i in members[:5])
            raise ValueError(
                f"keep_together group of {len(members)} people ({shown}"
                f"{', ...' if len(members) > 5 else ''}) is larger than the largest room ({hi})"
            )
        for i in members:
            unit_of[i] = len(units)
        units.append((members, rooms_pinned[0] if rooms_pinned else None))

    for i, j in apart.pairs:
        if i in unit_of and unit_of.get(i) == unit_of.get(j):
            raise ValueError(
                f"{keys[i]!r} and {keys[j]!r} must be kept apart but are also kept together"
            )
        if rooms == 1:
            raise ValueError(f"cannot keep {keys[i]!r} and {keys[j]!r} apart with only one room")
        if i in unit_of and j in unit_of:
            room_i, room_j = units[unit_of[i]][1], units[unit_of[j]][1]
            if room_i is not None and room_i == room_j:
                raise ValueError(
                    f"{keys[i]!r} and {keys[j]!r} must be kept apart but are both pinned "
                    f"to room {room_i}"
                )

    load = np.zeros(rooms, dtype=np.int64)
    for members, room in units:
        if room is not None:
            load[room] += len(members)
    if load.max() > hi:
        room = int(load.argmax())
        raise ValueError(
            f"room {room} has {load[room]} people pinned to it (with their keep_together "
            f"groups), but rooms hold at most {hi}"
        )
    if int((load > lo).sum()) > extra:
        raise ValueError(
            f"pinned people fill {int((load > lo).sum())} rooms beyond {lo}, but only {extra} "
            f"rooms can hold {hi}"
        )

    return _Problem(
        keys=keys,
        rooms=rooms,
        names=names,
        codes=codes,
        n_values=n_values,
        weights=attribute_weights,
        met_before=met,
        keep_apart=apart,
        units=units,
    )


# -- plan_rooms: search --------------------------------------------------------------------------


class _RoomSearch:
    """Mutable room assignment with per-room value counters and the local-search moves."""

    def __init__(self, problem: _Problem, rng: np.random.Generator, deadline: float):
        self.problem = problem
        self.rng = rng
        self.deadline = deadline
        self.n, self.R = problem.n, problem.rooms
        self.lo, self.extra = divmod(self.n, self.R)
        self.hi = self.lo + (self.extra > 0)
        self.active = [a for a, w in enumerate(problem.weights) if w > 0]
        self.codes = problem.codes
        self.weights = problem.weights
        self.valid = [code < nv for code, nv in zip(problem.codes, problem.n_values, strict=True)]
        self.floor, self.ceil, self.value_bound, self.threshold = {}, {}, {}, {}
        for a in self.active:
            counts = problem.value_counts[a]
            q, r = np.divmod(counts, self.R)
            self.floor[a], self.ceil[a] = q, q + (r > 0)
            bound = r * (q + 1) * q // 2 + (self.R - r) * q * (q - 1) // 2
            self.value_bound[a] = np.append(bound, 0)
            # People in rooms holding at least this many of their value may need to move.
            self.threshold[a] = np.append(np.maximum(q + 1, 2), self.n + 1)
        self.soft = problem.met_before
        self.hard = problem.keep_apart
        self.fixed = np.zeros(self.n, dtype=bool)
        for members, room in problem.units:
            if room is not None or len(members) > 1:
                self.fixed[members] = True
        self.free_idx = np.flatnonzero(~self.fixed)
        self.tolerance = _TOLERANCE * max([1.0, *self.weights, self.soft.weight])

    # state

    def load(self, room_of):
        R = self.R
        self.room_of = np.asarray(room_of, dtype=np.int64).copy()
        self.members = [[] for _ in range(R)]
        for i, room in enumerate(self.room_of.tolist()):
            self.members[room].append(i)
        self.size = np.bincount(self.room_of, minlength=R)
        self.counts, self.value_cost, self.excess = {}, {}, {}
        for a in self.active:
            nv = self.problem.n_values[a]
            counts = np.zeros((R, nv + 1), dtype=np.int64)
            np.add.at(counts, (self.room_of, self.codes[a]), 1)
            counts[:, nv] = 0
            self.counts[a] = counts
            self.value_cost[a] = (counts * (counts - 1) // 2).sum(axis=0)
            self.excess[a] = int((self.value_cost[a] - self.value_bound[a]).sum())
        self.soft_in = self._in_room(self.soft)
        self.hard_in = self._in_room(self.hard)
        self.soft_cost = float(self.soft_in.sum()) / 2
        self.hard_count = float(self.hard_in.sum()) / 2

    def _in_room(self, pairs):
        inside = np.zeros(self.n)
        if pairs:
            ends = np.array(pairs.pairs, dtype=np.int64)
            same = self.room_of[ends[:, 0]] == self.room_of[ends[:, 1]]
            np.add.at(inside, ends[same].ravel(), pairs.weight)
        return inside

    def objective(self):
        """Returns (keep-apart violations, weighted cost above the bounds), compared in order."""
        soft = sum(self.weights[a] * self.excess[a] for a in self.active) + self.soft_cost
        return self.hard_count, soft

    def at_target(self):
        return self.hard_count == 0 and self.soft_cost == 0 and not any(self.excess.values())

    def move(self, p, target):
        """Moves person ``p`` to room ``target``, updating every counter."""
        source = self.room_of[p]
        for a in self.active:
            v = self.codes[a][p]
            if v < self.problem.n_values[a]:
                counts = self.counts[a]
                left, joined = counts[source, v] - 1, counts[target, v]
                counts[source, v] = left
                counts[target, v] = joined + 1
                self.value_cost[a][v] += joined - left
                self.excess[a] += int(joined - left)
        for pairs, inside in ((self.soft, self.soft_in), (self.hard, self.hard_in)):
            if not pairs:
                continue
            neighbours, weights = pairs.of(p)
            if neighbours.size:
                rooms = self.room_of[neighbours]
                was, now = rooms == source, rooms == target
                inside[neighbours[was]] -= weights[was]
                inside[neighbours[now]] += weights[now]
                gained, lost = float(weights[now].sum()), float(weights[was].sum())
                inside[p] = gained
                if pairs is self.soft:
                    self.soft_cost += gained - lost
                else:
                    self.hard_count += gained - lost
        self.room_of[p] = target
        self.members[source].remove(p)
        self.members[target].append(p)
        self.size[source] -= 1
        self.size[target] += 1

    def swap(self, p, q):
        room_p, room_q = self.room_of[p], self.room_of[q]
        self.move(p, room_q)
        self.move(q, room_p)

    # Kempe rebalancing

    def balance(self, attributes, blocked):
        """Spreads every value of the (at most two) ``attributes`` evenly over the rooms.

        Rooms flagged in ``blocked`` hold fixed people and are left alone. Each round pairs a
        room holding too many of some value with one holding too few and re-splits the two
        rooms; sum of squared counts strictly falls, so this ends.
        """
        R = self.R
        while time.perf_counter() < self.deadline:
            used = blocked.copy()
            pairs = []
            for a in attributes:
                nv = self.problem.n_values[a]
                counts = self.counts[a][:, :nv]
                uneven = (counts > self.ceil[a]).any(axis=0) | (counts < self.floor[a]).any(axis=0)
                for v in self.rng.permutation(np.flatnonzero(uneven)):
                    column = counts[:, v]
                    order = np.lexsort((self.rng.random(R), -column))
                    i, j = 0, R - 1
                    while i < j and column[order[i]] - column[order[j]] >= 2:
                        if used[order[i]]:
                            i += 1
                        elif used[order[j]]:
                            j -= 1
                        else:
                            pairs.append((order[i], order[j]))
                            used[order[i]] = used[order[j]] = True
                            i += 1
                            j -= 1
            if not pairs:
                return
            for first, second in pairs:
                self._resplit(first, second, attributes)

    def _resplit(self, first, second, attributes):
        """Re-splits two rooms so each value of ``attributes`` differs by at most one between them.

        People are edges between their first and second attribute's value. Pairing the edges at
        every value and following the pairs gives trails; colouring each trail alternately
        balances every value (closed trails have even length: the graph is bipartite).
        """
        people = self.members[first] + self.members[second]
        people = [people[k] for k in self.rng.permutation(len(people))]
        ends = []
        for a in attributes:
            code, nv = self.codes[a], self.problem.n_values[a]
            ends.append([int(v) if v < nv else -1 for v in code[people]])
        if len(ends) == 1:
            ends.append([-1] * len(people))
        mates = ({}, {})
        for side in (0, 1):
            waiting = {}
            for p, v in zip(people, ends[side], strict=True):
                if v < 0:
                    continue
                other = waiting.pop(v, None)
                if other is None:
                    waiting[v] = p
                else:
                    mates[side][p] = other
                    mates[side][other] = p

        seen = set()

        def trail(start, out):
            walk = [start]
            seen.add(start)
            p = start
            while True:
                q = mates[out].get(p)
                if q is None or q in seen:
                    return walk
                walk.append(q)
                seen.add(q)
                p, out = q, 1 - out

        open_trails, closed_trails = [], []
        for p in people:
            if p not in seen:
                if p not in mates[0]:
                    open_trails.append(trail(p, 1))
                elif p not in mates[1]:
                    open_trails.append(trail(p, 0))
        for p in people:
            if p not in seen:
                closed_trails.append(trail(p, 1))

        colour_of = {}
        odd_start = int(self.rng.integers(2))
        for walk in open_trails + closed_trails:
            if len(walk) % 2:
                start, odd_start = odd_start, 1 - odd_start
            else:
                start = int(self.rng.integers(2))
            for k, p in enumerate(walk):
                colour_of[p] = (start + k) % 2
        rooms = (first, second)
        for p in people:
            target = rooms[colour_of[p]]
            if self.room_of[p] != target:
                self.move(p, target)

    # local search

    def _conflicted(self):
        mask = np.zeros(self.n, dtype=bool)
        for a in self.active:
            if self.excess[a] > 0:
                code = self.codes[a]
                here = self.counts[a][self.room_of, code]
                over = self.value_cost[a] > self.value_bound[a]
                mask |= over[code] & (here >= self.threshold[a][code])
        if self.soft:
            mask |= self.soft_in > 0
        if self.hard:
            mask |= self.hard_in > 0
        mask &= ~self.fixed
        return np.flatnonzero(mask)

    def _pair_deltas(self, pairs, inside, p, source, others, other_rooms, *, swap):
        """Returns the change in pair weight inside rooms when ``p`` goes to each of
        ``other_rooms`` and, if ``swap``, each of ``others`` comes to ``p``'s room."""
        delta = np.zeros(len(other_rooms))
        if not pairs:
            return delta
        neighbours, weights = pairs.of(p)
        if neighbours.size:
            by_room = np.bincount(self.room_of[neighbours], weights=weights, minlength=self.R)
            delta += by_room[other_rooms] - by_room[source]
        if swap:
            if others.size <= 8:
                towards = [ws[self.room_of[ys] == source].sum() for ys, ws in map(pairs.of, others)]
            else:
                towards = pairs.weight_towards(self.room_of, source)[others]
            delta += np.asarray(towards) - inside[others]
            if neighbours.size:
                # others is sorted, so p's partners among them are found by bisection.
                at = np.searchsorted(others, neighbours)
                hit = at < others.size
                hit[hit] = others[at[hit]] == neighbours[hit]
                delta[at[hit]] -= 2 * weights[hit]
        return delta

    def _neighbourhood(self, p):
        """Returns (partners, rooms, hard deltas, soft deltas) for every swap and move of ``p``.

        A partner of ``-1`` is a move into that room (only from a larger room to a smaller).
        """
        source = self.room_of[p]
        others = self.free_idx[self.room_of[self.free_idx] != source]
        other_rooms = self.room_of[others]
        soft = np.zeros(others.size)
        for a in self.active:
            code, counts, nv = self.codes[a], self.counts[a], self.problem.n_values[a]
            vp, vq = code[p], code[others]
            d = counts[source, vq] - counts[other_rooms, vq] + self.valid[a][others]
            if vp < nv:
                d += counts[other_rooms, vp] - counts[source, vp] + 1
                d[vq == vp] = 0
            soft += self.weights[a] * d
        args = (p, source, others, other_rooms)
        soft += self._pair_deltas(self.soft, self.soft_in, *args, swap=True)
        hard = self._pair_deltas(self.hard, self.hard_in, *args, swap=True)

        if self.extra and self.size[source] == self.hi:
            targets = np.flatnonzero(self.size == self.lo)
            move_soft = np.zeros(targets.size)
            for a in self.active:
                vp, nv = self.codes[a][p], self.problem.n_values[a]
                if vp < nv:
                    counts = self.counts[a]
                    move_soft += self.weights[a] * (counts[targets, vp] - counts[source, vp] + 1)
            move_soft += self._pair_deltas(
                self.soft, self.soft_in, p, source, None, targets, swap=False
            )
            move_hard = self._pair_deltas(
                self.hard, self.hard_in, p, source, None, targets, swap=False
            )
            others = np.concatenate([others, np.full(targets.size, -1)])
            other_rooms = np.concatenate([other_rooms, targets])
            soft = np.concatenate([soft, move_soft])
            hard = np.concatenate([hard, move_hard])
        return others, other_rooms, hard, soft

    def local_search(self, max_stall):
        """Improves the assignment until the bound is met, ``max_stall`` steps pass without a
        new best, or the deadline; leaves the best assignment seen loaded."""
        rng = self.rng
        if self.free_idx.size == 0:
            return
        best = self.objective()
        best_rooms = self.room_of.copy()
        stall = 0
        while not self.at_target() and stall < max_stall:
            if time.perf_counter() > self.deadline:
                break
            stall += 1
            candidates = self._conflicted()
            if candidates.size == 0:
                candidates = self.free_idx
            p = candidates[rng.integers(candidates.size)]
            partners, rooms, hard, soft = self._neighbourhood(p)
            if partners.size == 0:
                continue
            allowed = np.flatnonzero(hard == hard.min())
            lowest = soft[allowed].min()
            ties = allowed[soft[allowed] <= lowest + self.tolerance]
            k = ties[rng.integers(ties.size)]
            worse = hard[k] > 0 or (hard[k] == 0 and soft[k] > self.tolerance)
            if worse and (hard[k] > 0 or rng.random() >= _NOISE):
                continue
            if partners[k] < 0:
                self.move(p, rooms[k])
            else:
                self.swap(p, partners[k])
            current = self.objective()
            if current[0] < best[0] or (
                current[0] == best[0] and current[1] < best[1] - self.tolerance
            ):
                best, best_rooms, stall = current, self.room_of.copy(), 0
        if not np.array_equal(best_rooms, self.room_of):
            self.load(best_rooms)

    def random_walk(self, proposals):
        """Makes up to ``proposals`` random swaps, keeping only those that change no cost."""
        rng, free = self.rng, self.free_idx
        if free.size < 2:
            return
        # A batch applies at most one swap per room, but evaluating extra proposals is cheap.
        batch = max(32, self.R // 2)
        done = 0
        while done < proposals and time.perf_counter() < self.deadline:
            done += batch
            ps = free[rng.integers(free.size, size=batch)]
            qs = free[rng.integers(free.size, size=batch)]
            rooms_p, rooms_q = self.room_of[ps], self.room_of[qs]
            delta = np.zeros(batch)
            for a in self.active:
                code, counts, valid = self.codes[a], self.counts[a], self.valid[a]
                vp, vq = code[ps], code[qs]
                d = counts[rooms_q, vp] - counts[rooms_p, vp] + valid[ps]
                d += counts[rooms_p, vq] - counts[rooms_q, vq] + valid[qs]
                d[(vp == vq) & valid[ps]] = 0
                # Every attribute must stay put, not just the total, so the reported counts hold.
                delta += np.abs(self.weights[a] * d)
            keep = np.flatnonzero((rooms_p != rooms_q) & (delta <= self.tolerance))
            # Swaps between disjoint room pairs do not interact, so one batch's deltas hold.
            used = set()
            for k in keep.tolist():
                p, q = int(ps[k]), int(qs[k])
                room_p, room_q = int(rooms_p[k]), int(rooms_q[k])
                if room_p in used or room_q in used:
                    continue
                used.add(room_p)
                used.add(room_q)
                if self.soft or self.hard:
                    one = np.array([q])
                    args = (p, room_p, one, np.array([room_q]))
                    if self._pair_deltas(self.hard, self.hard_in, *args, swap=True)[0] != 0:
                        continue
                    soft = self._pair_deltas(self.soft, self.soft_in, *args, swap=True)[0]
                    if abs(soft) > self.tolerance:
                        continue
                self.swap(p, q)


def _initial_rooms(problem: _Problem, search: _RoomSearch, rng):
    """Returns (room of each person, rooms holding fixed people): fixed units first, then a
    random deal of everyone else into the remaining seats."""
    n, R, lo, hi, extra = problem.n, problem.rooms, search.lo, search.hi, search.extra
    room_of = np.full(n, -1, dtype=np.int64)
    load = np.zeros(R, dtype=np.int64)
    for members, room in problem.units:
        if room is not None:
            room_of[members] = room
            load[room] += len(members)

    groups = [members for members, room in problem.units if room is None and len(members) > 1]
    if groups:
        groups.sort(key=len, reverse=True)
        placed = _place_groups(problem, search, groups, room_of, load, rng, by_cost=True)
        if placed is None:
            placed = _place_groups(problem, search, groups, room_of, load, rng, by_cost=False)
        if placed is None:
            raise ValueError(
                f"cannot fit the keep_together groups (sizes {[len(g) for g in groups]}) into "
                f"{R} rooms of {lo}{f' or {hi}' if extra else ''} people"
            )
        room_of, load = placed
    blocked = load > 0

    large = load > lo
    spare_large = extra - int(large.sum())
    candidates = np.flatnonzero(~large)
    large[rng.choice(candidates, size=spare_large, replace=False)] = True
    seats = np.repeat(np.arange(R), np.where(large, hi, lo) - load)
    free = np.flatnonzero(room_of < 0)
    room_of[free] = seats[rng.permutation(seats.size)]
    return room_of, blocked


def _place_groups(problem, search, groups, room_of, load, rng, *, by_cost):
    """Places keep_together groups, largest first, in the cheapest room with space (without
    ``by_cost``: the fullest room with space, best-fit packing). Returns None if one cannot fit."""
    room_of, load = room_of.copy(), load.copy()
    R, lo, hi, extra = problem.rooms, search.lo, search.hi, search.extra
    counts = {}
    for a in search.active:
        counts[a] = np.zeros((R, problem.n_values[a] + 1))
        placed = room_of >= 0
        np.add.at(counts[a], (room_of[placed], problem.codes[a][placed]), 1)
        counts[a][:, problem.n_values[a]] = 0
    for members in groups:
        size = len(members)
        n_large = int((load > lo).sum())
        fits = (load + size <= lo) | ((load + size <= hi) & ((load > lo) | (n_large < extra)))
        if not fits.any():
            return None
        hard, soft = np.zeros(R), np.zeros(R)
        for pairs, total in ((problem.keep_apart, hard), (problem.met_before, soft)):
            for i in members:
                neighbours, weights = pairs.of(i)
                placed = room_of[neighbours] >= 0
                total += np.bincount(
                    room_of[neighbours[placed]], weights=weights[placed], minlength=R
                )
        if by_cost:
            for a in search.active:
                for i in members:
                    soft += problem.weights[a] * counts[a][:, problem.codes[a][i]]
        else:
            soft = -load.astype(float)
        score = np.where(fits, hard * (1 + soft.max() - soft.min()) + soft, np.inf)
        lowest = score.min()
        ties = np.flatnonzero(score <= lowest + search.tolerance)
        room = ties[rng.integers(ties.size)]
        room_of[members] = room
        load[room] += size
        for a in search.active:
            for i in members:
                counts[a][room, problem.codes[a][i]] += 1
            counts[a][:, problem.n_values[a]] = 0
    return room_of, load


def _make_plan(problem: _Problem, room_of: np.ndarray, seed) -> Plan:
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
    met = sum(1 for i, j in problem.met_before.pairs if room_of[i] == room_of[j])
    similar[MET_BEFORE], bound[MET_BEFORE] = met, 0
    if met and problem.met_before.weight > 0:
        optimal = False
    return Plan(
        rooms=rooms,
        similar_pairs=similar,
        lower_bound=bound,
        optimal=optimal,
        room_reports=reports,
        seed=seed,
    )


def plan_rooms(
    people: Iterable[Person],
    rooms: int,
    *,
    seed: int,
    weights: Mapping[str, float] | None = None,
    met_before: Iterable[Iterable[Hashable]] = (),
    keep_apart: Iterable[Iterable[Hashable]] = (),
    keep_together: Iterable[Iterable[Hashable]] = (),
    pinned: Mapping[Hashable, int] | None = None,
    time_limit: float = 2.0,
) -> Plan:
    """Returns a :class:`Plan` putting every person in exactly one of ``rooms`` rooms.

    Room sizes differ by at most one. The plan minimises the weighted number of pairs sharing a
    room that have the same value of an attribute (``weights`` maps attribute names to weights,
    default 1; the key ``"met_before"`` weighs the ``met_before`` pairs, default 1). Weights of
    attributes nobody has are ignored. Hard constraints: ``keep_apart`` pairs never share a room,
    each ``keep_together`` group shares one, and ``pinned`` maps a key to its room index (0-based).
    Pinned people and keep-together groups are placed first and do not move afterwards.

    The search stops as soon as every bound is met, after a long stretch without improvement, or
    at ``time_limit`` seconds. The same inputs and ``seed`` give the same plan whenever the search
    ends before the time limit (always, when the bounds are reached); different seeds give
    different rooms of the same quality.

    Raises ValueError for malformed input (rooms out of range, unknown or duplicate keys, bad
    weights or pins) and for constraints that cannot hold together, naming the conflict.
    """
    started = time.perf_counter()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    time_limit = _check_number(time_limit, "time_limit", positive=True)
    problem = _encode(people, rooms, weights, met_before, keep_apart, keep_together, pinned)
    rng = np.random.default_rng(int(seed))
    search = _RoomSearch(problem, rng, started + time_limit)
    room_of, blocked = _initial_rooms(problem, search, rng)
    search.load(room_of)

    # Balancing reaches the bound for two attributes; with more it is the start for the search.
    by_weight = sorted(search.active, key=lambda a: (-problem.weights[a], a))
    if by_weight and problem.rooms > 1:
        search.balance(by_weight[:2], blocked)
    if problem.rooms > 1:
        if not search.at_target():
            search.local_search(max_stall=1000 + 20 * problem.n)
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
    return _make_plan(problem, search.room_of, int(seed))


# -- solve_mdgp ----------------------------------------------------------------------------------


def _distance_matrix(distance):
    try:
        d = np.array(distance, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("distance must be a square matrix of numbers") from None
    if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape[0] == 0:
        raise ValueError(f"distance must be a non-empty square n x n matrix, got shape {d.shape}")
    if not np.isfinite(d).all():
        raise ValueError("distance contains NaN or infinite entries")
    if (d < 0).any():
        i, j = np.argwhere(d < 0)[0]
        raise ValueError(f"distances must be non-negative, got d[{i}][{j}] = {d[i, j]}")
    asymmetric = ~np.isclose(d, d.T, rtol=1e-9, atol=1e-9)
    if asymmetric.any():
        i, j = np.argwhere(asymmetric)[0]
        raise ValueError(
            f"distance must be symmetric, but d[{i}][{j}] = {d[i, j]} and d[{j}][{i}] = {d[j, i]}"
        )
    # The diagonal never counts (an element is not paired with itself).
    np.fill_diagonal(d, 0.0)
    return (d + d.T) / 2


def _group_bounds(group_sizes, n):
    lows, highs = [], []
    for g, bounds in enumerate(group_sizes):
        try:
            low, high = bounds
        except (TypeError, ValueError):
            raise ValueError(
                f"group_sizes[{g}] must be a (min, max) pair, got {bounds!r}"
            ) from None
        for value in (low, high):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise ValueError(
                    f"group_sizes[{g}] must hold non-negative integers, got {bounds!r}"
                )
        if low > high:
            raise ValueError(f"group_sizes[{g}] has min {low} above max {high}")
        lows.append(int(low))
        highs.append(min(int(high), n))
    if not lows:
        raise ValueError("group_sizes must name at least one group")
    if sum(lows) > n:
        raise ValueError(f"group minimum sizes add up to {sum(lows)}, more than the {n} elements")
    if sum(highs) < n:
        raise ValueError(f"group maximum sizes add up to {sum(highs)}, fewer than the {n} elements")
    return np.array(lows, dtype=np.int64), np.array(highs, dtype=np.int64)


class _MdgpSearch:
    """Iterated tabu search for the maximally diverse grouping problem.

    ``W[i, g]`` is the sum of distances from element ``i`` to the members of group ``g``: moving
    ``i`` from ``g`` to ``h`` gains ``W[i, h] - W[i, g]``, swapping ``i`` (in ``g``) with ``j``
    (in ``h``) gains ``W[i, h] - W[i, g] + W[j, g] - W[j, h] - 2 d[i, j]``, and applying a move
    updates two columns of ``W``.
    """

    # Tabu tenure and perturbation strength as fractions of n, and tabu steps without a new best
    # per round (times n); tuned on uniform 0-100 instances of 240 and 480 elements.
    TENURE = (1 / 40, 1 / 15)
    STRENGTH = (1 / 20, 1 / 8)
    STALL = 1.0

    def __init__(self, d, lows, highs, rng, deadline):
        self.d, self.d2 = d, 2 * d
        self.n, self.G = len(d), len(lows)
        self.lows, self.highs = lows, highs
        self.rng, self.deadline = rng, deadline
        self.rows = np.arange(self.n)
        self.tolerance = _TOLERANCE * max(1.0, float(d.max()))
        self.has_moves = bool((lows != highs).any())
        # Reused n x n buffers: allocating them afresh every step costs more than the arithmetic.
        self.towards = np.empty((self.n, self.n))
        self.swaps = np.empty((self.n, self.n))

    def time_left(self):
        return time.perf_counter() < self.deadline

    def random_solution(self):
        sizes = self.lows.copy()
        slots = np.repeat(np.arange(self.G), self.highs - self.lows)
        chosen = self.rng.choice(slots.size, size=self.n - int(sizes.sum()), replace=False)
        sizes += np.bincount(slots[chosen], minlength=self.G)
        return self.rng.permutation(np.repeat(np.arange(self.G), sizes))

    def load(self, group):
        self.group = np.array(group, dtype=np.int64)
        members = np.zeros((self.n, self.G))
        members[self.rows, self.group] = 1.0
        self.W = self.d @ members
        self.size = np.bincount(self.group, minlength=self.G)
        self.value = 0.5 * float(self.W[self.rows, self.group].sum())

    def move(self, i, target):
        source = self.group[i]
        self.value += self.W[i, target] - self.W[i, source]
        self.W[:, source] -= self.d[:, i]
        self.W[:, target] += self.d[:, i]
        self.group[i] = target
        self.size[source] -= 1
        self.size[target] += 1

    def gains(self):
        """Returns the n x G gains of single moves; staying put is ``-inf``."""
        gain = self.W - self.W[self.rows, self.group][:, None]
        gain[self.rows, self.group] = -np.inf
        return gain

    def swap_gains(self, gain):
        """Returns the n x n gains of swaps (``-inf`` within a group or where ``gain`` is), in a
        buffer that the next call overwrites."""
        # towards[j, i] = gain[i, group[j]]: gathering whole rows of gain.T is the fast direction.
        np.take(np.ascontiguousarray(gain.T), self.group, axis=0, out=self.towards)
        np.add(self.towards, self.towards.T, out=self.swaps)
        np.subtract(self.swaps, self.d2, out=self.swaps)
        return self.swaps

    def allowed_moves(self, gain):
        leave = self.size[self.group] > self.lows[self.group]
        enter = self.size < self.highs
        return np.where(leave[:, None] & enter[None, :], gain, -np.inf)

    def descent(self):
        """Applies improving moves until none is left. Each round takes several improving moves
        at once when they touch disjoint groups, whose gains do not interact."""
        while self.time_left():
            gain = self.gains()
            changed = set()
            swaps = self.swap_gains(gain).ravel()
            top = min(swaps.size, 4 * self.G + 8)
            picks = np.argpartition(swaps, -top)[-top:]
            for flat in picks[np.argsort(-swaps[picks])].tolist():
                if swaps[flat] <= self.tolerance:
                    break
                i, j = divmod(flat, self.n)
                g, h = int(self.group[i]), int(self.group[j])
                if g in changed or h in changed:
                    continue
                changed.update((g, h))
                self.move(i, h)
                self.move(j, g)
            if self.has_moves:
                moves = self.allowed_moves(gain).ravel()
                top = min(moves.size, 2 * self.G + 4)
                picks = np.argpartition(moves, -top)[-top:]
                for flat in picks[np.argsort(-moves[picks])].tolist():
                    if moves[flat] <= self.tolerance:
                        break
                    i, h = divmod(flat, self.G)
                    g = int(self.group[i])
                    if g in changed or h in changed:
                        continue
                    changed.update((g, h))
                    self.move(i, h)
            if not changed:
                return

    def tabu_search(self, max_stall):
        """Runs tabu search from the loaded solution; returns its best (value, groups).

        Each step takes the best move or swap that does not send an element back to a group it
        recently left, even when it loses value, which walks the search out of local optima.
        """
        rng, n = self.rng, self.n
        tabu_until = np.zeros((n, self.G), dtype=np.int64)
        low, high = max(2, int(n * self.TENURE[0])), max(4, int(n * self.TENURE[1]))
        best_value, best_group = self.value, self.group.copy()
        step = stall = 0
        while stall < max_stall and self.time_left():
            step += 1
            stall += 1
            gain = np.where(tabu_until > step, -np.inf, self.gains())
            swaps = self.swap_gains(gain)
            flat = int(np.argmax(swaps))
            i, j = divmod(flat, n)
            chosen = swaps[i, j]
            target = None
            if self.has_moves:
                moves = self.allowed_moves(gain)
                k = int(np.argmax(moves))
                if moves.flat[k] > chosen:
                    i, target = divmod(k, self.G)
                    chosen = moves.flat[k]
            if chosen == -np.inf:
                break
            source = int(self.group[i])
            if target is None:
                target = int(self.group[j])
                tabu_until[j, target] = step + rng.integers(low, high + 1)
                self.move(j, source)
            tabu_until[i, source] = step + rng.integers(low, high + 1)
            self.move(i, target)
            if self.value > best_value + self.tolerance:
                best_value, best_group, stall = self.value, self.group.copy(), 0
        return best_value, best_group

    def perturb(self, strength):
        """Applies ``strength`` random swaps (and moves where sizes allow)."""
        rng = self.rng
        for _ in range(strength):
            i = int(rng.integers(self.n))
            g = int(self.group[i])
            if self.has_moves and rng.random() < 0.5:
                targets = np.flatnonzero(self.size < self.highs)
                targets = targets[targets != g]
                if self.size[g] > self.lows[g] and targets.size:
                    self.move(i, int(targets[rng.integers(targets.size)]))
                    continue
            others = np.flatnonzero(self.group != g)
            if others.size:
                j = int(others[rng.integers(others.size)])
                h = int(self.group[j])
                self.move(i, h)
                self.move(j, g)

    def run(self):
        self.load(self.random_solution())
        if self.G == 1:
            return self.group
        self.descent()
        best_value, best_group = self.value, self.group.copy()
        low, high = max(2, int(self.n * self.STRENGTH[0])), max(3, int(self.n * self.STRENGTH[1]))
        while self.time_left():
            value, group = self.tabu_search(max_stall=max(200, int(self.STALL * self.n)))
            if value > best_value + self.tolerance:
                best_value, best_group = value, group
            self.load(best_group)
            self.perturb(int(self.rng.integers(low, high + 1)))
            self.descent()
        return best_group


def solve_mdgp(distance, group_sizes, *, seed: int, time_limit: float) -> list[int]:
    """Returns the group index of each element, maximising the sum of within-group distances.

    ``distance`` is a symmetric n x n matrix of non-negative numbers (its diagonal is ignored);
    ``group_sizes`` holds a ``(min, max)`` size pair per group. The search runs until
    ``time_limit`` seconds have passed; ``seed`` fixes its random choices, though on hard
    instances the result can still depend on how much search fits in the time. Memory and time
    per step grow with n^2.

    Raises ValueError for a matrix that is not square, symmetric, finite and non-negative, and for
    group sizes that are malformed or cannot cover the n elements.
    """
    started = time.perf_counter()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    time_limit = _check_number(time_limit, "time_limit", positive=True)
    d = _distance_matrix(distance)
    lows, highs = _group_bounds(group_sizes, len(d))
    search = _MdgpSearch(d, lows, highs, np.random.default_rng(int(seed)), started + time_limit)
    return search.run().tolist()
