"""The general maximally diverse grouping problem (MDGP): split n elements into groups of given
size ranges so that the sum of distances within groups is as large as possible."""

from __future__ import annotations

import time

import numpy as np

from .inputs import check_number, check_seed
from .tabu import TabuSearch


def distance_matrix(distance):
    try:
        d = np.array(distance, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("distance must be a square matrix of numbers") from None
    if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape[0] == 0:
        raise ValueError(f"distance must be a non-empty square n x n matrix, got shape {d.shape}")
    if not np.isfinite(d).all():
        raise ValueError("distance contains NaN or infinite entries")
    if (d < 0).any():
        i, j = np.argwhere(d < 0)[0]
        raise ValueError(f"distances must be non-negative, got d[{i}][{j}] = {d[i, j]}")
    asymmetric = ~np.isclose(d, d.T, rtol=1e-9, atol=1e-9)
    if asymmetric.any():
        i, j = np.argwhere(asymmetric)[0]
        raise ValueError(
            f"distance must be symmetric, but d[{i}][{j}] = {d[i, j]} and d[{j}][{i}] = {d[j, i]}"
        )
    # The diagonal never counts (an element is not paired with itself).
    np.fill_diagonal(d, 0.0)
    return (d + d.T) / 2


def group_bounds(group_sizes, n):
    lows, highs = [], []
    for g, bounds in enumerate(group_sizes):
        try:
            low, high = bounds
        except (TypeError, ValueError):
            raise ValueError(
                f"group_sizes[{g}] must be a (min, max) pair, got {bounds!r}"
            ) from None
        for value in (low, high):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise ValueError(
                    f"group_sizes[{g}] must hold non-negative integers, got {bounds!r}"
                )
        if low > high:
            raise ValueError(f"group_sizes[{g}] has min {low} above max {high}")
        lows.append(int(low))
        highs.append(min(int(high), n))
    if not lows:
        raise ValueError("group_sizes must name at least one group")
    if sum(lows) > n:
        raise ValueError(f"group minimum sizes add up to {sum(lows)}, more than the {n} elements")
    if sum(highs) < n:
        raise ValueError(f"group maximum sizes add up to {sum(highs)}, fewer than the {n} elements")
    return np.array(lows, dtype=np.int64), np.array(highs, dtype=np.int64)


def solve_mdgp(
    distance, group_sizes, *, seed: int, time_limit: float, clock=time.perf_counter
) -> list[int]:
    """Returns the group index of each element, maximising the sum of within-group distances.

    ``distance`` is a symmetric n x n matrix of non-negative numbers (its diagonal is ignored);
    ``group_sizes`` holds a ``(min, max)`` size pair per group. The search runs until
    ``time_limit`` seconds of ``clock`` have passed (wall-clock time by default;
    ``time.process_time`` counts only this process's processor time, which a shared machine
    does not shorten). ``seed`` fixes its random choices, though on hard instances the result
    can still depend on how much search fits in the time. Memory and time per step grow with
    n^2.

    The search's compiled kernels are loaded (or, the first time on a machine, compiled: a few
    seconds) before the clock starts.

    Raises ValueError for a matrix that is not square, symmetric, finite and non-negative, and for
    group sizes that are malformed or cannot cover the n elements.
    """
    # Numba (the population's compiled search) is imported here, not with the engine: it adds
    # ~0.25 s and ~70 MB to a process, and the app's room planner never calls this function.
    from .population import evolve
    from .swaps import compile_kernels

    compile_kernels()
    started = clock()
    seed = check_seed(seed)
    time_limit = check_number(time_limit, "time_limit", positive=True)
    d = distance_matrix(distance)
    lows, highs = group_bounds(group_sizes, len(d))
    rng = np.random.default_rng(seed)
    search = TabuSearch(d, lows, highs, rng, started + time_limit, clock=clock)
    return evolve(search).tolist()
