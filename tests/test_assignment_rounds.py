"""The engine with any number of weighted attributes, several rounds and late joiners."""

import itertools

import numpy as np
import pytest

from breakouts.assignment import (
    MET_BEFORE as MET,
)
from breakouts.assignment import (
    MIX_LEVELS,
    Person,
    best_room_for,
    inputs,
    plan_rooms,
    plan_rounds,
    spread_lower_bound,
)
from breakouts.assignment.polish import polish, similarity
from breakouts.assignment.search import RoomSearch
from breakouts.assignment.start import initial_rooms

ATTRIBUTES = ("department", "location", "level", "region")


def four_attribute_roster(n, seed=0):
    rng = np.random.default_rng(seed)
    columns = {
        "department": rng.choice(8, size=n, p=np.array([8, 5, 4, 3, 2, 2, 1, 1]) / 26),
        "location": rng.choice(5, size=n, p=[0.5, 0.2, 0.1, 0.1, 0.1]),
        "level": rng.choice(3, size=n, p=[0.6, 0.3, 0.1]),
        "region": rng.choice(4, size=n),
    }
    return [
        Person(f"p{i}", {name: f"{name[:3]}{values[i]}" for name, values in columns.items()})
        for i in range(n)
    ]


def shared_pairs(*plans):
    """Returns the pairs who share a room in more than one of the plans."""
    seen, repeated = set(), set()
    for plan in plans:
        for room in plan.rooms:
            for pair in itertools.combinations(sorted(room), 2):
                (repeated if pair in seen else seen).add(pair)
    return repeated


# -- attributes and weights ------------------------------------------------------------------


def test_mix_levels_weigh_attributes_like_numbers():
    # Four people, two rooms: every split pairs two people sharing one of three attributes.
    people = [
        Person("a", {"department": "X", "location": "L1", "team": "T1"}),
        Person("b", {"department": "X", "location": "L2", "team": "T2"}),
        Person("c", {"department": "Y", "location": "L1", "team": "T2"}),
        Person("d", {"department": "Y", "location": "L2", "team": "T1"}),
    ]
    for heavy in ("department", "location", "team"):
        weights = {name: "mix if possible" for name in ("department", "location", "team")}
        weights[heavy] = "Must mix"
        plan = plan_rooms(people, 2, seed=0, weights=weights, time_limit=1)
        assert plan.similar_pairs[heavy] == 0
    ignored = plan_rooms(
        people, 2, seed=0, weights={"department": "ignore", "location": 1, "team": 1}
    )
    assert ignored.similar_pairs["department"] == 2
    assert ignored.similar_pairs["location"] == ignored.similar_pairs["team"] == 0
    assert ignored.optimal
    assert MIX_LEVELS == {"must mix": 10.0, "mix if possible": 1.0, "ignore": 0.0}


def test_four_attributes_are_reported_and_mixed():
    people = four_attribute_roster(120, seed=1)
    plan = plan_rooms(people, 20, seed=3, time_limit=5)
    for name in ATTRIBUTES:
        values = {p.key: p.attributes[name] for p in people}
        counted = sum(
            values[a] == values[b]
            for room in plan.rooms
            for a, b in itertools.combinations(room, 2)
        )
        assert plan.similar_pairs[name] == counted
        assert plan.room_reports[0][name]["distinct"] >= 1
        # A hard roster for four attributes at once; the search still lands close to the bound.
        assert plan.gap[name] <= 2
    assert plan.similar_pairs["repeat"] == plan.lower_bound["repeat"] == 0


def test_a_must_mix_attribute_keeps_its_bound_when_others_cannot():
    people = four_attribute_roster(90, seed=2)
    weights = {"level": "must mix", "department": "mix if possible"}
    plan = plan_rooms(people, 15, seed=1, weights=weights, time_limit=5)
    assert plan.gap["level"] == 0


# -- rounds ----------------------------------------------------------------------------------


def test_later_rounds_repeat_no_pair_when_sizes_allow():
    people = four_attribute_roster(60, seed=3)
    plans = plan_rounds(people, 10, 3, seed=7, time_limit=5)
    assert [plan.repeat_pairs for plan in plans] == [0, 0, 0]
    assert shared_pairs(*plans) == set()
    assert all(plan.optimal for plan in plans[:1])
    assert [plan.seed for plan in plans] == [7, 8, 9]


def test_rounds_repeat_as_few_pairs_as_sizes_force():
    # Six people in two rooms of three: any second split puts two of a first-round triangle
    # together in each room, so two repeat pairs are the fewest possible.
    people = [Person(i, {}) for i in range(6)]
    first, second = plan_rounds(people, 2, 2, seed=1, time_limit=2)
    assert first.repeat_pairs == 0
    assert second.repeat_pairs == len(shared_pairs(first, second)) == 2
    # Four people in rooms of two: three rounds meet everyone once, the fourth repeats two.
    people = [Person(i, {}) for i in range(4)]
    plans = plan_rounds(people, 2, 4, seed=2, time_limit=2)
    assert [plan.repeat_pairs for plan in plans] == [0, 0, 0, 2]


def test_earlier_rounds_skip_people_who_left_and_count_repeats():
    people = [Person(i, {}) for i in range(4)]
    earlier = [[[0, 1, "gone"], [2, 3]]]
    plan = plan_rooms(people, 2, seed=0, earlier_rounds=earlier, time_limit=1)
    assert {frozenset(room) for room in plan.rooms}.isdisjoint(
        {frozenset({0, 1}), frozenset({2, 3})}
    )
    forced = plan_rooms(people, 1, seed=0, earlier_rounds=earlier, time_limit=1)
    assert forced.repeat_pairs == 2
    assert not forced.optimal


def test_constraints_hold_in_every_round():
    people = four_attribute_roster(40, seed=4)
    plans = plan_rounds(
        people,
        8,
        3,
        seed=1,
        keep_apart=[("p0", "p1")],
        keep_together=[["p2", "p3"]],
        pinned={"p4": 5},
        time_limit=5,
    )
    for plan in plans:
        where = {key: index for index, room in enumerate(plan.rooms) for key in room}
        assert where["p0"] != where["p1"]
        assert where["p2"] == where["p3"]
        assert where["p4"] == 5
    # The kept-together pair is the only pair that may repeat.
    assert shared_pairs(*plans) <= {("p2", "p3")}


def test_the_same_seed_gives_the_same_rounds():
    people = four_attribute_roster(80, seed=5)
    weights = {"department": "must mix", "region": 0.5}
    first = plan_rounds(people, 10, 2, seed=3, weights=weights, time_limit=10)
    again = plan_rounds(people, 10, 2, seed=3, weights=weights, time_limit=10)
    assert first == again
    other = plan_rounds(people, 10, 2, seed=4, weights=weights, time_limit=10)
    assert other[0].rooms != first[0].rooms


# -- best_room_for ---------------------------------------------------------------------------


def seated(*rooms):
    return [[Person(key, attributes) for key, attributes in room] for room in rooms]


def test_a_newcomer_goes_to_a_smallest_room():
    rooms = seated(
        [("a", {"department": "X"}), ("b", {"department": "Y"})],
        [("c", {"department": "X"})],
    )
    # Room 1 already holds someone of the same department, but room 0 is larger.
    assert best_room_for(Person("new", {"department": "X"}), rooms) == 1


def test_a_newcomer_goes_where_they_add_the_fewest_weighted_pairs():
    rooms = seated(
        [("a", {"department": "X", "level": "D"})],
        [("b", {"department": "Y", "level": "M"})],
        [("c", {"department": "Z", "level": "M"})],
    )
    newcomer = Person("new", {"department": "Y", "level": "M"})
    # Costs per room: a shares nothing, b department and level, c level.
    assert best_room_for(newcomer, rooms) == 0
    assert best_room_for(newcomer, rooms, met_before=[("a", "new")], weights={MET: 3}) == 2
    # Attributes weighed 0 count nothing; of equal rooms the first wins.
    ignore_all = {"department": 0, "level": "ignore"}
    assert best_room_for(newcomer, rooms, met_before=[("new", "a")], weights=ignore_all) == 1
    must = {"department": "must mix", "level": "ignore"}
    assert best_room_for(newcomer, rooms, met_before=[("a", "new")], weights=must) == 2
    # A pair from an earlier round outweighs shared attributes by default.
    assert best_room_for(newcomer, rooms, earlier_rounds=[[["new", "a"], ["b"]]]) == 2
    assert best_room_for(newcomer, rooms, keep_apart=[("new", "a")]) == 2


def test_best_room_for_ignores_pairs_with_people_not_seated_and_draws_ties_by_seed():
    rooms = seated([("a", {})], [("b", {})], [("c", {})])
    newcomer = Person("new", {})
    assert best_room_for(newcomer, rooms, met_before=[("new", "left"), ("a", "b")]) == 0
    draws = {best_room_for(newcomer, rooms, seed=seed) for seed in range(30)}
    assert draws == {0, 1, 2}
    assert best_room_for(newcomer, rooms, seed=5) == best_room_for(newcomer, rooms, seed=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rooms": []}, "rooms must be a non-empty list"),
        ({"keep_apart": [("new", "a"), ("new", "b")]}, "every room holds someone 'new'"),
        ({"rooms": [[Person("new", {})]]}, "duplicate person key 'new'"),
        ({"weights": {"department": "often"}}, "weight of 'department' must be a number or one"),
        ({"seed": -2}, "seed must be a non-negative integer"),
        ({"met_before": ["ab"]}, "must be a pair of person keys"),
    ],
)
def test_best_room_for_bad_input_raises_value_error(kwargs, message):
    arguments = {
        "person": Person("new", {"department": "X"}),
        "rooms": seated([("a", {"department": "X"})], [("b", {"department": "Y"})]),
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        best_room_for(**arguments)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"weights": {"level": "sometimes"}},
            "weight of 'level' must be a number or one of 'must mix', 'mix if possible', "
            "'ignore', got 'sometimes'",
        ),
        ({"weights": ["level"]}, "weights must map attribute names to weights"),
        ({"weights": {"repeat": -1}}, "weight of 'repeat' must be a finite non-negative"),
        ({"earlier_rounds": "ab"}, "earlier_rounds must be a list of rounds"),
        ({"earlier_rounds": [5]}, "earlier_rounds\\[0\\] must be a list of rooms"),
        ({"earlier_rounds": [["ab"]]}, "earlier_rounds\\[0\\]\\[0\\] must be a list of person"),
        ({"earlier_rounds": [[["a"], ["a", "b"]]]}, "earlier_rounds\\[0\\] puts 'a' in two rooms"),
    ],
)
def test_bad_weights_and_rounds_raise_value_error(kwargs, message):
    people = [Person(key, {"level": key}) for key in "abcdef"]
    with pytest.raises(ValueError, match=message):
        plan_rooms(people, 3, seed=0, time_limit=0.5, **kwargs)


def test_rounds_and_reserved_names_are_checked():
    people = [Person(key, {}) for key in "abcd"]
    with pytest.raises(ValueError, match="rounds must be a whole number of at least 1, got 0"):
        plan_rounds(people, 2, 0, seed=0)
    with pytest.raises(ValueError, match="attribute name 'repeat' is reserved"):
        plan_rounds([Person("a", {"repeat": 1})], 1, 1, seed=0)


# -- polish: the MDGP tabu search on the planner's cost --------------------------------------


def test_polish_lowers_the_planners_cost_and_keeps_fixed_people_and_sizes():
    people = four_attribute_roster(50, seed=6)
    problem = inputs.encode(
        people, 8, {"level": "must mix"}, [("p1", "p2")], [("p3", "p4")], [], {"p5": 2}
    )
    rng = np.random.default_rng(0)
    search = RoomSearch(problem, rng, np.inf)
    room_of, _ = initial_rooms(problem, search, rng)
    search.load(room_of)  # the random deal, before any local search
    before = search.objective()
    sizes = sorted(np.bincount(search.room_of).tolist())
    polish(problem, search, rng, np.inf)
    hard, soft = search.objective()
    assert hard == 0
    assert soft < 0.5 * before[1]
    assert sorted(np.bincount(search.room_of).tolist()) == sizes
    assert search.room_of[5] == 2
    # The cost the search reports is the similarity matrix's cost of the rooms.
    cost = similarity(problem)
    same = search.room_of[:, None] == search.room_of[None, :]
    bounds = sum(
        weight * spread_lower_bound(counts, 8)
        for weight, counts in zip(problem.weights, problem.value_counts, strict=True)
    )
    assert (cost * same).sum() / 2 - bounds == pytest.approx(soft)
