"""Input checks: turn the caller's people, weights and constraints into a ``Problem``, or raise
ValueError naming exactly what is wrong (an unknown key, a pin out of range, constraints that
cannot hold together)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from .problem import (
    MET_BEFORE,
    MIX_LEVELS,
    REPEAT,
    REPEAT_FACTOR,
    RESERVED,
    Pairs,
    Problem,
    is_missing,
)


def check_number(value, what, *, positive=False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        sign = "positive" if positive else "non-negative"
        raise ValueError(f"{what} must be a finite {sign} number, got {value!r}")
    return float(value)


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def check_weight(name, weight) -> float:
    """Returns the weight as a number; ``weight`` is a number or a level of ``MIX_LEVELS``."""
    if isinstance(weight, str):
        level = MIX_LEVELS.get(" ".join(weight.casefold().replace("-", " ").split()))
        if level is None:
            choices = ", ".join(repr(choice) for choice in MIX_LEVELS)
            raise ValueError(
                f"weight of {name!r} must be a number or one of {choices}, got {weight!r}"
            )
        return level
    return check_number(weight, f"weight of {name!r}")


def check_weights(weights) -> dict[str, float]:
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        raise ValueError(f"weights must map attribute names to weights, got {weights!r}")
    return {name: check_weight(name, weight) for name, weight in weights.items()}


def encode_people(people):
    """Returns (people as a list, their keys, key -> index), checking keys and attributes."""
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
        for name in attributes:
            if name in RESERVED:
                raise ValueError(f"attribute name {name!r} is reserved")
        index[key] = len(keys)
        keys.append(key)
    return people, keys, index


def encode_attributes(people):
    """Returns (names, codes, n_values): per attribute, a value id per person (``n_values[a]``
    for "no value")."""
    names = []
    for person in people:
        for name in person.attributes:
            if name not in names:
                names.append(name)
    codes, n_values = [], []
    for name in names:
        ids, column = {}, []
        for person in people:
            value = person.attributes.get(name)
            if is_missing(value):
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
    return names, codes, n_values


def _known(index, key):
    try:
        return key in index
    except TypeError:
        return False


def _lookup(index, key, what):
    try:
        return index[key]
    except (KeyError, TypeError):
        raise ValueError(f"{what} names unknown person {key!r}") from None


def pairs_of(index, items, what, *, skip_unknown=False) -> list[tuple[int, int]]:
    """Returns the sorted index pairs named by ``items`` (pairs of keys); with
    ``skip_unknown``, pairs naming someone not in ``index`` are left out rather than refused."""
    found = set()
    for item in items:
        if isinstance(item, str | bytes) or not isinstance(item, Iterable):
            raise ValueError(f"each {what} entry must be a pair of person keys, got {item!r}")
        ends = list(item)
        if len(ends) != 2 or ends[0] == ends[1]:
            raise ValueError(f"each {what} entry must name two different people, got {item!r}")
        if skip_unknown and not all(_known(index, key) for key in ends):
            continue
        i, j = sorted(_lookup(index, key, what) for key in ends)
        found.add((i, j))
    # Sorted, so the search never depends on set order (string hashes vary per process).
    return sorted(found)


def repeat_counts(index, earlier_rounds) -> dict[tuple[int, int], int]:
    """Returns, per index pair, how many earlier rounds put both in one room.

    People of earlier rounds who are not in ``index`` have left and are skipped.
    """
    if isinstance(earlier_rounds, str | bytes | Mapping) or not isinstance(
        earlier_rounds, Iterable
    ):
        raise ValueError("earlier_rounds must be a list of rounds, each a list of rooms of keys")
    counts: dict[tuple[int, int], int] = {}
    for number, plan in enumerate(earlier_rounds):
        if isinstance(plan, str | bytes | Mapping) or not isinstance(plan, Iterable):
            raise ValueError(f"earlier_rounds[{number}] must be a list of rooms, got {plan!r}")
        seen: dict[int, int] = {}
        for room_number, room in enumerate(plan):
            if isinstance(room, str | bytes) or not isinstance(room, Iterable):
                raise ValueError(
                    f"earlier_rounds[{number}][{room_number}] must be a list of person keys, "
                    f"got {room!r}"
                )
            members = []
            for key in room:
                try:
                    i = index.get(key)
                except TypeError:
                    raise ValueError(f"person keys must be hashable, got {key!r}") from None
                if i is None:
                    continue
                if i in seen:
                    raise ValueError(
                        f"earlier_rounds[{number}] puts {key!r} in two rooms "
                        f"({seen[i]} and {room_number})"
                    )
                seen[i] = room_number
                members.append(i)
            members.sort()
            for a, i in enumerate(members):
                for j in members[a + 1 :]:
                    counts[(i, j)] = counts.get((i, j), 0) + 1
    return counts


def encode(
    people, rooms, weights, met_before, keep_apart, keep_together, pinned, earlier_rounds=()
) -> Problem:
    people, keys, index = encode_people(people)
    n = len(keys)
    if n == 0:
        raise ValueError("no people to place")
    if isinstance(rooms, bool) or not isinstance(rooms, int | np.integer) or not 1 <= rooms <= n:
        raise ValueError(
            f"rooms must be a whole number from 1 to {n} (the number of people), got {rooms!r}"
        )
    rooms = int(rooms)
    names, codes, n_values = encode_attributes(people)
    weights = check_weights(weights)
    attribute_weights = [weights.get(name, 1.0) for name in names]
    heaviest = max([1.0, *attribute_weights])
    met_weight = weights.get(MET_BEFORE, 1.0)
    repeat_weight = weights.get(REPEAT, REPEAT_FACTOR * heaviest)

    met_pairs = pairs_of(index, met_before, "met_before")
    met = Pairs(n, met_pairs, np.full(len(met_pairs), met_weight))
    repeats = repeat_counts(index, earlier_rounds)
    repeat_pairs = sorted(repeats)
    repeated = Pairs(
        n, repeat_pairs, np.array([repeats[p] * repeat_weight for p in repeat_pairs], dtype=float)
    )
    apart_pairs = pairs_of(index, keep_apart, "keep_apart")
    apart = Pairs(n, apart_pairs, np.ones(len(apart_pairs)))
    units = _units(keys, index, rooms, apart, keep_together, pinned)
    return Problem(
        keys=keys,
        rooms=rooms,
        names=names,
        codes=codes,
        n_values=n_values,
        weights=attribute_weights,
        met_before=met,
        repeats=repeated,
        keep_apart=apart,
        units=units,
    )


def _units(keys, index, rooms, apart, keep_together, pinned):
    """Returns the people placed before the search (keep-together groups and pinned people) as
    (members, pinned room or None), checking that pins, groups and keep-apart pairs agree."""
    n = len(keys)
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
        members = [_lookup(index, key, "keep_together") for key in group]
        grouped.update(members)
        for other in members[1:]:
            parent[root(other)] = root(members[0])

    pins = {}
    if pinned is not None:
        if not isinstance(pinned, Mapping):
            raise ValueError("pinned must map person keys to room numbers")
        for key, room in pinned.items():
            i = _lookup(index, key, "pinned")
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
    return units
