"""The starting point of the room search: fixed people first, then a random deal."""

from __future__ import annotations

import numpy as np

from .problem import Problem
from .search import RoomSearch


def initial_rooms(problem: Problem, search: RoomSearch, rng):
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
        placed = place_groups(problem, search, groups, room_of, load, rng, by_cost=True)
        if placed is None:
            placed = place_groups(problem, search, groups, room_of, load, rng, by_cost=False)
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


def place_groups(problem, search, groups, room_of, load, rng, *, by_cost):
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
        for pairs, total in ((problem.keep_apart, hard), (problem.soft, soft)):
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
