"""Benchmark of the room-assignment engine (breakouts/assignment.py).

Run from the repository root:

    .venv/bin/python bench/assignment.py --quick   # about 30 s
    .venv/bin/python bench/assignment.py           # a few minutes: 60 s MDGP reference runs
    .venv/bin/python bench/assignment.py --long    # 5-minute MDGP reference runs (~16 min)

It prints three tables:

1. Department + location rosters (Zipf-like departments, half the people at head office) of
   100, 1,000 and 10,000 people in rooms of 4 and of 10: time, similar pairs against the lower
   bound, and a pure-random split for comparison. Targets: at the bound everywhere, 10,000
   people in at most 1 s.
2. Randomness on a 100-person roster: same-room pairs shared by plans from two different seeds,
   against two pure-random splits. Target: at most about 1.5 times the random figure.
3. General MDGP (uniform distances 0-100): a 10 s run (2 s with --quick) against the best of a
   long run of the same solver (60 s; 300 s with --long; 10 s with --quick). Target: within 1 %.
"""

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from breakouts.assignment import Person, plan_rooms, solve_mdgp  # noqa: E402

DEPARTMENTS = 10
SITES = 6


def roster(n, seed):
    """Returns n people with Zipf-like department sizes and half of them at head office."""
    rng = np.random.default_rng(seed)
    department_share = 1 / np.arange(1, DEPARTMENTS + 1) ** 1.1
    site_share = 1 / np.arange(1, SITES + 1)
    location_share = np.concatenate([[0.5], 0.5 * site_share / site_share.sum()])
    departments = rng.choice(DEPARTMENTS, size=n, p=department_share / department_share.sum())
    locations = rng.choice(SITES + 1, size=n, p=location_share)
    return [
        Person(i, {"department": f"D{d}", "location": "HQ" if loc == 0 else f"Site {loc}"})
        for i, (d, loc) in enumerate(zip(departments, locations, strict=True))
    ]


def random_split(n, rooms, rng):
    order = rng.permutation(n)
    return [order[r::rooms].tolist() for r in range(rooms)]


def similar_pairs(people, rooms):
    total = 0
    for room in rooms:
        for a, b in itertools.combinations(room, 2):
            total += sum(
                people[a].attributes[name] == people[b].attributes[name]
                for name in ("department", "location")
            )
    return total


def pairs_of(rooms):
    return {frozenset(pair) for room in rooms for pair in itertools.combinations(room, 2)}


def bound_table(quick):
    print("1. Department + location rosters: similar pairs against the lower bound")
    header = (
        f"{'people':>7} {'size':>4} {'rooms':>5} {'seeds':>5} {'max time':>9} "
        f"{'dept/bound':>12} {'loc/bound':>12} {'at bound':>8} {'random':>8} {'random +%':>9}"
    )
    print(header)
    print("-" * len(header))
    seeds = (1,) if quick else (1, 2, 3)
    for n in (100, 1_000, 10_000):
        people = roster(n, n)
        for size in (4, 10):
            rooms = n // size
            times, plans = [], []
            for seed in seeds:
                started = time.perf_counter()
                plans.append(plan_rooms(people, rooms, seed=seed, time_limit=30))
                times.append(time.perf_counter() - started)
            plan = plans[0]
            at_bound = all(p.gap["department"] == 0 and p.gap["location"] == 0 for p in plans)
            bound = plan.lower_bound["department"] + plan.lower_bound["location"]
            rng = np.random.default_rng(n + size)
            baseline = np.mean(
                [similar_pairs(people, random_split(n, rooms, rng)) for _ in range(5)]
            )
            above = 100 * (baseline / bound - 1)
            print(
                f"{n:>7,} {size:>4} {rooms:>5} {len(seeds):>5} {max(times):>8.3f}s "
                f"{plan.similar_pairs['department']:>6}/{plan.lower_bound['department']:<5} "
                f"{plan.similar_pairs['location']:>6}/{plan.lower_bound['location']:<5} "
                f"{'yes' if at_bound else 'NO':>8} {baseline:>8.0f} {above:>8.0f}%"
            )
    print()


def randomness_table(quick):
    print("2. Randomness on a 100-person roster: same-room pairs shared by two plans")
    header = f"{'size':>4} {'trials':>6} {'two seeds':>9} {'two random':>10} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    people = roster(100, 7)
    trials = 10 if quick else 50
    for size in (4, 10):
        rooms = 100 // size
        rng = np.random.default_rng(size)
        seeded, shuffled = [], []
        for t in range(trials):
            first = plan_rooms(people, rooms, seed=2 * t).rooms
            second = plan_rooms(people, rooms, seed=2 * t + 1).rooms
            seeded.append(len(pairs_of(first) & pairs_of(second)))
            splits = [random_split(100, rooms, rng) for _ in range(2)]
            shuffled.append(len(pairs_of(splits[0]) & pairs_of(splits[1])))
        seeded_mean, shuffled_mean = np.mean(seeded), np.mean(shuffled)
        print(
            f"{size:>4} {trials:>6} {seeded_mean:>9.2f} {shuffled_mean:>10.2f} "
            f"{seeded_mean / shuffled_mean:>6.2f}"
        )
    print()


def mdgp_value(d, groups):
    groups = np.asarray(groups)
    same = groups[:, None] == groups[None, :]
    return float((d * same).sum() / 2)


def mdgp_table(run_seconds, reference_seconds, instances):
    print(
        f"3. General MDGP, uniform distances 0-100: {run_seconds:g} s run against a "
        f"{reference_seconds:g} s reference run"
    )
    header = (
        f"{'n':>4} {'groups':>6} {f'{run_seconds:g} s run':>12} "
        f"{f'{reference_seconds:g} s run':>12} {'gap':>7}"
    )
    print(header)
    print("-" * len(header))
    for n, groups in instances:
        rng = np.random.default_rng(n)
        upper = np.triu(rng.uniform(0, 100, size=(n, n)), 1)
        d = upper + upper.T
        sizes = [(n // groups, n // groups)] * groups
        short = mdgp_value(d, solve_mdgp(d, sizes, seed=1, time_limit=run_seconds))
        reference = mdgp_value(d, solve_mdgp(d, sizes, seed=2, time_limit=reference_seconds))
        best = max(short, reference)
        print(
            f"{n:>4} {groups:>6} {short:>12.1f} {reference:>12.1f} "
            f"{100 * (best - short) / best:>6.2f}%"
        )
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="one seed, short MDGP runs (~30 s)")
    mode.add_argument("--long", action="store_true", help="5-minute MDGP reference runs")
    args = parser.parse_args()

    bound_table(args.quick)
    randomness_table(args.quick)
    if args.quick:
        mdgp_table(2, 10, [(120, 10), (240, 12)])
    else:
        mdgp_table(10, 300 if args.long else 60, [(120, 10), (240, 12), (480, 20)])


if __name__ == "__main__":
    main()
