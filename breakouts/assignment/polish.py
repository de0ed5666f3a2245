"""When the lower bounds cannot all be met, the planner's rooms are polished by the tabu search
of the general MDGP solver on the planner's own cost, as a distance matrix."""

from __future__ import annotations

import time

import numpy as np

from .problem import Problem
from .search import RoomSearch
from .tabu import TabuSearch

# The tabu search holds four n x n matrices: 1,500 people take about 70 MB.
MAX_PEOPLE = 1500
# Rounds of tabu search in a row without a better plan before the polish stops (it also stops
# at the deadline): a step budget rather than a time budget keeps plans reproducible.
IDLE_ROUNDS = 2


def similarity(problem: Problem) -> np.ndarray:
    """Returns the n x n weighted cost of every pair sharing a room: same attribute values,
    met-before and repeat pairs, and keep-apart pairs above all of these together."""
    n = problem.n
    cost = np.zeros((n, n))
    for code, nv, weight in zip(problem.codes, problem.n_values, problem.weights, strict=True):
        if weight > 0:
            cost += weight * ((code[:, None] == code[None, :]) & (code < nv)[:, None])
    for pairs, scale in ((problem.soft, 1.0), (problem.keep_apart, None)):
        if not pairs:
            continue
        if scale is None:
            # One keep-apart pair outweighs any change that the other costs can make.
            scale = 1.0 + 2.0 * float(cost.sum(axis=1).max())
        first, second = pairs.ends
        cost[first, second] += scale * pairs.pair_weights
        cost[second, first] += scale * pairs.pair_weights
    np.fill_diagonal(cost, 0.0)
    return cost


def polish(problem: Problem, search: RoomSearch, rng, deadline: float) -> None:
    """Improves the loaded rooms of ``search`` with iterated tabu search until ``deadline`` or
    ``IDLE_ROUNDS`` rounds without a better plan; keeps them only if the cost fell."""
    if problem.n > MAX_PEOPLE or search.free_idx.size < 2 or time.perf_counter() >= deadline:
        return
    cost = similarity(problem)
    # Maximising the sum of (max - cost) within rooms minimises the cost: with sizes fixed up to
    # which rooms hold one more, the number of pairs sharing a room does not change.
    distance = cost.max() - cost
    np.fill_diagonal(distance, 0.0)
    R = problem.rooms
    lows = np.full(R, search.lo, dtype=np.int64)
    highs = np.full(R, search.hi, dtype=np.int64)
    tabu = TabuSearch(distance, lows, highs, rng, deadline, fixed=search.fixed)
    before = search.objective()
    rooms = tabu.iterate(search.room_of.copy(), max_idle_rounds=IDLE_ROUNDS)
    previous = search.room_of.copy()
    search.load(rooms)
    after = search.objective()
    if after[0] > before[0] or (after[0] == before[0] and after[1] >= before[1]):
        search.load(previous)
