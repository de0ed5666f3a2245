"""The room search: per-room value counters, Kempe rebalancing and conflict-driven local search.

The search never builds a pairwise matrix (10,000 people would need 10^8 entries). It keeps, per
attribute, a ``rooms x values`` counter array, so the change in cost of moving or swapping people
is a handful of look-ups and a whole neighbourhood is one numpy expression. Weighted pairs
(met before, sat together in an earlier round) and keep-apart pairs are compressed rows.
"""

from __future__ import annotations

import time

import numpy as np

from .problem import TOLERANCE, Problem

# Probability of taking the best move even when it worsens the cost, to leave local minima.
_NOISE = 0.05


class RoomSearch:
    """Mutable room assignment with per-room value counters and the local-search moves."""

    def __init__(self, problem: Problem, rng: np.random.Generator, deadline: float):
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
        self.soft = problem.soft
        self.hard = problem.keep_apart
        self.fixed = np.zeros(self.n, dtype=bool)
        for members, room in problem.units:
            if room is not None or len(members) > 1:
                self.fixed[members] = True
        self.free_idx = np.flatnonzero(~self.fixed)
        self.tolerance = TOLERANCE * max([1.0, *self.weights, self.soft.heaviest])

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
            first, second = pairs.ends
            same = pairs.inside(self.room_of)
            np.add.at(inside, first[same], pairs.pair_weights[same])
            np.add.at(inside, second[same], pairs.pair_weights[same])
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
