"""Tabu search over swaps only, for groups of fixed sizes: the search of ``solve_mdgp``'s
population, compiled with Numba.

``W[i, g]`` is the sum of distances from element ``i`` to the members of group ``g``. Moving
``i`` from its group ``g`` to ``h`` gains ``W[i, h] - W[i, g]``; swapping it with ``j`` (in
``h``) gains that plus ``W[j, g] - W[j, h]``, minus ``2 d[i, j]``; a swap updates two columns of
``W`` (Lai & Hao 2016). ``top[g, h]``, the best gain of an allowed move of a member of ``g`` to
``h``, bounds every swap between ``g`` and ``h`` by ``top[g, h] + top[h, g]``, and a swap
changes only the rows and columns of its two groups in ``top``. A step finds the best allowed
swap of the whole neighbourhood exactly, by branch and bound: first the group pair with the
highest bound, then every pair whose bound still beats the best swap found, member by member.

On MDGPLIB's RanReal instances a step takes 3-10 microseconds of compiled code (n = 120 to
480; the same search as numpy calls took 130-260, weighing only the best-bounded moves); where
the bound prunes little, as on Geo n = 480, a step weighs the whole neighbourhood in about 200.
The search runs in batches of steps (``BATCH``) between readings of the clock. Numba compiles
the kernels on their first call and caches them beside this file (``__pycache__``; a few
seconds, once per machine); ``compile_kernels`` does that before a solver starts its clock.
"""

from __future__ import annotations

import functools
import time

import numpy as np
from numba import njit

from .problem import TOLERANCE

# Tabu steps per call into compiled code; the clock is read between calls.
BATCH = 256


class SwapSearch:
    """A grouping into groups of the given ``sizes`` under search: descent, tabu search and
    random swaps, all stopping at ``deadline``."""

    # Tabu tenure as fractions of n, as in ``TabuSearch``.
    TENURE = (1 / 40, 1 / 15)

    def __init__(self, d, sizes, rng, deadline, clock=time.perf_counter):
        self.d = np.ascontiguousarray(d, dtype=np.float64)
        self.n, self.G = len(d), len(sizes)
        self.lows = self.highs = self.sizes = np.asarray(sizes, dtype=np.int64)
        self.fixed = np.zeros(self.n, dtype=bool)
        self.rng, self.deadline, self.clock = rng, deadline, clock
        self.tolerance = TOLERANCE * max(1.0, float(self.d.max()))
        self.cap = max(1, int(self.sizes.max()))
        self.top = np.empty((self.G, self.G))
        # No element is barred anywhere: descent's bars.
        self.free = np.zeros((self.n, self.G), dtype=np.int64)

    def time_left(self):
        return self.clock() < self.deadline

    def random_solution(self):
        return self.rng.permutation(np.repeat(np.arange(self.G), self.sizes))

    def load(self, group):
        """Makes ``group`` (a group index per element, with the search's sizes) current."""
        self.group = np.array(group, dtype=np.int64)
        G, n = self.G, self.n
        self.W = self.d @ np.eye(G)[self.group]
        self.value = 0.5 * float(self.W[np.arange(n), self.group].sum())
        # members[g, :sizes[g]] lists group g (padded with -1); pos[i] is i's place in its row.
        order = np.argsort(self.group, kind="stable")
        starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        self.pos = np.empty(n, dtype=np.int64)
        self.pos[order] = np.arange(n) - np.repeat(starts, self.sizes)
        self.members = np.full((G, self.cap), -1, dtype=np.int64)
        self.members[self.group, self.pos] = np.arange(n)

    def swap(self, i, j):
        """Exchanges the groups of elements ``i`` and ``j`` (in different groups)."""
        self.value += _swap(self.d, self.W, self.group, self.members, self.pos, i, j)

    def descent(self):
        """Applies the best improving swap until none is left (or the deadline passes)."""
        _refresh_all(self.W, self.group, self.members, self.sizes, self.free, 0, self.top)
        while self.time_left():
            gained, done = _descend(
                self.d, self.W, self.group, self.members, self.pos, self.sizes, self.free,
                self.top, self.tolerance, BATCH,
            )
            self.value += gained
            if done:
                return

    def tabu_search(self, max_stall):
        """Runs tabu search from the loaded grouping; returns its best (value, groups).

        Each step takes the best swap that sends neither element back to a group it left less
        than its tenure ago, even when it loses value, which walks the search out of local
        optima. The search stops after ``max_stall`` steps without a new best, when every swap
        is barred, or at the deadline."""
        n = self.n
        low, high = max(2, int(n * self.TENURE[0])), max(4, int(n * self.TENURE[1]))
        # until[i, g]: the step from which element i may go back to group g.
        until = np.zeros((n, self.G), dtype=np.int64)
        # The bars placed in the last ``high + 1`` steps (two a step), to lift as they expire.
        bars = np.full((2 * (high + 1), 3), -1, dtype=np.int64)
        counters = np.zeros(2, dtype=np.int64)  # step, steps without a new best
        values = np.array([self.value, self.value])  # current, best
        best_group = self.group.copy()
        _refresh_all(self.W, self.group, self.members, self.sizes, until, 0, self.top)
        while counters[1] < max_stall and self.time_left():
            tenures = self.rng.integers(low, high + 1, size=2 * BATCH)
            stuck = _tabu_steps(
                self.d, self.W, self.group, self.members, self.pos, self.sizes, until,
                self.top, bars, counters, values, self.tolerance, tenures, best_group, max_stall,
            )
            if stuck:
                break
        self.value = float(values[0])
        return float(values[1]), best_group

    def perturb(self, strength):
        """Applies ``strength`` random swaps."""
        rng = self.rng
        if self.G < 2:
            return
        for _ in range(strength):
            i, j = rng.choice(self.n, size=2, replace=False)
            if self.group[i] != self.group[j]:
                self.swap(int(i), int(j))


@functools.cache
def compile_kernels():
    """Compiles (or loads from Numba's cache) every kernel, on a grouping of four elements."""
    d = np.ones((4, 4)) - np.eye(4)
    search = SwapSearch(d, np.array([2, 2]), np.random.default_rng(0), np.inf)
    search.load(np.array([0, 0, 1, 1]))
    search.descent()
    search.tabu_search(max_stall=2)
    search.perturb(1)


# -- compiled kernels --------------------------------------------------------------------------
# Arrays as in SwapSearch; ``until`` bars a move (i, g) while ``step < until[i, g]``.


@njit(cache=True)
def _swap(d, W, group, members, pos, i, j):
    """Exchanges the groups of ``i`` and ``j``; returns the gain."""
    g, h = group[i], group[j]
    gain = W[i, h] - W[i, g] + W[j, g] - W[j, h] - 2.0 * d[i, j]
    for k in range(W.shape[0]):
        delta = d[i, k] - d[j, k]
        W[k, g] -= delta
        W[k, h] += delta
    group[i], group[j] = h, g
    members[g, pos[i]], members[h, pos[j]] = j, i
    pos[i], pos[j] = pos[j], pos[i]
    return gain


@njit(cache=True)
def _refresh_row(W, members, sizes, until, step, top, g):
    """top[g, :] from the members of ``g``."""
    G = top.shape[0]
    for h in range(G):
        top[g, h] = -np.inf
    for r in range(sizes[g]):
        i = members[g, r]
        own = W[i, g]
        for h in range(G):
            if h != g and until[i, h] <= step:
                gain = W[i, h] - own
                if gain > top[g, h]:
                    top[g, h] = gain


@njit(cache=True)
def _refresh_column(W, group, until, step, top, h):
    """top[:, h] from every element outside ``h``."""
    for g in range(top.shape[0]):
        top[g, h] = -np.inf
    for i in range(W.shape[0]):
        g = group[i]
        if g != h and until[i, h] <= step:
            gain = W[i, h] - W[i, g]
            if gain > top[g, h]:
                top[g, h] = gain


@njit(cache=True)
def _refresh_all(W, group, members, sizes, until, step, top):
    for g in range(top.shape[0]):
        _refresh_row(W, members, sizes, until, step, top, g)


@njit(cache=True)
def _refresh_pair(W, group, members, sizes, until, step, top, g, h):
    """top after a swap between ``g`` and ``h``: their rows and columns."""
    _refresh_row(W, members, sizes, until, step, top, g)
    _refresh_row(W, members, sizes, until, step, top, h)
    _refresh_column(W, group, until, step, top, g)
    _refresh_column(W, group, until, step, top, h)


@njit(cache=True)
def _block(d, W, members, sizes, until, step, top, g, h, best, bi, bj):
    """The best allowed swap between ``g`` and ``h`` if it beats ``best``."""
    bound = top[h, g]
    for r in range(sizes[g]):
        i = members[g, r]
        if until[i, h] > step:
            continue
        gain_i = W[i, h] - W[i, g]
        if gain_i + bound <= best:
            continue
        for c in range(sizes[h]):
            j = members[h, c]
            if until[j, g] > step:
                continue
            gain = gain_i + W[j, g] - W[j, h] - 2.0 * d[i, j]
            if gain > best:
                best, bi, bj = gain, i, j
    return best, bi, bj


@njit(cache=True)
def _best_swap(d, W, members, sizes, until, step, top):
    """Returns (gain, i, j) of the best allowed swap; i = -1 when every swap is barred."""
    G = top.shape[0]
    first_g, first_h, first_bound = -1, -1, -np.inf
    for g in range(G):
        for h in range(g + 1, G):
            bound = top[g, h] + top[h, g]
            if bound > first_bound:
                first_g, first_h, first_bound = g, h, bound
    best, bi, bj = -np.inf, -1, -1
    if first_g < 0:
        return best, bi, bj
    best, bi, bj = _block(d, W, members, sizes, until, step, top, first_g, first_h, best, bi, bj)
    for g in range(G):
        for h in range(g + 1, G):
            if top[g, h] + top[h, g] > best and (g != first_g or h != first_h):
                best, bi, bj = _block(d, W, members, sizes, until, step, top, g, h, best, bi, bj)
    return best, bi, bj


@njit(cache=True)
def _descend(d, W, group, members, pos, sizes, free, top, tolerance, steps):
    """Applies up to ``steps`` best improving swaps; returns (gain, whether none is left)."""
    total = 0.0
    for _ in range(steps):
        gain, i, j = _best_swap(d, W, members, sizes, free, 0, top)
        if i < 0 or gain <= tolerance:
            return total, True
        g, h = group[i], group[j]
        total += _swap(d, W, group, members, pos, i, j)
        _refresh_pair(W, group, members, sizes, free, 0, top, g, h)
    return total, False


@njit(cache=True)
def _tabu_steps(
    d, W, group, members, pos, sizes, until, top, bars, counters, values, tolerance, tenures,
    best_group, max_stall,
):
    """Runs up to ``len(tenures) // 2`` tabu steps, carrying step and stall in ``counters`` and
    the current and best values in ``values``; returns True when every swap is barred."""
    step, stall = counters[0], counters[1]
    value, best_value = values[0], values[1]
    stuck = False
    ring = bars.shape[0]
    t = 0
    while t + 1 < tenures.shape[0] and stall < max_stall:
        step += 1
        stall += 1
        # Bars ending now raise their move's gain: top must know.
        for e in range(ring):
            if bars[e, 2] == step:
                i, h = bars[e, 0], bars[e, 1]
                g = group[i]
                if until[i, h] == step and g != h:
                    gain = W[i, h] - W[i, g]
                    if gain > top[g, h]:
                        top[g, h] = gain
        gain, i, j = _best_swap(d, W, members, sizes, until, step, top)
        if i < 0:
            stuck = True
            break
        g, h = group[i], group[j]
        value += _swap(d, W, group, members, pos, i, j)
        # Neither element may go back for its tenure.
        until[i, g] = step + tenures[t]
        until[j, h] = step + tenures[t + 1]
        slot = 2 * (step % (ring // 2))
        bars[slot, 0], bars[slot, 1], bars[slot, 2] = i, g, until[i, g]
        bars[slot + 1, 0], bars[slot + 1, 1], bars[slot + 1, 2] = j, h, until[j, h]
        t += 2
        _refresh_pair(W, group, members, sizes, until, step, top, g, h)
        if value > best_value + tolerance:
            best_value = value
            best_group[:] = group
            stall = 0
    counters[0], counters[1] = step, stall
    values[0], values[1] = value, best_value
    return stuck
