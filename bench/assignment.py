"""Benchmark of the room-assignment engine (breakouts/assignment/).

Run from the repository root:

    .venv/bin/python bench/assignment.py --quick   # about two minutes
    .venv/bin/python bench/assignment.py           # a few minutes
    .venv/bin/python bench/assignment.py --mdgp                   # only the MDGPLIB table
    .venv/bin/python bench/assignment.py --mdgp --only 'RanReal_n480*'   # some instances

It prints four tables:

1. Department + location rosters (Zipf-like departments, half the people at head office) of
   100, 1,000 and 10,000 people in rooms of 4 and of 10: time, similar pairs against the lower
   bound, and a pure-random split for comparison. Targets: at the bound everywhere, 10,000
   people in at most 1 s.
2. Randomness on a 100-person roster: same-room pairs shared by plans from two different seeds,
   against two pure-random splits. Target: at most about 1.5 times the random figure.
3. Several attributes and rounds: 1,000 people with four attributes (two "must mix") in rooms of
   10 for three rounds: repeat pairs, similar pairs above the bound per attribute, time.
   Target: no repeat pair, every attribute at or near its bound.
4. General MDGP on the literature's MDGPLIB instances (RanReal and Geo, n = 120, 240, 480):
   ``solve_mdgp`` for ``--seconds`` (default 10) of processor time (a shared machine does not
   shorten the search) against the best-known values. Target: within 0.5 %. The 24 instances
   (RanReal and Geo, ss and ds, _01 and _02) and their best-known values are in bench/mdgplib/
   (see its best_known.csv and docs/assignment.md); ``--instances DIR`` runs another set.

With ``--product`` it prints only table 5 instead: three rounds of 1,000 participants through
the app's own planning and start code on a throw-away database (bench/product_rounds.py).
"""

import argparse
import csv
import fnmatch
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from breakouts.assignment import (  # noqa: E402
    Person,
    mdgp_value,
    plan_rooms,
    plan_rounds,
    read_mdgplib,
    solve_mdgp,
)

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


ROUNDS_PEOPLE = 1_000
ROUNDS = 3


def four_attribute_roster(n, seed):
    """Returns n people with skewed department, location, level and region columns."""
    rng = np.random.default_rng(seed)

    def zipf(k, s):
        share = 1 / np.arange(1, k + 1) ** s
        return share / share.sum()

    columns = {
        "department": rng.choice(12, size=n, p=zipf(12, 1.1)),
        "location": rng.choice(7, size=n, p=zipf(7, 1.5)),
        "level": rng.choice(4, size=n, p=[0.5, 0.3, 0.15, 0.05]),
        "region": rng.choice(5, size=n, p=zipf(5, 1.1)),
    }
    return [
        Person(i, {name: f"{name[:3]}-{values[i]}" for name, values in columns.items()})
        for i in range(n)
    ]


def rounds_table(quick):
    names = ("department", "location", "level", "region")
    weights = {"department": "must mix", "level": "must mix"}
    print(
        f"3. {ROUNDS_PEOPLE:,} people x 4 attributes (department and level must mix) x "
        f"{ROUNDS} rounds, rooms of 10: repeat pairs and similar pairs above the bound"
    )
    header = f"{'seed':>4} {'round':>5} {'time':>7} {'repeats':>7} " + " ".join(
        f"{name + ' +':>13}" for name in names
    )
    print(header)
    print("-" * len(header))
    people = four_attribute_roster(ROUNDS_PEOPLE, 11)
    for seed in (1,) if quick else (1, 2, 3):
        earlier = []
        for number in range(1, ROUNDS + 1):
            started = time.perf_counter()
            (plan,) = plan_rounds(
                people,
                ROUNDS_PEOPLE // 10,
                1,
                seed=seed * 10 + number,
                weights=weights,
                earlier_rounds=earlier,
                time_limit=2.0,
            )
            elapsed = time.perf_counter() - started
            earlier.append(plan.rooms)
            gaps = " ".join(f"{plan.gap[name]:>6}/{plan.lower_bound[name]:<6}" for name in names)
            print(f"{seed:>4} {number:>5} {elapsed:>6.2f}s {plan.repeat_pairs:>7} {gaps}")
    print()


def best_known_values(directory):
    """Returns {instance name: best-known value} from ``best_known.csv`` (instance,value) and
    from TPSDP result files (``<instance>_new.txt``: path, best, mean, worst on line 1)."""
    values = {}
    for path in sorted(directory.rglob("*_new.txt")):
        fields = path.open().readline().split()
        try:
            values[path.name.removesuffix("_new.txt")] = float(fields[1])
        except (IndexError, ValueError):
            continue
    table = directory / "best_known.csv"
    if table.exists():
        with table.open(newline="") as rows:
            for row in csv.reader(rows):
                if len(row) >= 2 and not row[0].startswith("#"):
                    try:
                        values[row[0].strip()] = float(row[1])
                    except ValueError:
                        continue
    return values


def instance_name(path):
    return path.name.removesuffix(".xz").removesuffix(".txt")


def mdgp_table(directory, seconds, only=None):
    if not directory.is_dir():
        raise SystemExit(f"4. MDGPLIB: {directory} is not a directory of instance files")
    known = best_known_values(directory)
    paths = sorted(
        path
        for path in [*directory.glob("*.txt"), *directory.glob("*.txt.xz")]
        if not path.name.endswith("_new.txt")
    )
    if only:
        paths = [path for path in paths if fnmatch.fnmatchcase(instance_name(path), only)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"4. MDGPLIB instances in {directory}: solve_mdgp for {seconds:g} s of processor time ("
        f"load average {load:.1f} on {os.cpu_count()} cores) against the best-known value"
    )
    header = (
        f"{'instance':<20} {'n':>4} {'groups':>6} {'best-known':>12} "
        f"{f'ours {seconds:g} s':>12} {'gap':>7}"
    )
    print(header)
    print("-" * len(header))
    gaps = []
    for path in paths:
        instance = read_mdgplib(path)
        groups = solve_mdgp(
            instance.distance,
            instance.group_sizes,
            seed=1,
            time_limit=seconds,
            clock=time.process_time,
        )
        ours = mdgp_value(instance.distance, groups)
        best = known.get(instance.name)
        if best:
            gaps.append(100 * (best - ours) / best)
            shown = f"{best:>12.2f} {ours:>12.2f} {gaps[-1]:>6.2f}%"
        else:
            shown = f"{'-':>12} {ours:>12.2f} {'-':>7}"
        print(f"{instance.name:<20} {instance.n:>4} {len(instance.group_sizes):>6} {shown}")
    if gaps:
        print(f"{'mean gap':<20} {'':>4} {'':>6} {'':>12} {'':>12} {np.mean(gaps):>6.2f}%")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed per table, 2 s MDGP runs")
    parser.add_argument("--mdgp", action="store_true", help="only the MDGPLIB table")
    parser.add_argument(
        "--instances",
        type=Path,
        default=Path(__file__).resolve().parent / "mdgplib",
        help="directory of MDGPLIB instances (default: bench/mdgplib, the 24 of the table)",
    )
    parser.add_argument("--seconds", type=float, default=None, help="per MDGP instance")
    parser.add_argument(
        "--only",
        default=None,
        metavar="PATTERN",
        help="only the MDGPLIB instances whose name matches PATTERN (e.g. 'RanReal_n480*')",
    )
    parser.add_argument(
        "--product", action="store_true",
        help="only table 5: three rounds of 1,000 participants through the app's own code",
    )
    args = parser.parse_args()
    directory = args.instances
    seconds = args.seconds or (2.0 if args.quick else 10.0)

    if args.product:
        from product_rounds import run  # needs Django: imported only when asked for

        run(args.quick)
        return
    if not args.mdgp:
        bound_table(args.quick)
        randomness_table(args.quick)
        rounds_table(args.quick)
    mdgp_table(directory, seconds, args.only)


if __name__ == "__main__":
    main()
