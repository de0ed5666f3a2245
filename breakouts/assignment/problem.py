"""The vocabulary of the engine: people, weights, weighted pairs and the encoded problem.

Everything the room search works on is integers and numpy arrays: attribute values become codes,
people become indices, and pairs (met before, sat together in an earlier round, keep apart)
become compressed rows of weighted neighbours.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MET_BEFORE = "met_before"
REPEAT = "repeat"
RESERVED = (MET_BEFORE, REPEAT)

# What a facilitator means by "must mix", "mix if possible" and "ignore". A same-value pair of a
# must-mix attribute costs as much as ten of a mix-if-possible one.
MUST_MIX = 10.0
MIX_IF_POSSIBLE = 1.0
IGNORE = 0.0
MIX_LEVELS = {"must mix": MUST_MIX, "mix if possible": MIX_IF_POSSIBLE, "ignore": IGNORE}

# Unless weighed explicitly, a pair who already shared a room in an earlier round costs this many
# times the heaviest attribute: meeting new people is the point of another round.
REPEAT_FACTOR = 10.0

# Deltas are sums of a few weight x small-integer products; anything below this is rounding.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Person:
    """Someone to place: a hashable ``key`` and attributes such as ``{"department": "Sales"}``.

    A missing attribute, ``None`` or a blank string means "no value": that person is not similar
    to anyone on that attribute (two people without a location are not a same-location pair).
    """

    key: Hashable
    attributes: Mapping[str, Any] = field(default_factory=dict)


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


def is_missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Pairs:
    """Symmetric weighted pairs of people, in compressed rows: neighbours of ``i`` are
    ``indices[indptr[i]:indptr[i + 1]]`` with weights ``weights[indptr[i]:indptr[i + 1]]``.

    ``pairs`` are sorted ``(i, j)`` with ``i < j``; ``pair_weights`` holds one weight per pair.
    """

    n: int
    pairs: list[tuple[int, int]]
    pair_weights: np.ndarray
    ends: tuple[np.ndarray, np.ndarray] = field(init=False)
    indptr: np.ndarray = field(init=False)
    indices: np.ndarray = field(init=False)
    weights: np.ndarray = field(init=False)

    def __post_init__(self):
        self.pair_weights = np.asarray(self.pair_weights, dtype=float).reshape(len(self.pairs))
        if self.pairs:
            ends = np.array(self.pairs, dtype=np.int64)
            self.ends = ends[:, 0], ends[:, 1]
            rows = np.concatenate([ends[:, 0], ends[:, 1]])
            cols = np.concatenate([ends[:, 1], ends[:, 0]])
            weights = np.concatenate([self.pair_weights, self.pair_weights])
            order = np.lexsort((cols, rows))
            rows, cols, weights = rows[order], cols[order], weights[order]
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            weights = np.zeros(0)
            self.ends = rows, cols
        self.indptr = np.zeros(self.n + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum(np.bincount(rows, minlength=self.n))
        self.indices = cols
        self.weights = weights

    @classmethod
    def weighted(cls, n, weight_of: Mapping[tuple[int, int], float]) -> Pairs:
        """Returns the pairs of ``weight_of`` (``(i, j) -> weight``) that weigh more than 0."""
        # Sorted, so the search never depends on dict order.
        pairs = sorted(pair for pair, weight in weight_of.items() if weight > 0)
        return cls(n, pairs, np.array([weight_of[pair] for pair in pairs], dtype=float))

    def __bool__(self):
        return bool(self.pairs) and bool((self.pair_weights > 0).any())

    @property
    def heaviest(self) -> float:
        return float(self.pair_weights.max()) if self.pairs else 0.0

    def of(self, i):
        start, end = self.indptr[i], self.indptr[i + 1]
        return self.indices[start:end], self.weights[start:end]

    def weight_towards(self, room_of, room):
        """Returns, for every person, the weight of their pairs with people in ``room``."""
        first, second = self.ends
        in_first, in_second = room_of[first] == room, room_of[second] == room
        return np.bincount(
            second[in_first], weights=self.pair_weights[in_first], minlength=self.n
        ) + np.bincount(first[in_second], weights=self.pair_weights[in_second], minlength=self.n)

    def inside(self, room_of) -> np.ndarray:
        """Returns, per pair, whether both ends share a room."""
        first, second = self.ends
        return room_of[first] == room_of[second]


@dataclass
class Problem:
    """A validated, encoded room-planning problem (built by ``inputs.encode``)."""

    keys: list[Hashable]
    rooms: int
    names: list[str]
    codes: list[np.ndarray]  # per attribute: value id per person; n_values[a] means "no value"
    n_values: list[int]
    weights: list[float]
    met_before: Pairs  # reported as "met_before"; weighted by the met-before weight
    repeats: Pairs  # pairs who shared a room in an earlier round, weighted by times x weight
    keep_apart: Pairs  # hard: weight 1 per pair
    units: list[tuple[list[int], int | None]]  # people placed first, and their pinned room
    soft: Pairs = field(init=False)  # met_before and repeats together, what the search weighs
    value_counts: list[np.ndarray] = field(init=False)

    def __post_init__(self):
        self.value_counts = [
            np.bincount(code, minlength=nv + 1)[:nv]
            for code, nv in zip(self.codes, self.n_values, strict=True)
        ]
        weight_of: dict[tuple[int, int], float] = {}
        for pairs in (self.met_before, self.repeats):
            for pair, weight in zip(pairs.pairs, pairs.pair_weights.tolist(), strict=True):
                weight_of[pair] = weight_of.get(pair, 0.0) + weight
        self.soft = Pairs.weighted(self.n, weight_of)

    @property
    def n(self):
        return len(self.keys)
