"""How long the risk rules take over a whole plan, and the risk pages, against floors.

    .venv/bin/python bench/bench_risk.py [--db /tmp/shared-objectives-bench-large.sqlite3]
                                         [--repeats 7] [--page-repeats 7]
                                         [--users director,admin] [--lead lead000]

`--db` names a SQLite file for the benchmark-scale organisation (`seed_demo --size large`: 5,000
objectives, 2,000 of them shared, 500 teams, 126,000 status updates, 60,000 readings). When the
file is missing or holds no objectives the script migrates and seeds it (about 15 s); later runs
reuse it. The repo's own db.sqlite3 is never touched. "Today" is 15 November 2024, as in the demo.

1. Evaluate every objective of the plan: `risk_loader.evaluate(plan)` (its queries, building the
   rules' facts, control charts for 5,000 measures, the ten rules, acknowledgements, sorting).
   Floor, in the same run: the loader's own queries alone, replayed on a cursor and fetched.
   Goals: the rules add no more than the load (total ≤ 2 × floor) and the total is under 2 s.
2. The dashboard page (`views.risks.dashboard` through RequestFactory, as each of `--users`; a
   director sees the objectives of the directorates they oversee, an admin all 5,000), three ways:
   cold (nothing cached: the plan evaluated whole, now and as of the last month end), patched (a
   status update was just added: that objective and those depending on it evaluated again, in a
   transaction rolled back afterwards) and warm (the cached evaluation: one query, then filtering,
   the heatmap and 50 rows). Floor: the same 50 rows' ref, title, lead team and every team's
   current rating fetched with one query and rendered by a plain template loop.
3. My work's flags for `--lead` (`views.risks.my_work_flags`, the htmx answer), with the plan's
   evaluation cached and without (just the lead's objectives evaluated).

Times are CPU time of this process (SQLite runs in-process, so queries count), because the
machine's two cores are shared and wall-clock medians swing with whatever else runs; wall-clock
medians are printed too. Each measurement alternates with its floor; medians are compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "/tmp/shared-objectives-bench-large.sqlite3"
TODAY = dt.date(2024, 11, 15)
RATIO_GOAL = 2.0
TOTAL_GOAL = 2.0

FLOOR_TEMPLATE = """<table class="nhsuk-table">
<thead><tr><th>Ref</th><th>Objective</th><th>Lead team</th><th>Each team's view</th></tr></thead>
<tbody>
{% for row in rows %}<tr>
<td><a href="/objectives/{{ row.pk }}/">{{ row.ref }}</a></td>
<td>{{ row.title }}</td>
<td>{{ row.lead_team }}</td>
<td><ul>{% for team, rating in row.teams %}<li>{{ team }} {% include "includes/rating.html" %}\
</li>{% endfor %}</ul></td>
</tr>{% endfor %}
</tbody></table>"""


def setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["TODAY"] = TODAY.isoformat()
    import django

    django.setup()
    from django.core.management import call_command

    from objectives.models import Objective

    call_command("migrate", verbosity=0)
    if not Objective.objects.exists():
        print(f"seeding the large organisation into {db} (once) ...", flush=True)
        call_command("seed_demo", size="large")


def timed(fn) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for one call, with a full collection beforehand so that each
    run starts from the same heap."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def medians(runs) -> tuple[float, float]:
    return statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs)


# --- 1. evaluating the plan ----------------------------------------------------------------------


def recorded_queries(plan):
    """The loader's queries, as (sql, params), captured from one real load."""
    from django.db import connection

    from objectives import risk_loader

    queries = []

    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        risk_loader.load(plan, today=TODAY)
    return queries


def bench_evaluate(plan, repeats: int) -> dict:
    from django.db import connection

    from objectives import risk_loader

    queries = recorded_queries(plan)

    def floor():
        with connection.cursor() as cursor:
            for sql, params in queries:
                cursor.execute(sql, params)
                cursor.fetchall()

    def load_only():
        with risk_loader._collector_paused():
            risk_loader.load(plan, today=TODAY)

    def evaluate():
        return risk_loader.evaluate(plan, today=TODAY)

    results = evaluate()
    for _ in range(2):  # warm up
        floor()
        evaluate()
    floor_runs, load_runs, total_runs = [], [], []
    for _ in range(repeats):
        floor_runs.append(timed(floor))
        load_runs.append(timed(load_only))
        total_runs.append(timed(evaluate))
    return {
        "queries": len(queries),
        "objectives": len(results),
        "flagged": sum(1 for r in results if r.flags),
        "flags": sum(len(r.flags) for r in results),
        "floor": medians(floor_runs),
        "load": medians(load_runs),
        "total": medians(total_runs),
    }


# --- 2. the dashboard page -----------------------------------------------------------------------


def _request(path: str, user, *, htmx: bool = False):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory
    from django_htmx.middleware import HtmxDetails

    headers = {"HX-Request": "true"} if htmx else {}
    request = RequestFactory().get(path, headers=headers)
    user.__dict__.pop("_perm_cache", None)  # permission answers are per request
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.htmx = HtmxDetails(request)
    return request


def bench_dashboard(username: str, repeats: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.template import engines
    from django.test.utils import CaptureQueriesContext

    from objectives import risk_cache, services
    from objectives.models import Contribution, Period
    from objectives.views.risks import dashboard

    user = get_user_model().objects.get(username=username)

    def render_page() -> bytes:
        response = dashboard(_request("/risks/", user))
        assert response.status_code == 200
        return response.content

    def cold() -> bytes:
        risk_cache.clear()
        return render_page()

    # A contribution to give a new update to, and its plan's current period.
    target = (
        Contribution.objects.filter(objective__plan__status="agreed")
        .select_related("objective__plan", "team")
        .order_by("pk")
        .first()
    )
    period = Period.objects.get(
        plan=target.objective.plan, start_date__lte=TODAY, end_date__gte=TODAY
    )
    author = get_user_model().objects.order_by("pk").first()

    class Rollback(Exception):
        pass

    def patched() -> bytes:
        # The cached evaluation as it was, so each run patches the same one update in.
        kept = dict(risk_cache._local), dict(risk_cache._local_pointers)
        try:
            with transaction.atomic():
                services.record_status(
                    contribution=target,
                    period=period,
                    rating="red",
                    author=author,
                    going_well="Benchmark",
                    not_going_well="Benchmark",
                    lock_override=True,
                )
                html = render_page()
                raise Rollback
        except Rollback:
            pass
        risk_cache._local.clear()
        risk_cache._local_pointers.clear()
        risk_cache._local.update(kept[0])
        risk_cache._local_pointers.update(kept[1])
        return html

    with CaptureQueriesContext(connection) as captured:
        page_html = cold()
    cold_queries = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        render_page()
    warm_queries = len(captured.captured_queries)
    # The floor lists the same objectives as the page.
    shown = [int(pk) for pk in re.findall(rb'id="risk-row-(\d+)"', page_html)]

    template = engines["django"].from_string(FLOOR_TEMPLATE)

    def render_floor() -> bytes:
        rows: dict[int, dict] = dict.fromkeys(shown)
        for pk, ref, title, lead, team, rating in (
            Contribution.objects.filter(objective_id__in=shown)
            .order_by("objective_id", "-role", "team__name")
            .values_list(
                "objective_id",
                "objective__ref",
                "objective__title",
                "objective__lead_team__name",
                "team__name",
                "latest_update__rating",
            )
        ):
            row = rows[pk]
            if row is None:
                row = rows[pk] = {"pk": pk, "ref": ref, "title": title, "lead_team": lead}
                row["teams"] = []
            row["teams"].append((team, rating))
        return template.render({"rows": [r for r in rows.values() if r]}).encode()

    render_page()
    for _ in range(2):
        render_page()
        patched()
        render_floor()
    warm_runs, patched_runs, floor_runs, cold_runs = [], [], [], []
    for _ in range(repeats):
        floor_runs.append(timed(render_floor))
        warm_runs.append(timed(render_page))
        patched_runs.append(timed(patched))
    for _ in range(max(3, repeats // 2)):
        cold_runs.append(timed(cold))
    render_page()  # leave it cached for what follows
    return {
        "user": username,
        "rows": len(shown),
        "bytes": len(page_html),
        "cold_queries": cold_queries,
        "warm_queries": warm_queries,
        "cold": medians(cold_runs),
        "patched": medians(patched_runs),
        "warm": medians(warm_runs),
        "floor": medians(floor_runs),
    }


# --- 3. My work's flags --------------------------------------------------------------------------


def bench_my_work_flags(username: str, repeats: int) -> dict:
    from django.contrib.auth import get_user_model

    from objectives import risk_cache
    from objectives.views.risks import my_work_flags

    user = get_user_model().objects.get(username=username)

    def render() -> bytes:
        response = my_work_flags(_request("/risks/my-work/", user, htmx=True))
        assert response.status_code == 200
        return response.content

    def uncached() -> bytes:
        risk_cache.clear()
        return render()

    from objectives.models import Plan

    plan = Plan.objects.filter(status="agreed").order_by("-start_date").first()
    html = uncached()
    cached_runs, uncached_runs = [], []
    for _ in range(repeats):
        uncached_runs.append(timed(uncached))
        risk_cache.plan_evaluation(plan, today=TODAY)
        render()
        cached_runs.append(timed(render))
    return {
        "user": username,
        "rows": html.count(b"hx-swap-oob"),
        "cached": medians(cached_runs),
        "uncached": medians(uncached_runs),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--page-repeats", type=int, default=7)
    parser.add_argument(
        "--users", default="director,admin", help="who views the dashboard, comma-separated"
    )
    parser.add_argument("--lead", default="lead000", help="whose My work flags to render")
    args = parser.parse_args(argv)

    setup(args.db)
    from objectives.models import Plan

    print(f"load average             {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    plan = Plan.objects.order_by("-start_date").first()
    e = bench_evaluate(plan, args.repeats)
    floor_cpu, floor_wall = e["floor"]
    load_cpu, load_wall = e["load"]
    total_cpu, total_wall = e["total"]
    ratio = total_cpu / floor_cpu
    print(f"database                 {args.db}")
    print(f"today                    {TODAY:%d %B %Y}")
    print(
        f"objectives               {e['objectives']:,} ({e['flagged']:,} flagged, "
        f"{e['flags']:,} flags)"
    )
    print(f"loader queries           {e['queries']}")
    print(f"repeats                  {args.repeats}")
    print(f"floor (queries) ms       {floor_cpu * 1000:.0f} CPU ({floor_wall * 1000:.0f} wall)")
    print(f"load ms                  {load_cpu * 1000:.0f} CPU ({load_wall * 1000:.0f} wall)")
    print(f"load + rules ms          {total_cpu * 1000:.0f} CPU ({total_wall * 1000:.0f} wall)")
    print(
        f"rules add {(total_cpu - load_cpu) / load_cpu:.2f} × the load; "
        f"ratio total/floor = {ratio:.2f} (goal ≤ {RATIO_GOAL:.2f}); "
        f"total {total_cpu:.2f} s CPU, {total_wall:.2f} s wall (goal < {TOTAL_GOAL:.0f} s)"
    )

    for username in args.users.split(","):
        d = bench_dashboard(username.strip(), args.page_repeats)
        dfloor_cpu, dfloor_wall = d["floor"]
        print()
        print(f"dashboard as             {d['user']} ({d['rows']} rows, {d['bytes']:,} bytes)")
        print(
            f"dashboard queries        {d['cold_queries']} cold, {d['warm_queries']} warm "
            "(the view's own, no session)"
        )
        print(
            f"floor ({d['rows']} rows) ms       {dfloor_cpu * 1000:.1f} CPU "
            f"({dfloor_wall * 1000:.1f} wall)"
        )
        for name in ("warm", "patched", "cold"):
            cpu, wall = d[name]
            print(
                f"dashboard {name:<8} ms     {cpu * 1000:.1f} CPU ({wall * 1000:.1f} wall), "
                f"{cpu / dfloor_cpu:.1f} × the floor"
            )

    f = bench_my_work_flags(args.lead, args.page_repeats)
    print()
    print(f"My work flags for        {f['user']} ({f['rows']} rows, htmx answer)")
    for name in ("cached", "uncached"):
        cpu, wall = f[name]
        print(f"  {name:<8} ms             {cpu * 1000:.1f} CPU ({wall * 1000:.1f} wall)")
    ok = ratio <= RATIO_GOAL and total_cpu < TOTAL_GOAL
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
