"""Tabu search over the move and swap neighbourhoods of a grouping, on a distance matrix.

``W[i, g]`` is the sum of distances from element ``i`` to the members of group ``g``: moving
``i`` from ``g`` to ``h`` gains ``W[i, h] - W[i, g]``, swapping ``i`` (in ``g``) with ``j``
(in ``h``) gains ``W[i, h] - W[i, g] + W[j, g] - W[j, h] - 2 d[i, j]``, and applying a move
updates two columns of ``W``. Every neighbourhood is then a few numpy operations on n x n or
n x G arrays (Palubeckis 2011; Lai & Hao 2016).
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from .problem import TOLERANCE


class TabuSearch:
    """A grouping under search, with its gains ``W`` kept up to date: descent, tabu search,
    random perturbation and iterated tabu search, all stopping at ``deadline``."""

    # Tabu tenure and perturbation strength as fractions of n, and tabu steps without a new best
    # per round (times n); tuned on uniform 0-100 instances of 240 and 480 elements.
    TENURE = (1 / 40, 1 / 15)
    STRENGTH = (1 / 20, 1 / 8)
    STALL = 1.0
    # Pairs (element, group) whose swaps a tabu step weighs (see ``tabu_search``).
    BLOCKS = 64

    def __init__(self, d, lows, highs, rng, deadline, fixed=None, clock=time.perf_counter):
        self.d = d
        self.n, self.G = len(d), len(lows)
        # Fixed elements never move (the planner's pinned people and keep-together groups).
        self.fixed = np.zeros(self.n, dtype=bool) if fixed is None else np.asarray(fixed, bool)
        self.movable = np.flatnonzero(~self.fixed)
        self.lows, self.highs = lows, highs
        self.rng, self.deadline, self.clock = rng, deadline, clock
        self.rows = np.arange(self.n)
        self.tolerance = TOLERANCE * max(1.0, float(d.max()))
        # Swap gains are single precision: the n x n arithmetic of every step is memory-bound,
        # and choosing among swaps needs no more than about six significant digits.
        self.d2 = (2 * d).astype(np.float32)
        self.step_tolerance = 1e-5 * max(1.0, float(d.max()))
        self.has_moves = bool((lows != highs).any())

    def time_left(self):
        return self.clock() < self.deadline

    def random_solution(self, sizes=None):
        """Returns a random grouping, with the given group ``sizes`` or random ones."""
        if sizes is None:
            sizes = self.lows.copy()
            slots = np.repeat(np.arange(self.G), self.highs - self.lows)
            chosen = self.rng.choice(slots.size, size=self.n - int(sizes.sum()), replace=False)
            sizes += np.bincount(slots[chosen], minlength=self.G)
        return self.rng.permutation(np.repeat(np.arange(self.G), sizes))

    def most_pairs_sizes(self):
        """Returns group sizes within the bounds that hold the most pairs (sum of C(size, 2)),
        ties broken at random.

        On average every pair is worth the mean distance, so these sizes are where good
        groupings of groups of different sizes are (the search can hardly move a solution from
        one size pattern to another: every step of the way loses pairs). Dynamic programming
        over the groups, or a greedy fill when that table would be large.
        """
        lows, highs, G = self.lows, self.highs, self.G
        order = self.rng.permutation(G)
        spare = self.n - int(lows.sum())
        if G * (spare + 1) * (int((highs - lows).max()) + 1) > 5_000_000:
            sizes = lows.copy()
            for g in sorted(order.tolist(), key=lambda g: -int(highs[g])):
                sizes[g] += min(spare, int(highs[g] - lows[g]))
                spare -= int(sizes[g] - lows[g])
            return sizes
        # best[k]: most pairs using k spare elements over the groups so far; choice[t][k]: extra
        # elements given to the t-th group in the best way.
        best = np.full(spare + 1, -np.inf)
        best[0] = 0.0
        choices = []
        for g in order.tolist():
            extra = np.arange(int(highs[g] - lows[g]) + 1)
            pairs = (lows[g] + extra) * (lows[g] + extra - 1) / 2
            table = np.full((extra.size, spare + 1), -np.inf)
            for e in extra.tolist():
                table[e, e:] = best[: spare + 1 - e] + pairs[e]
            choices.append(np.argmax(table, axis=0))
            best = table.max(axis=0)
        sizes = lows.copy()
        k = spare
        for t in range(G - 1, -1, -1):
            extra = int(choices[t][k])
            sizes[order[t]] += extra
            k -= extra
        return sizes

    def load(self, group):
        self.group = np.array(group, dtype=np.int64)
        members = np.zeros((self.n, self.G))
        members[self.rows, self.group] = 1.0
        self.W = self.d @ members
        self.size = np.bincount(self.group, minlength=self.G)
        self.value = 0.5 * float(self.W[self.rows, self.group].sum())
        # members[g, :size[g]] lists group g, padded with n (a row of -inf gains in the tabu
        # step); slot[i] is i's place in that row. A swap is two moves, so a full group holds
        # one more element for a moment.
        cap = int(min(self.n, max(self.highs.max(), self.size.max()) + 1))
        self.members = np.full((self.G, cap), self.n, dtype=np.int64)
        self.slot = np.empty(self.n, dtype=np.int64)
        order = np.argsort(self.group, kind="stable")
        starts = np.concatenate([[0], np.cumsum(self.size)[:-1]])
        self.slot[order] = np.arange(self.n) - np.repeat(starts, self.size)
        self.members[self.group[order], self.slot[order]] = order

    def move(self, i, target):
        source = self.group[i]
        self.value += self.W[i, target] - self.W[i, source]
        # d is symmetric: its row is its column, and faster to read.
        self.W[:, source] -= self.d[i]
        self.W[:, target] += self.d[i]
        self.group[i] = target
        members, slot = self.members, self.slot
        last = members[source, self.size[source] - 1]
        members[source, slot[i]] = last
        slot[last] = slot[i]
        members[source, self.size[source] - 1] = self.n
        members[target, self.size[target]] = i
        slot[i] = self.size[target]
        self.size[source] -= 1
        self.size[target] += 1

    def swap(self, i, j):
        """Exchanges the groups of ``i`` and ``j``: one update of ``W`` for both moves."""
        g, h = self.group[i], self.group[j]
        W, d = self.W, self.d
        self.value += W[i, h] - W[i, g] + W[j, g] - W[j, h] - 2 * d[i, j]
        delta = d[i] - d[j]
        W[:, g] -= delta
        W[:, h] += delta
        self.group[i], self.group[j] = h, g
        slot, members = self.slot, self.members
        members[g, slot[i]], members[h, slot[j]] = j, i
        slot[i], slot[j] = slot[j], slot[i]

    def gains(self):
        """Returns the n x G gains of single moves; staying put is ``-inf``."""
        gain = self.W - self.W[self.rows, self.group][:, None]
        gain[self.rows, self.group] = -np.inf
        gain[self.fixed] = -np.inf
        return gain

    def swap_rows(self, gain, candidates):
        """Returns the len(candidates) x n gains of swapping each candidate with every element
        (``-inf`` within a group or where ``gain`` is), without transposing n x n arrays."""
        gain32 = gain.astype(np.float32)
        swaps = np.take(gain32[candidates], self.group, axis=1)
        swaps += np.take(np.ascontiguousarray(gain32.T), self.group[candidates], axis=0)
        swaps -= self.d2[candidates]
        return swaps

    def allowed_moves(self, gain):
        leave = self.size[self.group] > self.lows[self.group]
        enter = self.size < self.highs
        return np.where(leave[:, None] & enter[None, :], gain, -np.inf)

    def descent(self):
        """Applies improving moves and swaps until none is left. Each round takes, row by row
        from the best, every improving swap (and move) whose two groups no earlier one in the
        round touched: such changes do not interact, so their gains add up."""
        while self.time_left():
            gain = self.gains()
            changed = np.zeros(self.G, dtype=bool)
            swaps = self.swap_rows(gain, self.rows)
            partner = np.argmax(swaps, axis=1)
            best = swaps[self.rows, partner]
            improving = np.flatnonzero(best > self.step_tolerance)
            for i in improving[np.argsort(-best[improving])].tolist():
                j = int(partner[i])
                g, h = int(self.group[i]), int(self.group[j])
                if changed[g] or changed[h]:
                    continue
                changed[g] = changed[h] = True
                self.move(i, h)
                self.move(j, g)
            if self.has_moves:
                moves = self.allowed_moves(gain)
                target = np.argmax(moves, axis=1)
                best = moves[self.rows, target]
                improving = np.flatnonzero(best > self.step_tolerance)
                for i in improving[np.argsort(-best[improving])].tolist():
                    g, h = int(self.group[i]), int(target[i])
                    if changed[g] or changed[h]:
                        continue
                    if self.size[g] <= self.lows[g] or self.size[h] >= self.highs[h]:
                        continue
                    changed[g] = changed[h] = True
                    self.move(i, h)
            if not changed.any():
                return

    def tabu_search(self, max_stall):
        """Runs tabu search from the loaded solution; returns its best (value, groups).

        Each step takes the best move or swap that does not send an element back to a group it
        recently left, even when it loses value, which walks the search out of local optima.

        Swapping ``i`` (in ``g``) with ``j`` (in ``h``) gains ``gain[i, h] + gain[j, g] -
        2 d[i, j]``, at most ``gain[i, h] + top[h, g]`` where ``top[h, g]`` is the best gain of
        a member of ``h`` moving to ``g``. A step weighs the swaps of the ``BLOCKS`` pairs
        ``(i, h)`` with the highest such bound, with every member of ``h``: a few thousand
        swaps instead of n^2 / 2, and among them, nearly always, the best one.
        """
        rng, n, G = self.rng, self.n, self.G
        low, high = max(2, int(n * self.TENURE[0])), max(4, int(n * self.TENURE[1]))
        best_value, best_group = self.value, self.group.copy()
        blocks = min(n * G, self.BLOCKS)
        # Row n stands for the padding of ``members``: it never gains.
        padded = np.full((n + 1, G), -np.inf)
        gain = padded[:n]
        # -inf where an element may not go: its own group, a group it left less than its
        # tenure ago (until ``expiries`` lifts it), anywhere for a fixed element.
        barred = np.zeros((n, G))
        barred[self.rows, self.group] = -np.inf
        barred[self.fixed] = -np.inf
        expiries: list[tuple[int, int, int]] = []
        W, d2 = self.W, self.d2.ravel()
        # Flat indices: numpy's take on a flat array is cheaper than fancy indexing.
        own_at = self.rows * G
        step = stall = 0
        while stall < max_stall and self.time_left():
            step += 1
            stall += 1
            group = self.group
            while expiries and expiries[0][0] <= step:
                _, i, g = heapq.heappop(expiries)
                if group[i] != g and not self.fixed[i]:
                    barred[i, g] = 0.0
            np.subtract(W, W.take(own_at + group)[:, None], out=gain)
            gain += barred
            members = self.members
            top = padded.take(members.ravel(), axis=0).reshape(G, -1, G).max(axis=1)
            bound = gain + np.ascontiguousarray(top.T).take(group, axis=0)
            flat = np.argpartition(bound.ravel(), -blocks)[-blocks:]
            first, to = np.divmod(flat, G)
            partners = members[to]
            swaps = padded.take(partners * G + group[first][:, None])
            # A padded partner reads some other distance: its swap is -inf all the same.
            swaps -= d2.take(first[:, None] * n + partners, mode="clip")
            swaps += gain.take(flat)[:, None]
            r, c = divmod(int(np.argmax(swaps)), swaps.shape[1])
            chosen = swaps[r, c]
            i, j, target = int(first[r]), int(partners[r, c]), None
            if self.has_moves:
                moves = self.allowed_moves(gain)
                k = int(np.argmax(moves))
                if moves.flat[k] > chosen:
                    i, target = divmod(k, G)
                    chosen = moves.flat[k]
            if chosen == -np.inf:
                break
            source = int(group[i])
            if target is None:
                target = int(group[j])
                self.swap(i, j)
                barred[j, source] = -np.inf
                heapq.heappush(expiries, (step + int(rng.integers(low, high + 1)), j, target))
            else:
                self.move(i, target)
            barred[i, target] = -np.inf
            heapq.heappush(expiries, (step + int(rng.integers(low, high + 1)), i, source))
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
