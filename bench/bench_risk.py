"""The stored findings' user-facing budgets on the benchmark-scale organisation, against floors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_risks .venv/bin/python bench/bench_risk.py

Uses the database DATABASE_URL names (default: a SQLite file in /tmp), seeding the large
organisation once (`seed_demo --size large`: 5,000 objectives, 2,000 shared, 130,000 updates).
"Today" is 15 November 2024, as in the demo. Three budgets (issue 12):

1. A status save and the re-evaluation it triggers (the objective and its dependents, after
   commit): the re-evaluation adds at most 50 ms. Floor: the save alone (`record_status`), in
   the same run. Each run is rolled back.
2. `refresh_risks` over the whole plan: under 30 s. Floor: loading every objective's facts alone
   (`risks.loader.load`), so the ratio shows what judging and storing add.
3. The dashboard as the organisation-wide director: its queries and time. Floor: one query for
   the same 25 rows rendered by a plain template loop.

Medians of wall-clock times over --repeats runs, each measurement alternating with its floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = dt.date(2024, 11, 15)


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/shared-objectives-bench-large.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["TODAY"] = TODAY.isoformat()
    import django

    django.setup()
    from django.core.management import call_command

    from objectives.models import Objective

    call_command("migrate", verbosity=0)
    if not Objective.objects.exists():
        print("seeding the large organisation (once) ...", flush=True)
        call_command("seed_demo", size="large")


def median_ms(fn, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


class Rollback(Exception):
    pass


def bench_save(repeats: int) -> dict:
    from django.db import transaction

    from objectives import services
    from objectives.models import Contribution, Dependency, Period
    from risks import services as risks

    # A shared objective that others depend on: the most a save re-evaluates.
    target = Dependency.objects.filter(depends_on__is_shared=True).first().depends_on
    contribution = Contribution.objects.filter(objective=target).select_related(
        "objective__plan", "team"
    )[0]
    period = Period.objects.get(plan=target.plan, month=8)
    author = contribution.team.members.first()
    ids = risks.with_dependents([target.pk])

    def save(refresh: bool):
        def run():
            try:
                with transaction.atomic():
                    services.record_status(
                        contribution=contribution,
                        period=period,
                        rating="amber_red",
                        author=author,
                        going_well="Bench",
                        not_going_well="Bench",
                        lock_override=True,
                    )
                    if refresh:
                        risks.refresh(ids, today=TODAY)
                    raise Rollback
            except Rollback:
                pass

        return run

    floor, total = [], []
    for _ in range(repeats):
        floor.append(median_ms(save(False), 1))
        total.append(median_ms(save(True), 1))
    return {
        "objectives": len(ids),
        "save": statistics.median(floor),
        "with refresh": statistics.median(total),
    }


def bench_refresh(repeats: int) -> dict:
    from objectives.models import Objective, Plan
    from risks import loader, services

    plan = Plan.objects.get(label="2024/25")
    ids = list(Objective.objects.filter(plan=plan).values_list("pk", flat=True))

    def load_only():
        for start in range(0, len(ids), services.BATCH):
            loader.load(ids[start : start + services.BATCH], today=TODAY)

    floor, total = [], []
    for _ in range(repeats):
        floor.append(median_ms(load_only, 1))
        total.append(median_ms(lambda: services.refresh_plan(plan, today=TODAY), 1))
    return {
        "objectives": len(ids),
        "load": statistics.median(floor),
        "refresh": statistics.median(total),
    }


def bench_dashboard(repeats: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from risks.models import ObjectiveConcern

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    client.get("/risks/")
    floor_template = engines["django"].from_string(
        "<table>{% for row in rows %}<tr><td>{{ row.objective.ref }}</td>"
        "<td>{{ row.objective.title }}</td><td>{{ row.get_level_display }}</td>"
        "<td>{{ row.headline }}</td><td>{% for v in row.views %}{{ v.team }} {{ v.rating }}"
        "{% endfor %}</td></tr>{% endfor %}</table>"
    )

    def floor():
        rows = list(
            ObjectiveConcern.objects.filter(level__gt=0)
            .select_related("objective")
            .order_by("acknowledged", "-level")[:25]
        )
        floor_template.render({"rows": rows})

    with CaptureQueriesContext(connection) as queries:
        client.get("/risks/")
    floor_runs, page_runs = [], []
    for _ in range(repeats):
        floor_runs.append(median_ms(floor, 1))
        page_runs.append(median_ms(lambda: client.get("/risks/"), 1))
    return {
        "queries": len(queries.captured_queries),
        "floor": statistics.median(floor_runs),
        "page": statistics.median(page_runs),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    save = bench_save(args.repeats)
    added = save["with refresh"] - save["save"]
    print(
        f"1. status save: {save['save']:.1f} ms alone, {save['with refresh']:.1f} ms with the "
        f"re-evaluation of {save['objectives']} objectives: adds {added:.1f} ms (budget 50 ms)"
    )
    refresh = bench_refresh(max(1, args.repeats // 2))
    print(
        f"2. refresh_risks, {refresh['objectives']} objectives: {refresh['refresh'] / 1000:.1f} s "
        f"(budget 30 s); loading alone {refresh['load'] / 1000:.1f} s, ratio "
        f"{refresh['refresh'] / refresh['load']:.1f}"
    )
    page = bench_dashboard(args.repeats)
    print(
        f"3. dashboard as admin: {page['page']:.1f} ms, {page['queries']} queries in all; floor "
        f"{page['floor']:.1f} ms, ratio {page['page'] / page['floor']:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
