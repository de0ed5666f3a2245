"""The room-assignment engine: plain data in, plain data out, no database."""

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from breakouts.assignment import Person, Plan, plan_rooms, solve_mdgp, spread_lower_bound


def roster(n, seed=0, departments=8, sites=5):
    """Returns n people with skewed (Zipf-like) departments and half of them at head office."""
    rng = np.random.default_rng(seed)
    department_share = 1 / np.arange(1, departments + 1) ** 1.2
    site_share = np.concatenate([[sites], np.ones(sites)])
    dept = rng.choice(departments, size=n, p=department_share / department_share.sum())
    site = rng.choice(sites + 1, size=n, p=site_share / site_share.sum())
    return [
        Person(f"p{i}", {"department": f"D{d}", "location": "HQ" if s == 0 else f"S{s}"})
        for i, (d, s) in enumerate(zip(dept, site, strict=True))
    ]


def room_of(plan):
    return {key: index for index, room in enumerate(plan.rooms) for key in room}


def count_similar(people, plan, name):
    values = {p.key: p.attributes.get(name) for p in people}
    return sum(
        values[a] not in (None, "") and values[a] == values[b]
        for room in plan.rooms
        for a, b in itertools.combinations(room, 2)
    )


# -- plan_rooms: shape of the plan -----------------------------------------------------------


@pytest.mark.parametrize(("n", "rooms"), [(1, 1), (7, 2), (30, 7), (101, 25), (40, 40)])
def test_every_person_is_placed_exactly_once_in_rooms_within_one_of_each_other(n, rooms):
    people = roster(n, seed=n)
    plan = plan_rooms(people, rooms, seed=1, time_limit=1)
    placed = [key for room in plan.rooms for key in room]
    assert sorted(placed) == sorted(p.key for p in people)
    sizes = [len(room) for room in plan.rooms]
    assert len(sizes) == rooms
    assert max(sizes) - min(sizes) <= 1


def test_similar_pairs_and_room_reports_describe_the_rooms():
    people = roster(60, seed=3)
    plan = plan_rooms(people, 6, seed=2, time_limit=1)
    assert isinstance(plan, Plan)
    assert plan.seed == 2
    for name in ("department", "location"):
        assert plan.similar_pairs[name] == count_similar(people, plan, name)
        assert (
            sum(report[name]["similar_pairs"] for report in plan.room_reports)
            == (plan.similar_pairs[name])
        )
    values = {p.key: p.attributes["department"] for p in people}
    for room, report in zip(plan.rooms, plan.room_reports, strict=True):
        assert report["department"]["distinct"] == len({values[key] for key in room})
    assert plan.gap == {
        name: plan.similar_pairs[name] - plan.lower_bound[name] for name in plan.similar_pairs
    }


def test_lower_bound_spreads_each_value_evenly_over_the_rooms():
    # 5 Sales over 2 rooms: 3 + 2 -> C(3,2) + C(2,2) = 4 pairs; 2 Ops: 1 + 1 -> 0 pairs.
    assert spread_lower_bound([5, 2], 2) == 4
    # 7 over 3 rooms: 3 + 2 + 2 -> 3 + 1 + 1 = 5.
    assert spread_lower_bound([7], 3) == 5
    people = [Person(i, {"department": "Sales" if i < 5 else "Ops"}) for i in range(7)]
    plan = plan_rooms(people, 2, seed=0, time_limit=1)
    assert plan.lower_bound == {"department": 4, "met_before": 0, "repeat": 0}
    assert plan.similar_pairs["department"] == 4
    assert plan.optimal


# -- plan_rooms: quality ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "rooms", "departments", "sites"),
    [
        (12, 3, 3, 2),
        (50, 5, 8, 5),
        (100, 25, 10, 6),
        (100, 10, 4, 3),
        (400, 100, 12, 8),
        (1000, 100, 9, 5),
    ],
)
def test_two_attribute_rosters_reach_the_lower_bound(n, rooms, departments, sites):
    people = roster(n, seed=rooms, departments=departments, sites=sites)
    plan = plan_rooms(people, rooms, seed=5, time_limit=5)
    assert plan.gap == {"department": 0, "location": 0, "met_before": 0, "repeat": 0}
    assert plan.optimal


def test_a_tiny_department_heavy_roster_reaches_the_bound():
    # Nine of twelve share a department and a site: 3 + 2 + 2 + 2 per room, 6 pairs each.
    people = [Person(i, {"department": "A", "location": "HQ"}) for i in range(9)]
    people += [Person(9 + i, {"department": f"B{i}", "location": f"S{i}"}) for i in range(3)]
    plan = plan_rooms(people, 4, seed=3, time_limit=1)
    assert plan.similar_pairs["department"] == plan.lower_bound["department"] == 6
    assert plan.optimal


def test_people_without_a_value_are_not_similar_to_each_other():
    people = [Person(i, {"location": None if i % 2 else ""}) for i in range(6)]
    people.append(Person(6, {}))
    plan = plan_rooms(people, 1, seed=0, time_limit=1)
    assert plan.similar_pairs["location"] == 0
    assert plan.lower_bound["location"] == 0
    assert plan.room_reports[0]["location"] == {"distinct": 0, "similar_pairs": 0}


def test_met_before_pairs_are_avoided_when_possible():
    people = roster(40, seed=11)
    # Everyone met the next four people in last workshop's rooms.
    met = [frozenset((f"p{i}", f"p{j}")) for i in range(40) for j in range(i + 1, min(i + 4, 40))]
    plan = plan_rooms(people, 10, seed=4, met_before=met, time_limit=5)
    assert plan.similar_pairs["met_before"] == 0
    assert plan.optimal


def test_weights_decide_which_attribute_keeps_its_bound():
    # Four people, two rooms: every split pairs two people sharing one of the three attributes.
    people = [
        Person("a", {"department": "X", "location": "L1", "team": "T1"}),
        Person("b", {"department": "X", "location": "L2", "team": "T2"}),
        Person("c", {"department": "Y", "location": "L1", "team": "T2"}),
        Person("d", {"department": "Y", "location": "L2", "team": "T1"}),
    ]
    names = ["department", "location", "team"]
    for heavy in names:
        weights = {name: 5 if name == heavy else 1 for name in names}
        plan = plan_rooms(people, 2, seed=0, weights=weights, time_limit=1)
        assert plan.similar_pairs[heavy] == 0
        assert sum(plan.similar_pairs[name] for name in names) == 2
        assert not plan.optimal


# -- plan_rooms: randomness ------------------------------------------------------------------


def test_the_same_seed_gives_the_same_plan():
    people = roster(200, seed=1)
    first = plan_rooms(people, 20, seed=42, time_limit=5)
    second = plan_rooms(people, 20, seed=42, time_limit=5)
    assert first == second


def test_different_seeds_give_different_rooms_of_the_same_quality():
    people = roster(100, seed=2)
    plans = [plan_rooms(people, 25, seed=seed, time_limit=5) for seed in range(4)]
    assert len({tuple(map(tuple, plan.rooms)) for plan in plans}) == 4
    assert all(plan.optimal for plan in plans)
    # Plans share few same-room pairs: far from one fixed answer.
    pairs = [
        {frozenset(pair) for room in plan.rooms for pair in itertools.combinations(room, 2)}
        for plan in plans
    ]
    assert max(len(a & b) for a, b in itertools.combinations(pairs, 2)) < 0.2 * len(pairs[0])


# -- plan_rooms: constraints -----------------------------------------------------------------


def test_keep_apart_pairs_never_share_a_room():
    people = roster(30, seed=4)
    apart = [(f"p{i}", f"p{i + 1}") for i in range(0, 29)]
    plan = plan_rooms(people, 3, seed=1, keep_apart=apart, time_limit=2)
    where = room_of(plan)
    assert all(where[a] != where[b] for a, b in apart)


def test_keep_together_groups_share_a_room():
    people = roster(40, seed=5)
    together = [["p0", "p1", "p2"], ["p3", "p4"], ["p4", "p5"], ["p10", "p20", "p30", "p39"]]
    plan = plan_rooms(people, 8, seed=1, keep_together=together, time_limit=2)
    where = room_of(plan)
    assert where["p0"] == where["p1"] == where["p2"]
    assert where["p3"] == where["p4"] == where["p5"]
    assert where["p10"] == where["p20"] == where["p30"] == where["p39"]
    assert max(map(len, plan.rooms)) == 5


def test_pinned_people_stay_in_their_rooms_and_others_still_reach_the_bound():
    people = roster(100, seed=6)
    pinned = {f"p{i}": i for i in range(10)}
    plan = plan_rooms(people, 10, seed=1, pinned=pinned, time_limit=5)
    where = room_of(plan)
    assert all(where[key] == room for key, room in pinned.items())
    assert plan.optimal


def test_constraints_hold_together():
    people = roster(60, seed=7)
    apart = [("p0", "p1"), ("p0", "p2"), ("p3", "p4")]
    together = [["p1", "p5"], ["p3", "p6", "p7"]]
    pinned = {"p0": 0, "p6": 2}
    plan = plan_rooms(
        people, 6, seed=3, keep_apart=apart, keep_together=together, pinned=pinned, time_limit=2
    )
    where = room_of(plan)
    assert where["p0"] == 0
    assert where["p3"] == where["p6"] == where["p7"] == 2
    assert where["p1"] == where["p5"]
    assert all(where[a] != where[b] for a, b in apart)


# -- plan_rooms: bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rooms": 0}, "rooms must be a whole number from 1 to 6"),
        ({"rooms": 7}, "rooms must be a whole number from 1 to 6"),
        ({"rooms": 2.5}, "rooms must be a whole number"),
        ({"pinned": {"a": 3}}, "'a' is pinned to room 3, but rooms are numbered 0 to 2"),
        ({"pinned": {"zz": 0}}, "pinned names unknown person 'zz'"),
        ({"keep_apart": [("a", "zz")]}, "keep_apart names unknown person 'zz'"),
        ({"keep_apart": ["ab"]}, "must be a pair of person keys"),
        ({"met_before": [frozenset({"a"})]}, "must name two different people"),
        ({"keep_together": [["a", "b", "c"]]}, "larger than the largest room \\(2\\)"),
        (
            {"keep_together": [["a", "b"]], "pinned": {"a": 0, "b": 1}},
            "'a' and 'b' are kept together but pinned to different rooms \\(0 and 1\\)",
        ),
        (
            {"keep_together": [["a", "b"]], "keep_apart": [("b", "a")]},
            "'a' and 'b' must be kept apart but are also kept together",
        ),
        (
            {"keep_apart": [("a", "b")], "pinned": {"a": 1, "b": 1}},
            "both pinned to room 1",
        ),
        ({"pinned": {"a": 0, "b": 0, "c": 0}}, "room 0 has 3 people pinned to it"),
        (
            {
                "keep_apart": [
                    ("a", "b"),
                    ("b", "c"),
                    ("a", "c"),
                    ("a", "d"),
                    ("b", "d"),
                    ("c", "d"),
                ]
            },
            "cannot satisfy keep_apart",
        ),
        ({"weights": {"department": -1}}, "weight of 'department' must be a finite non-negative"),
        ({"weights": {"department": float("nan")}}, "must be a finite non-negative"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"time_limit": 0}, "time_limit must be a finite positive number"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(kwargs, message):
    people = [Person(key, {"department": key}) for key in "abcdef"]
    arguments = {"people": people, "rooms": 3, "seed": 0, "time_limit": 0.5, **kwargs}
    with pytest.raises(ValueError, match=message):
        plan_rooms(**arguments)


def test_duplicate_keys_and_reserved_names_are_rejected():
    with pytest.raises(ValueError, match="duplicate person key 'a'"):
        plan_rooms([Person("a", {}), Person("a", {})], 1, seed=0)
    with pytest.raises(ValueError, match="'met_before' is reserved"):
        plan_rooms([Person("a", {"met_before": 1})], 1, seed=0)
    with pytest.raises(ValueError, match="no people"):
        plan_rooms([], 1, seed=0)


def test_engine_imports_nothing_from_django():
    package = Path(__file__).resolve().parent.parent / "breakouts" / "assignment"
    modules = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules.add((node.module or "").split(".")[0])
    assert modules <= {
        "__future__",
        "math",
        "time",
        "collections",
        "heapq",
        "functools",
        "dataclasses",
        "pathlib",
        "lzma",
        "typing",
        "numpy",
        "numba",
    }


# -- solve_mdgp ------------------------------------------------------------------------------


def random_distances(n, seed):
    upper = np.triu(np.random.default_rng(seed).uniform(0, 100, size=(n, n)), 1)
    return upper + upper.T


def within_group_sum(d, groups):
    groups = np.asarray(groups)
    return float((d * (groups[:, None] == groups[None, :])).sum() / 2)


def test_mdgp_returns_group_indices_within_the_size_bounds():
    d = random_distances(37, seed=1)
    sizes = [(5, 8), (6, 6), (3, 13), (10, 10)]
    groups = solve_mdgp(d, sizes, seed=1, time_limit=0.3)
    assert len(groups) == 37
    counts = np.bincount(groups, minlength=4)
    assert all(low <= count <= high for count, (low, high) in zip(counts, sizes, strict=True))


def test_mdgp_beats_a_random_assignment():
    d = random_distances(60, seed=2)
    groups = solve_mdgp(d, [(10, 10)] * 6, seed=2, time_limit=0.5)
    rng = np.random.default_rng(0)
    random_best = max(
        within_group_sum(d, rng.permutation(np.repeat(np.arange(6), 10))) for _ in range(50)
    )
    assert within_group_sum(d, groups) > 1.05 * random_best


def test_mdgp_finds_the_optimum_of_a_tiny_instance():
    d = random_distances(9, seed=3)
    sizes = [(2, 4), (3, 3), (2, 4)]
    best = max(
        within_group_sum(d, labels)
        for labels in itertools.product(range(3), repeat=9)
        if all(
            lo <= c <= hi
            for c, (lo, hi) in zip(np.bincount(labels, minlength=3), sizes, strict=True)
        )
    )
    groups = solve_mdgp(d.tolist(), sizes, seed=3, time_limit=0.2)
    assert within_group_sum(d, groups) == pytest.approx(best)


def test_mdgp_with_one_group_puts_everything_in_it():
    assert solve_mdgp([[0, 1], [1, 0]], [(0, 5)], seed=0, time_limit=0.1) == [0, 0]


@pytest.mark.parametrize(
    ("distance", "sizes", "message"),
    [
        ([[0, 1], [2, 0]], [(1, 1), (1, 1)], "must be symmetric"),
        ([[0, float("nan")], [float("nan"), 0]], [(1, 1), (1, 1)], "NaN or infinite"),
        ([[0, -1], [-1, 0]], [(1, 1), (1, 1)], "must be non-negative"),
        ([[0, 1, 2], [1, 0, 3]], [(1, 2), (1, 2)], "square n x n matrix"),
        ([[0, 1], [1]], [(1, 1), (1, 1)], "square matrix of numbers"),
        ([[0, 1], [1, 0]], [(2, 2), (1, 1)], "minimum sizes add up to 3, more than the 2"),
        ([[0, 1], [1, 0]], [(0, 1)], "maximum sizes add up to 1, fewer than the 2"),
        ([[0, 1], [1, 0]], [(2, 1), (0, 2)], "min 2 above max 1"),
        ([[0, 1], [1, 0]], [(1,), (1, 1)], "must be a \\(min, max\\) pair"),
        ([[0, 1], [1, 0]], [], "at least one group"),
    ],
)
def test_mdgp_bad_input_raises_value_error(distance, sizes, message):
    with pytest.raises(ValueError, match=message):
        solve_mdgp(distance, sizes, seed=0, time_limit=0.1)


def test_importing_the_engine_does_not_load_numba():
    # Every app process imports the engine for its room planner; only solve_mdgp needs Numba
    # (about 0.25 s and 70 MB a process), so it is imported when that is called.
    code = "import sys, breakouts.assignment; print('numba' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
