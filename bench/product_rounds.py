"""Several rounds on the product path: a workshop of 1,000 participants runs three rounds of
breakouts through the same code a facilitator's clicks run (breakouts/planning.py drafts each
round with the earlier rounds' seats, breakouts/services.py starts it), on a throw-away SQLite
database. Prints, per round: the time to draft the plan and the time to start the round (rooms,
seats, moves, events), repeat pairs, and the similar pairs above the bound per attribute.

    .venv/bin/python bench/assignment.py --product      # or: bench/product_rounds.py
"""

import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 1_000
ROUNDS = 3
ROOM_SIZE = 10


def _django(var_dir):
    os.environ.setdefault("DEBUG", "1")
    os.environ["ROUNDTABLE_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _workshop(seed):
    """Creates a lobby of PEOPLE with skewed departments and locations (as bench table 1)."""
    import numpy as np
    from django.contrib.auth.models import User

    from workshops.models import Participant, Workshop

    rng = np.random.default_rng(seed)
    owner = User.objects.create(username=f"bench{seed}")
    workshop = Workshop.objects.create(
        owner=owner, title="Bench", phase=Workshop.Phase.LOBBY, rounds=ROUNDS,
        room_count=PEOPLE // ROOM_SIZE, target_room_size=None,
    )
    workshop.add_challenge("Bench")
    share = 1 / np.arange(1, 13) ** 1.1
    departments = rng.choice(12, size=PEOPLE, p=share / share.sum())
    locations = rng.choice(7, size=PEOPLE, p=[0.5, 0.2, 0.1, 0.08, 0.06, 0.04, 0.02])
    Participant.objects.bulk_create(
        Participant(workshop=workshop, name=f"P{i:04d}", department=f"dept-{departments[i]}",
                    location=f"loc-{locations[i]}", token=f"bench-{seed}-{i}")
        for i in range(PEOPLE)
    )
    return workshop


def run(quick=False):
    with tempfile.TemporaryDirectory() as var_dir:
        _django(var_dir)
        from breakouts import plan_review, planning, services
        from breakouts.models import Seat
        from workshops.models import Workshop

        print(
            f"5. Product path: {PEOPLE:,} participants (department, location) x {ROUNDS} rounds, "
            f"rooms of {ROOM_SIZE} (planning.draft_new_plan + services.start_breakouts)"
        )
        header = (f"{'seed':>4} {'round':>5} {'draft':>7} {'start':>7} {'repeats':>7} "
                  f"{'department +':>13} {'location +':>13}")
        print(header)
        print("-" * len(header))
        for seed in (1,) if quick else (1, 2, 3):
            workshop = _workshop(seed)
            for number in range(1, ROUNDS + 1):
                workshop = Workshop.objects.get(pk=workshop.pk)
                people = list(workshop.participants.order_by("pk"))
                started = time.perf_counter()
                workshop.draft_plan = planning.draft_new_plan(
                    workshop, people, room_count=PEOPLE // ROOM_SIZE, round_number=number,
                    seed=seed * 10 + number,
                )
                workshop.save(update_fields=["draft_plan"])
                drafted = time.perf_counter()
                view = plan_review.evaluate(workshop, workshop.draft_plan, people)
                services.start_breakouts(workshop)
                done = time.perf_counter()
                # Count the repeats from the stored seats, not from the plan's own figure.
                seats = Seat.objects.rounds_of(workshop)
                now = {
                    frozenset(p) for room in seats[number] for p in itertools.combinations(room, 2)
                }
                before = {
                    frozenset(p) for n in range(1, number) for room in seats[n]
                    for p in itertools.combinations(room, 2)
                }
                gaps = " ".join(
                    f"{view.gap[a]:>6}/{view.lower_bound[a]:<6}" for a in ("department", "location")
                )
                print(f"{seed:>4} {number:>5} {drafted - started:>6.2f}s {done - drafted:>6.2f}s "
                      f"{len(now & before):>7} {gaps}")
                workshop.refresh_from_db()
                workshop.go_to_plenary()
        print()


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
