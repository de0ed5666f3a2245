"""A small population of groupings improved by crossover and tabu search, after TPSDP (Yang et
al., "A three-phase search approach with dynamic population size for the maximally diverse
grouping problem", EJOR 2022) and the memetic search of Lai & Hao (2016).

Each child inherits whole groups from two parents, alternately, taking each time the group with
the largest sum of distances among the elements not yet placed; the rest are dealt at random.
Tabu search then improves the child, which replaces the worst member of the population when it is
better and not already there. Crossover keeps what good groupings share and tabu search repairs
the seams, which finds better groupings in the same time than restarting tabu search alone.
"""

from __future__ import annotations

import numpy as np

from .swaps import SwapSearch
from .tabu import TabuSearch

# Population size, and tabu steps without a new best per child (times n). With the compiled
# swap step (about 10 microseconds on n = 480) a child affords long searches: eight members and
# 10 n steps per child came within 0.09 % of the best-known values on average on RanReal ds at
# n = 240 (seeds 1-3, 10 s), against 0.23 % with the four members and 2 n tuned for the numpy
# step, and 0.23 % against 0.31 % at n = 480 (see docs/assignment.md).
POPULATION, CHILD_STALL = 8, 10.0
INITIAL_STALL = 2.0
# Strength of the perturbation of a member, in random swaps per average group size.
PERTURBATION = (0.5, 1.5)


def evolve(search: TabuSearch) -> np.ndarray:
    """Returns the best grouping found before ``search``'s deadline.

    Where group sizes may vary, the population keeps the sizes that hold the most pairs and
    searches swaps only; a last descent with moves then tries other sizes. Moving one element
    from a group to another changes the number of pairs by about the difference of the sizes, so
    a search that may move elements drifts to sizes holding fewer pairs and never finds its way
    back (every step back loses value), while on average every pair is worth the mean distance.
    """
    if search.G == 1:
        return np.zeros(search.n, dtype=np.int64)
    sizes = search.most_pairs_sizes() if search.has_moves else search.lows
    best = _evolve(SwapSearch(search.d, sizes, search.rng, search.deadline, clock=search.clock))
    if not search.has_moves:
        return best
    search.load(best)
    deadline, search.deadline = search.deadline, np.inf
    try:
        search.descent()
    finally:
        search.deadline = deadline
    return search.group


def _evolve(search: SwapSearch) -> np.ndarray:
    rng, n, size = search.rng, search.n, POPULATION
    stall = max(100, int(CHILD_STALL * n))
    pool: list[tuple[float, np.ndarray]] = []
    while len(pool) < size and search.time_left():
        search.load(search.random_solution())
        search.descent()
        value, group = search.tabu_search(max_stall=max(100, int(INITIAL_STALL * n)))
        _admit(pool, size, value, group, search.tolerance)
    if not pool:
        return search.random_solution()
    while search.time_left() and len(pool) >= 2:
        first, second = rng.choice(len(pool), size=2, replace=False)
        search.load(crossover(search, pool[first][1], pool[second][1]))
        search.descent()
        if _admit(pool, size, *search.tabu_search(max_stall=stall), search.tolerance):
            continue
        # The child brought nothing new, so the population is converging: perturb a member
        # strongly (TPSDP's first phase) and let it back in if it is as good as before.
        k = int(rng.integers(len(pool)))
        search.load(pool[k][1])
        search.perturb(max(2, int(rng.uniform(*PERTURBATION) * n / search.G)))
        search.descent()
        value, group = search.tabu_search(max_stall=stall)
        if value >= pool[k][0] - search.tolerance and not any(
            abs(value - other) <= search.tolerance for j, (other, _) in enumerate(pool) if j != k
        ):
            pool[k] = (value, group.copy())
    return max(pool, key=lambda member: member[0])[1]


def _admit(pool, size, value, group, tolerance) -> bool:
    """Adds ``group`` to the pool if it holds fewer than ``size`` members, or in place of the
    worst member if it is better, and says whether it did; never twice the same value (a copy
    would only shrink the population's variety)."""
    if any(abs(value - other) <= tolerance for other, _ in pool):
        return False
    if len(pool) < size:
        pool.append((value, group.copy()))
        return True
    worst = min(range(len(pool)), key=lambda k: pool[k][0])
    if value > pool[worst][0]:
        pool[worst] = (value, group.copy())
        return True
    return False


def crossover(search: TabuSearch | SwapSearch, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Returns a child grouping of two parents (group indices per element): group by group,
    alternating parents, the parent's group index with the largest within-sum of the elements
    still free goes to the child with those elements; the elements left
    fill groups below their minimum size, then groups with room, at random."""
    rng, d, G = search.rng, search.d, search.G
    lows, highs = search.lows, search.highs
    child = np.full(search.n, -1, dtype=np.int64)
    child[search.fixed] = first[search.fixed]
    used = np.zeros(G, dtype=bool)
    parents = (first, second)
    members = [[np.flatnonzero(parent == g) for g in range(G)] for parent in parents]
    turn = int(rng.integers(2))
    for _ in range(G):
        groups = members[turn]
        best_g, best_sum, best_free = -1, -1.0, None
        for g in np.flatnonzero(~used).tolist():
            free = groups[g][child[groups[g]] < 0]
            total = float(d[np.ix_(free, free)].sum()) if free.size > 1 else 0.0
            if total > best_sum:
                best_g, best_sum, best_free = g, total, free
        # The parent's group fits: fixed elements sit in the same group in every grouping.
        child[best_free] = best_g
        used[best_g] = True
        turn = 1 - turn
    left = rng.permutation(np.flatnonzero(child < 0))
    sizes = np.bincount(child[child >= 0], minlength=G)
    k = 0
    for g in range(G):
        need = int(lows[g] - sizes[g])
        if need > 0:
            child[left[k : k + need]] = g
            sizes[g] += need
            k += need
    for i in left[k:].tolist():
        open_groups = np.flatnonzero(sizes < highs)
        g = int(open_groups[rng.integers(open_groups.size)])
        child[i] = g
        sizes[g] += 1
    return child
