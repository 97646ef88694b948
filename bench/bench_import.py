"""How long a 5,000-objective business plan takes to import, against openpyxl just reading it.

    python bench/bench_import.py [--objectives 5000 --milestones-each 3 --repeats 3 --seed 1]

Builds a throwaway SQLite database (in a temporary folder) with 50 directorates, 500 teams and
500 people, then generates an XLSX in the template's shape: 5,000 objectives (lead team, up to two
contributing teams with commitments, owner email, delivery date, priority, state, dependencies and
an initial RAG rating, so the lead teams' first-month status updates are written too) and 15,000
milestones. Each import goes into a new, empty plan, run as an administrator.

The floor is openpyxl reading the same file in read-only mode and touching every cell
(`iter_rows(values_only=True)` over every sheet): the least any importer of that file must do. The
full run is `plan_import.import_plan()`: read, parse every cell, match, validate, and write
everything in one transaction. Floor and import alternate; medians are compared. CPU time is
printed too,
since wall time on a shared machine also counts other people's work.
Goals: ratio ≤ 3.00 and the import under 10 seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATIO_GOAL = 3.00
TOTAL_GOAL = 10.0


def setup_django(folder: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench-import.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["TODAY"] = ""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def organisation(rng: random.Random):
    from django.contrib.auth import get_user_model

    from objectives.models import Directorate, Team

    directorates = Directorate.objects.bulk_create(
        Directorate(name=f"Directorate {n}", code=f"D{n:02d}") for n in range(50)
    )
    teams = Team.objects.bulk_create(
        Team(name=f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} team {n}", directorate=d)
        for n, d in enumerate(directorates * 10)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"person{n}", email=f"person{n}@example.nhs.uk", is_superuser=n == 0
        )
        for n in range(500)
    )
    return teams, users


RATINGS = ["Green", "Amber/Green", "Amber", "Amber/Red", "Red"]
WORDS = ["Digital", "Urgent", "Primary", "Elective", "Workforce", "Policy", "Data", "Maternity"]


def workbook(teams, users, *, objectives: int, milestones_each: int, seed: int) -> bytes:
    from objectives.importing.template import write_workbook

    rng = random.Random(seed)
    objective_rows, milestone_rows = [], []
    states = ["Not started", "In progress", "In progress", "Paused"]
    for n in range(objectives):
        ref = f"OBJ-{n:05d}"
        lead, *others = rng.sample(teams, 1 + rng.randint(0, 2))
        depends = [f"OBJ-{rng.randrange(n):05d}"] if n > 10 and rng.random() < 0.2 else []
        objective_rows.append(
            [
                ref,
                f"Objective {n}: improve {rng.choice(WORDS).lower()} services for patients",
                "Scope, approach and what is out of scope. " * rng.randint(1, 4),
                lead.name,
                "; ".join(f"{t.name}: provide {rng.choice(WORDS).lower()} input" for t in others),
                rng.choice(users).email,
                dt.date(2031, 3, 31) - dt.timedelta(days=rng.randrange(300)),
                rng.choice(["High", "Medium", "Low"]),
                rng.choice(states),
                "Integrated care boards; patients",
                "Callers reach the right service first time",
                "; ".join(depends),
                rng.choice(RATINGS),
            ]
        )
        for m in range(milestones_each):
            due = dt.date(2030, 4, 30) + dt.timedelta(days=90 * m + rng.randrange(60))
            milestone_rows.append([ref, f"Milestone {m + 1}", due, lead.name, None])
    return write_workbook({"Objectives": objective_rows, "Milestones": milestone_rows})


def floor(data: bytes) -> tuple[float, float]:
    import openpyxl

    started, cpu = time.perf_counter(), time.process_time()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    book.close()
    return time.perf_counter() - started, time.process_time() - cpu


def full(data: bytes, label: str, user) -> tuple[float, float, str]:
    from objectives.importing import plan_import

    started, cpu = time.perf_counter(), time.process_time()
    preview = plan_import.import_plan(data, plan_label=label, user=user, name="bench.xlsx")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert preview.ok, preview.refusal or preview.problems[:3]
    return elapsed, cpu, preview.summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=5000)
    parser.add_argument("--milestones-each", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        from objectives.models import Objective, StatusUpdate

        rng = random.Random(args.seed)
        teams, users = organisation(rng)
        data = workbook(
            teams,
            users,
            objectives=args.objectives,
            milestones_each=args.milestones_each,
            seed=args.seed,
        )
        print(
            f"file: {len(data) / 1024 / 1024:.1f} MB, {args.objectives:,} objectives, "
            f"{args.objectives * args.milestones_each:,} milestones"
        )
        floors, fulls, floor_cpus, full_cpus = [], [], [], []
        for repeat in range(args.repeats):
            wall, cpu = floor(data)
            floors.append(wall)
            floor_cpus.append(cpu)
            label = f"{2030 + repeat}/{(31 + repeat) % 100:02d}"
            elapsed, cpu, summary = full(data, label, users[0])
            fulls.append(elapsed)
            full_cpus.append(cpu)
            print(f"run {repeat + 1}: floor {floors[-1]:.2f} s, import {elapsed:.2f} s ({summary})")
        assert Objective.objects.count() == args.objectives * args.repeats
        assert StatusUpdate.objects.count() == args.objectives * args.repeats
        floor_s, full_s = statistics.median(floors), statistics.median(fulls)
        floor_cpu, full_cpu = statistics.median(floor_cpus), statistics.median(full_cpus)
        ratio = full_s / floor_s
        print(f"floor (openpyxl read-only, every cell): {floor_s:.2f} s ({floor_cpu:.2f} s CPU)")
        print(f"import (read, validate, write):         {full_s:.2f} s ({full_cpu:.2f} s CPU)")
        print(
            f"ratio: {ratio:.2f} wall, {full_cpu / floor_cpu:.2f} CPU (goal ≤ {RATIO_GOAL:.2f}); "
            f"import goal < {TOTAL_GOAL:.0f} s"
        )
        ok = ratio <= RATIO_GOAL and full_s < TOTAL_GOAL
        print("PASS" if ok else "MISS")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
