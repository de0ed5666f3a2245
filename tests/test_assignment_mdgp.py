"""The general MDGP solver's parts and the MDGPLIB instance reader."""

import csv
import itertools
import time
from pathlib import Path

import numpy as np
import pytest

from breakouts.assignment import mdgp_value, read_mdgplib, solve_mdgp
from breakouts.assignment.population import crossover
from breakouts.assignment.swaps import SwapSearch, _best_swap, _refresh_all, _tabu_steps
from breakouts.assignment.tabu import TabuSearch

TINY = """6 2 ds 2 4 2 4
0 1 1.5
0 2 10
0 3 0.5
0 4 9
0 5 2
1 2 8
1 3 7
1 4 1
1 5 9.25
2 3 3
2 4 0.25
2 5 6
3 4 8.5
3 5 1
4 5 7
"""


def write(tmp_path, text, name="Tiny_n006_ds_01.txt"):
    path = tmp_path / name
    path.write_text(text)
    return path


def best_by_enumeration(d, sizes):
    n, best = len(d), -1.0
    for labels in itertools.product(range(len(sizes)), repeat=n):
        counts = np.bincount(labels, minlength=len(sizes))
        if all(lo <= c <= hi for c, (lo, hi) in zip(counts, sizes, strict=True)):
            best = max(best, mdgp_value(d, labels))
    return best


def test_reader_reads_sizes_and_a_symmetric_matrix(tmp_path):
    instance = read_mdgplib(write(tmp_path, TINY))
    assert instance.name == "Tiny_n006_ds_01"
    assert instance.n == 6
    assert instance.group_sizes == [(2, 4), (2, 4)]
    assert instance.distance[0, 2] == instance.distance[2, 0] == 10
    assert instance.distance[1, 5] == 9.25
    assert np.diag(instance.distance).sum() == 0


def test_solver_finds_the_optimum_of_the_tiny_instance(tmp_path):
    instance = read_mdgplib(write(tmp_path, TINY))
    groups = solve_mdgp(instance.distance, instance.group_sizes, seed=0, time_limit=0.3)
    best = best_by_enumeration(instance.distance, instance.group_sizes)
    assert mdgp_value(instance.distance, groups) == pytest.approx(best)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("six 2 ds 2 4 2 4\n", "line 1 must be 'n G type min_1 max_1"),
        ("6 2 ds 2 4 2\n", "names 2 groups but gives 3 size bounds"),
        ("6 2 ss 3 3 3 3\n0 1\n", "line 2 must be 'i j distance'"),
        ("6 2 ss 3 3 3 3\n0 1 2\n\n4 6 1\n", "line 4 names elements 4 and 6"),
        ("6 2 ss 3 3 3 3\n2 2 1\n", "line 2 names elements 2 and 2"),
    ],
)
def test_reader_names_the_line_of_a_malformed_file(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_mdgplib(write(tmp_path, text))


def search_for(d, sizes, seed=0):
    lows = np.array([lo for lo, _ in sizes])
    highs = np.array([hi for _, hi in sizes])
    return TabuSearch(np.asarray(d, float), lows, highs, np.random.default_rng(seed), np.inf)


def test_most_pairs_sizes_fill_the_groups_that_can_grow_largest():
    # 30 elements: minimums take 20; the 10 spare ones hold the most pairs in the group that
    # can reach 15, not spread over the others.
    search = search_for(np.zeros((30, 30)), [(5, 8), (5, 15), (5, 7), (5, 9)])
    assert search.most_pairs_sizes().tolist() == [5, 15, 5, 5]
    search = search_for(np.zeros((12, 12)), [(3, 6), (3, 6), (3, 3)])
    assert sorted(search.most_pairs_sizes().tolist()) == [3, 3, 6]


def test_crossover_gives_a_grouping_within_the_sizes_that_keeps_shared_groups():
    rng = np.random.default_rng(4)
    upper = np.triu(rng.uniform(0, 100, size=(40, 40)), 1)
    d = upper + upper.T
    sizes = [(8, 12), (6, 10), (9, 9), (5, 12)]
    search = search_for(d, sizes, seed=1)
    first = search.random_solution()
    second = first.copy()
    # The parents share groups 2 and 3 and differ by one swap between groups 0 and 1.
    i, j = np.flatnonzero(first == 0)[0], np.flatnonzero(first == 1)[0]
    second[i], second[j] = 1, 0
    child = crossover(search, first, second)
    counts = np.bincount(child, minlength=4)
    assert all(lo <= c <= hi for c, (lo, hi) in zip(counts, sizes, strict=True))
    for g in (2, 3):
        assert set(np.flatnonzero(child == g)) == set(np.flatnonzero(first == g))
    for seed in range(5):
        other = search.random_solution()
        counts = np.bincount(crossover(search, first, other), minlength=4)
        assert all(lo <= c <= hi for c, (lo, hi) in zip(counts, sizes, strict=True)), seed


def test_groups_of_different_sizes_end_at_the_sizes_holding_the_most_pairs():
    rng = np.random.default_rng(5)
    upper = np.triu(rng.uniform(0, 100, size=(60, 60)), 1)
    d = upper + upper.T
    # 20 spare elements over the minimums: 15 fill group 0, 4 group 2, 1 group 1 or 3.
    sizes = [(10, 25), (10, 12), (10, 14), (10, 11)]
    counts = np.bincount(solve_mdgp(d, sizes, seed=2, time_limit=1.0), minlength=4)
    assert (counts[0], counts[2]) == (25, 14)
    assert sorted(counts[[1, 3]].tolist()) == [10, 11]


def test_tabu_search_keeps_its_gains_and_member_lists_in_step_with_the_groups():
    rng = np.random.default_rng(8)
    upper = np.triu(rng.uniform(0, 100, size=(50, 50)), 1)
    d = upper + upper.T
    sizes = [(8, 14), (10, 12), (6, 15), (9, 11)]
    search = search_for(d, sizes, seed=3)
    search.load(search.random_solution())
    search.descent()
    value, best = search.tabu_search(max_stall=300)
    assert value == pytest.approx(mdgp_value(d, best))
    assert search.value == pytest.approx(mdgp_value(d, search.group))
    assert np.allclose(search.W, d @ np.eye(4)[search.group])
    for g in range(4):
        listed = search.members[g, : search.size[g]]
        assert sorted(listed.tolist()) == np.flatnonzero(search.group == g).tolist()
        assert (search.members[g, search.size[g] :] == 50).all()
        assert (search.slot[listed] == np.arange(search.size[g])).all()
    counts = np.bincount(best, minlength=4)
    assert all(lo <= c <= hi for c, (lo, hi) in zip(counts, sizes, strict=True))


@pytest.mark.parametrize("sizes", [[12, 12, 12, 12], [9, 16, 7, 10, 6], [5, 0, 7]])
def test_swap_search_keeps_its_gains_and_member_lists_in_step_with_the_groups(sizes):
    rng = np.random.default_rng(11)
    n = sum(sizes)
    upper = np.triu(rng.uniform(0, 100, size=(n, n)), 1)
    d = upper + upper.T
    search = SwapSearch(d, np.array(sizes), np.random.default_rng(3), np.inf)
    search.load(search.random_solution())
    search.descent()
    value, best = search.tabu_search(max_stall=300)
    search.perturb(5)
    for grouping in (best, search.group):
        assert np.bincount(grouping, minlength=len(sizes)).tolist() == sizes
    assert value == pytest.approx(mdgp_value(d, best))
    assert search.value == pytest.approx(mdgp_value(d, search.group))
    assert np.allclose(search.W, d @ np.eye(len(sizes))[search.group])
    for g, size in enumerate(sizes):
        listed = search.members[g, :size]
        assert sorted(listed.tolist()) == np.flatnonzero(search.group == g).tolist()
        assert (search.pos[listed] == np.arange(size)).all()


def brute_force_best_swap(d, group, until, step):
    """The best gain of swapping two elements of different groups that no bar forbids."""
    best, base = -np.inf, mdgp_value(d, group)
    for i, j in itertools.permutations(range(len(d)), 2):
        g, h = group[i], group[j]
        if g == h or until[i, h] > step or until[j, g] > step:
            continue
        swapped = group.copy()
        swapped[i], swapped[j] = h, g
        best = max(best, mdgp_value(d, swapped) - base)
    return best


def test_a_tabu_step_takes_the_best_allowed_swap_of_the_whole_neighbourhood():
    # The step's branch and bound skips group pairs and members by a bound: it must still find
    # the best swap of all, with bars (tabu moves) anywhere.
    rng = np.random.default_rng(21)
    for trial in range(150):
        sizes = rng.integers(1, 6, size=int(rng.integers(2, 5)))
        n = int(sizes.sum())
        upper = np.triu(rng.uniform(0, 100, size=(n, n)), 1)
        d = upper + upper.T
        search = SwapSearch(d, sizes, np.random.default_rng(trial), np.inf)
        search.load(search.random_solution())
        until = rng.integers(0, 3, size=(n, len(sizes)))
        _refresh_all(search.W, search.group, search.members, search.sizes, until, 1, search.top)
        gain, i, j = _best_swap(d, search.W, search.members, search.sizes, until, 1, search.top)
        best = brute_force_best_swap(d, search.group, until, 1)
        if best == -np.inf:
            assert i == -1, trial
        else:
            assert gain == pytest.approx(best), trial
            swapped = search.group.copy()
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert mdgp_value(d, swapped) - mdgp_value(d, search.group) == pytest.approx(best)


def test_tabu_steps_keep_their_bound_table_exact_as_bars_come_and_go():
    # top[g, h] bounds the swaps a step weighs; if it fell behind a lifted bar, steps would
    # miss the best swap. After any number of steps it must equal a table made afresh.
    rng = np.random.default_rng(6)
    sizes = np.array([6, 9, 5, 8])
    n = int(sizes.sum())
    upper = np.triu(rng.uniform(0, 100, size=(n, n)), 1)
    d = upper + upper.T
    search = SwapSearch(d, sizes, np.random.default_rng(2), np.inf)
    search.load(search.random_solution())
    high = 5
    until = np.zeros((n, len(sizes)), dtype=np.int64)
    bars = np.full((2 * (high + 1), 3), -1, dtype=np.int64)
    counters, values = np.zeros(2, dtype=np.int64), np.array([search.value, search.value])
    best_group = search.group.copy()
    _refresh_all(search.W, search.group, search.members, search.sizes, until, 0, search.top)
    expected = np.empty_like(search.top)
    for _ in range(40):
        tenures = rng.integers(2, high + 1, size=2 * int(rng.integers(1, 8)))
        _tabu_steps(
            d, search.W, search.group, search.members, search.pos, search.sizes, until,
            search.top, bars, counters, values, 1e-9, tenures, best_group, 10**9,
        )
        step = int(counters[0])
        _refresh_all(search.W, search.group, search.members, search.sizes, until, step, expected)
        assert np.allclose(search.top, expected), step
    assert values[0] == pytest.approx(mdgp_value(d, search.group))
    assert values[1] == pytest.approx(mdgp_value(d, best_group))


def test_solver_stops_by_the_clock_it_is_given():
    reads = []

    def clock():
        reads.append(None)
        return float(len(reads))

    d = np.random.default_rng(9).uniform(0, 1, size=(40, 40))
    d = d + d.T
    groups = solve_mdgp(d, [(10, 10)] * 4, seed=1, time_limit=20, clock=clock)
    assert np.bincount(groups).tolist() == [10, 10, 10, 10]
    assert 20 <= len(reads) <= 25


MDGPLIB = Path(__file__).resolve().parent.parent / "bench" / "mdgplib"


def test_the_benchmark_instances_read_and_each_has_a_best_known_value():
    names = {path.name.removesuffix(".txt.xz") for path in MDGPLIB.glob("*.txt.xz")}
    with (MDGPLIB / "best_known.csv").open() as rows:
        known = {
            row[0]: float(row[1])
            for row in csv.reader(line for line in rows if not line.startswith("#"))
            if row[0] != "instance"
        }
    assert len(names) == 24 and set(known) == names
    instance = read_mdgplib(MDGPLIB / "Geo_n240_ds_01.txt.xz")
    assert instance.name == "Geo_n240_ds_01"
    assert instance.n == 240 and len(instance.group_sizes) == 12
    assert np.allclose(instance.distance, instance.distance.T)


def test_solver_comes_within_half_a_percent_of_a_best_known_value_in_a_second():
    # RanReal n = 120 ds_01: the family furthest from its best-known values before the compiled
    # search (0.42-0.57 % in 10 s); one second of processor time now reaches about 0.0 %.
    instance = read_mdgplib(MDGPLIB / "RanReal_n120_ds_01.txt.xz")
    groups = solve_mdgp(
        instance.distance, instance.group_sizes, seed=1, time_limit=1.0, clock=time.process_time
    )
    counts = np.bincount(groups, minlength=len(instance.group_sizes))
    assert all(lo <= c <= hi for c, (lo, hi) in zip(counts, instance.group_sizes, strict=True))
    assert mdgp_value(instance.distance, groups) >= 50549.13 * (1 - 0.005)
