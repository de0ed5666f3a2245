"""Tabu search over the move and swap neighbourhoods of a grouping, on a distance matrix.

``W[i, g]`` is the sum of distances from element ``i`` to the members of group ``g``: moving
``i`` from ``g`` to ``h`` gains ``W[i, h] - W[i, g]``, swapping ``i`` (in ``g``) with ``j``
(in ``h``) gains ``W[i, h] - W[i, g] + W[j, g] - W[j, h] - 2 d[i, j]``, and applying a move
updates two columns of ``W``. Every neighbourhood is then a few numpy operations on n x n or
n x G arrays (Palubeckis 2011; Lai & Hao 2016).
"""

from __future__ import annotations

import time

import numpy as np

from .problem import TOLERANCE


class TabuSearch:
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

    def __init__(self, d, lows, highs, rng, deadline, fixed=None):
        self.d, self.d2 = d, 2 * d
        self.n, self.G = len(d), len(lows)
        # Fixed elements never move (the planner's pinned people and keep-together groups).
        self.fixed = np.zeros(self.n, dtype=bool) if fixed is None else np.asarray(fixed, bool)
        self.movable = np.flatnonzero(~self.fixed)
        self.lows, self.highs = lows, highs
        self.rng, self.deadline = rng, deadline
        self.rows = np.arange(self.n)
        self.tolerance = TOLERANCE * max(1.0, float(d.max()))
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
        gain[self.fixed] = -np.inf
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
        if self.movable.size < 2:
            return
        for _ in range(strength):
            i = int(self.movable[rng.integers(self.movable.size)])
            g = int(self.group[i])
            if self.has_moves and rng.random() < 0.5:
                targets = np.flatnonzero(self.size < self.highs)
                targets = targets[targets != g]
                if self.size[g] > self.lows[g] and targets.size:
                    self.move(i, int(targets[rng.integers(targets.size)]))
                    continue
            others = self.movable[self.group[self.movable] != g]
            if others.size:
                j = int(others[rng.integers(others.size)])
                h = int(self.group[j])
                self.move(i, h)
                self.move(j, g)

    def iterate(self, start, max_idle_rounds=None):
        """Returns the best grouping found by iterated tabu search from ``start``: tabu search,
        then a random perturbation of the best grouping so far, until the deadline or
        ``max_idle_rounds`` rounds in a row without a new best."""
        self.load(start)
        if self.G == 1:
            return self.group
        self.descent()
        best_value, best_group = self.value, self.group.copy()
        low, high = max(2, int(self.n * self.STRENGTH[0])), max(3, int(self.n * self.STRENGTH[1]))
        idle = 0
        while self.time_left() and (max_idle_rounds is None or idle < max_idle_rounds):
            idle += 1
            value, group = self.tabu_search(max_stall=max(200, int(self.STALL * self.n)))
            if value > best_value + self.tolerance:
                best_value, best_group, idle = value, group, 0
            self.load(best_group)
            self.perturb(int(self.rng.integers(low, high + 1)))
            self.descent()
        return best_group
