"""Tabu search over swaps only, for groups of fixed sizes: the search of ``solve_mdgp``'s
population.

Elements live in *slots*: group ``g`` owns the ``cap`` slots ``g * cap ..`` (``cap`` the largest
group size; a smaller group leaves its last slots empty), and a swap exchanges two elements'
slots. The sums ``W[k, s]`` (distances from the element in slot ``s`` to group ``k``) are kept
in slot order, so the gains of every move form one ``G x G x cap`` array, ``gain[k, g, r]`` for
the ``r``-th member of ``g`` moving to ``k``, whose maximum over ``r`` (the best move from ``g``
to ``k``) changes only in the rows and columns of the two groups of a swap. A step bounds each
move by the best move that could complete it into a swap and weighs the swaps of the best-bounded
moves: a few thousand swaps instead of n^2 / 2, among which, nearly always, the best one (Lai &
Hao 2016 for the gains).
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from .problem import TOLERANCE


class SwapSearch:
    """A grouping into groups of the given ``sizes`` under search: descent, tabu search and
    random swaps, all stopping at ``deadline``."""

    # Tabu tenure as fractions of n, as in ``TabuSearch``.
    TENURE = (1 / 40, 1 / 15)
    # Moves (element, group) whose swaps a tabu step weighs (see ``best_swap``).
    ROWS = 64

    def __init__(self, d, sizes, rng, deadline, clock=time.perf_counter):
        self.d = d
        self.n, self.G = len(d), len(sizes)
        self.lows = self.highs = self.sizes = np.asarray(sizes, dtype=np.int64)
        self.fixed = np.zeros(self.n, dtype=bool)
        self.rng, self.deadline, self.clock = rng, deadline, clock
        self.tolerance = TOLERANCE * max(1.0, float(d.max()))
        G = self.G
        self.cap = cap = int(self.sizes.max())
        self.N = N = G * cap
        self.slot_group = np.repeat(np.arange(G), cap)
        self.real = np.arange(N) % cap < self.sizes[self.slot_group]
        # Flat index of each slot's own group in ``W``; -inf on every move a slot cannot make
        # (to its own group, or out of an empty slot), for ``load`` to start from.
        self.own_at = self.slot_group * N + np.arange(N)
        self.base = np.zeros((G, N))
        self.base.flat[self.own_at] = -np.inf
        self.base[:, ~self.real] = -np.inf
        # Distances with a row and column of zeros for the empty slots' element n.
        self.padded = np.zeros((self.n + 1, self.n + 1))
        self.padded[: self.n, : self.n] = d
        self.padded2 = (2 * self.padded).ravel()
        # Group pairs (g, h) with g < h, as flat indices of a G x G table.
        upper = np.triu_indices(G, 1)
        self.pairs = upper[0] * G + upper[1]

    def time_left(self):
        return self.clock() < self.deadline

    def random_solution(self):
        return self.rng.permutation(np.repeat(np.arange(self.G), self.sizes))

    def load(self, group):
        """Makes ``group`` (a group index per element, with the search's sizes) current."""
        self.group = np.array(group, dtype=np.int64)
        G, cap, n = self.G, self.cap, self.n
        order = np.argsort(self.group, kind="stable")
        starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        rank = np.arange(n) - np.repeat(starts, self.sizes)
        self.slot = np.empty(n, dtype=np.int64)
        self.slot[order] = self.group[order] * cap + rank
        self.element = np.full(self.N, n, dtype=np.int64)
        self.element[self.slot] = np.arange(n)
        D = self.padded[np.ix_(self.element, self.element)]
        self.W = D.reshape(self.N, G, cap).sum(axis=2).T.copy()
        self.value = 0.5 * float(self.W.take(self.own_at).sum())
        self.barred = self.base.copy()

    def swap(self, a, b):
        """Exchanges the elements of slots ``a`` and ``b`` (in different groups)."""
        g, h = a // self.cap, b // self.cap
        W, d = self.W, self.padded
        i, j = self.element[a], self.element[b]
        self.value += W[h, a] - W[g, a] + W[g, b] - W[h, b] - 2 * d[i, j]
        delta = (d[i] - d[j]).take(self.element)
        W[g] -= delta
        W[h] += delta
        pair, back = [a, b], [b, a]
        W[:, pair] = W[:, back]
        barred = self.barred
        barred[:, pair] = barred[:, back]
        # Bars follow the elements, except those on staying in a slot's own group.
        barred[g, a] = barred[h, b] = -np.inf
        barred[h, a] = barred[g, b] = 0.0
        self.element[a], self.element[b] = j, i
        self.slot[i], self.slot[j] = b, a
        self.group[i], self.group[j] = h, g

    def gains(self):
        """Returns the G x G x cap gains of every allowed move, ``-inf`` where barred."""
        gain = self.W + self.barred
        gain -= self.W.take(self.own_at)
        return gain.reshape(self.G, self.G, self.cap)

    def blocks(self, gain, g, h):
        """Returns the len(g) x cap x cap gains of the swaps between groups ``g[k]`` and
        ``h[k]``: the first index a member of ``g``, the second one of ``h``."""
        members = self.element.reshape(self.G, self.cap)
        at = members[g][:, :, None] * (self.n + 1) + members[h][:, None, :]
        swaps = gain[h, g][:, :, None] + gain[g, h][:, None, :]
        swaps -= self.padded2.take(at)
        return swaps

    def best_swap(self, gain, top):
        """Returns (gain, slot, slot) of the best swap found, or gain ``-inf`` when every swap
        is barred.

        Swapping the ``r``-th member of ``g`` with the ``c``-th of ``k`` gains ``gain[k, g, r]
        + gain[g, k, c] - 2 d``, at most ``gain[k, g, r] + top[g, k]`` (``top[g, k]``: the
        best gain of a member of ``k`` moving to ``g``). The step weighs the ``ROWS`` moves
        ``(k, g, r)`` with the highest such bound, each with every member of ``k``: among
        these, nearly always, is the best swap of the whole neighbourhood.
        """
        G, cap = self.G, self.cap
        bound = gain + top.T[:, :, None]
        rows = min(self.ROWS, bound.size)
        flat = np.argpartition(bound.ravel(), -rows)[-rows:]
        k, slot = np.divmod(flat, self.N)
        g = slot // cap
        partners = self.element.reshape(G, cap)[k]
        swaps = gain[g, k]
        swaps += gain.ravel().take(flat)[:, None]
        at = self.element.take(slot)[:, None] * (self.n + 1) + partners
        swaps -= self.padded2.take(at)
        best = int(np.argmax(swaps))
        value = float(swaps.flat[best])
        if value == -np.inf:
            return value, -1, -1
        row, c = divmod(best, cap)
        return value, int(slot[row]), int(k[row]) * cap + c

    def descent(self):
        """Applies improving swaps until none is left: each round, the best swap between each
        pair of groups, from the best, while no earlier one in the round touched its groups
        (such swaps do not interact, so their gains add up)."""
        G, cap = self.G, self.cap
        g, h = np.divmod(self.pairs, G)
        while self.time_left():
            gain = self.gains()
            changed = np.zeros(G, dtype=bool)
            chosen = []
            for start in range(0, g.size, 64):
                swaps = self.blocks(gain, g[start : start + 64], h[start : start + 64])
                flat = swaps.reshape(swaps.shape[0], -1)
                k = np.argmax(flat, axis=1)
                values = flat[np.arange(k.size), k]
                pairs = range(start, start + k.size)
                chosen.extend(zip(values.tolist(), pairs, k.tolist(), strict=True))
            chosen.sort(reverse=True)
            for value, p, k in chosen:
                if value <= self.tolerance:
                    break
                if changed[g[p]] or changed[h[p]]:
                    continue
                changed[g[p]] = changed[h[p]] = True
                r, c = divmod(k, cap)
                self.swap(int(g[p]) * cap + r, int(h[p]) * cap + c)
            if not changed.any():
                return

    def tabu_search(self, max_stall):
        """Runs tabu search from the loaded grouping; returns its best (value, groups).

        Each step takes the best swap that sends neither element back to a group it left less
        than its tenure ago, even when it loses value, which walks the search out of local
        optima. The search stops after ``max_stall`` steps without a new best, or at the
        deadline."""
        rng, n, cap = self.rng, self.n, self.cap
        low, high = max(2, int(n * self.TENURE[0])), max(4, int(n * self.TENURE[1]))
        best_value, best_group = self.value, self.group.copy()
        # until[i, g]: the step from which element i may go back to group g.
        until = np.zeros((n, self.G), dtype=np.int64)
        expiries: list[tuple[int, int, int]] = []
        # Tenures drawn 1,024 at a time: a draw per swap costs a few microseconds.
        tenures, drawn = [], 0
        barred = self.barred
        # top[k, g]: the best gain of a member of g moving to k. A swap between g and h changes
        # the gains to g and h and those of their members, hence top's rows and columns g and h
        # only; a lifted bar raises one gain.
        top, changed = None, []
        step = stall = 0
        while stall < max_stall and self.time_left():
            step += 1
            stall += 1
            lifted = []
            while expiries and expiries[0][0] <= step:
                _, i, g = heapq.heappop(expiries)
                if until[i, g] <= step and self.group[i] != g:
                    barred[g, self.slot[i]] = 0.0
                    lifted.append((g, int(self.slot[i])))
            gain = self.gains()
            if top is None:
                top = gain.max(axis=2)
            else:
                top[changed] = gain[changed].max(axis=2)
                top[:, changed] = gain[:, changed].max(axis=2)
                for k, s in lifted:
                    top[k, s // cap] = max(top[k, s // cap], gain[k, s // cap, s % cap])
            value, a, b = self.best_swap(gain, top)
            if value == -np.inf:
                break
            g, h = a // cap, b // cap
            changed = [g, h]
            i, j = int(self.element[a]), int(self.element[b])
            self.swap(a, b)
            # Neither element may go back for its tenure.
            barred[h, a] = barred[g, b] = -np.inf
            if drawn + 2 > len(tenures):
                tenures, drawn = rng.integers(low, high + 1, size=1024).tolist(), 0
            for element, left in ((i, g), (j, h)):
                until[element, left] = end = step + tenures[drawn]
                drawn += 1
                heapq.heappush(expiries, (end, element, left))
            if self.value > best_value + self.tolerance:
                best_value, best_group, stall = self.value, self.group.copy(), 0
        self.barred = self.base.copy()
        return best_value, best_group

    def perturb(self, strength):
        """Applies ``strength`` random swaps."""
        rng = self.rng
        if self.G < 2:
            return
        for _ in range(strength):
            a, b = self.slot[rng.choice(self.n, size=2, replace=False)]
            if a // self.cap != b // self.cap:
                self.swap(int(a), int(b))
