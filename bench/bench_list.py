"""How long the objectives list page takes to render, against a floor of a plain template.

    .venv/bin/python bench/bench_list.py [--db /tmp/shared-objectives-bench-large.sqlite3]
                                         [--repeats 50] [--user director]

`--db` names a SQLite file for the benchmark-scale organisation (`seed_demo --size large`: 5,000
objectives, 2,000 of them shared, 500 teams). When the file is missing or holds no objectives
the script migrates it and seeds it (about 15 s); later runs reuse it. The repo's own db.sqlite3
is never touched.

The page: `objectives.views.browse.objective_list` called through RequestFactory (50 rows, all
filters off: the default plan, sorted by ref), with its filter form, django-tables2 table, base
layout and every query it makes. The floor, in the same run: one query fetching the same 50 rows
with the same columns (ref, title, lead team, every team's current rating, worst rating, state,
delivery date) rendered by a plain Django template loop that includes includes/rating.html for each
rating. Both are timed alternately, medians compared. Goal: ratio ≤ 1.5.

Times are CPU time of this process (time.process_time: SQLite runs in-process, so queries count),
because the machine's two cores are shared and wall-clock medians swing with whatever else runs;
wall-clock medians are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "/tmp/shared-objectives-bench-large.sqlite3"
RATIO_GOAL = 1.5
ROWS = 50

FLOOR_TEMPLATE = """<table class="nhsuk-table">
<thead><tr><th>Ref</th><th>Objective</th><th>Lead team</th><th>Each team's current view</th>
<th>Worst current rating</th><th>State</th><th>Delivery</th></tr></thead>
<tbody>
{% for row in rows %}<tr>
<td>{{ row.ref }}</td>
<td><a href="/objectives/{{ row.pk }}/">{{ row.title }}</a></td>
<td>{{ row.lead_team }}</td>
<td><ul>{% for team, lead, rating in row.teams %}<li>{% include "includes/rating.html" %}\
<span>{{ team }}{% if lead %} (lead){% endif %}</span></li>{% endfor %}</ul></td>
<td>{% include "includes/rating.html" with rating=row.worst_rating %}</td>
<td>{{ row.state }}</td>
<td>{{ row.delivery_date|date:"j M Y"|default:"Not set" }}</td>
</tr>{% endfor %}
</tbody></table>"""


def setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    from objectives.models import Objective

    call_command("migrate", verbosity=0)
    if not Objective.objects.exists():
        print(f"seeding the large organisation into {db} (once) ...", flush=True)
        call_command("seed_demo", size="large")


def page_renderer(username: str):
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django_htmx.middleware import HtmxDetails

    from objectives.views.browse import objective_list

    user = get_user_model().objects.get(username=username)
    factory = RequestFactory()

    def render_page() -> bytes:
        request = factory.get("/objectives/")
        user.__dict__.pop("_perm_cache", None)  # permission answers are per request
        request.user = user
        request.htmx = HtmxDetails(request)
        response = objective_list(request)
        assert response.status_code == 200
        return response.content

    return render_page


def floor_renderer():
    from django.template import engines

    from objectives.filters import default_plan
    from objectives.models import Contribution, ContributionRole, Objective, Plan, State

    template = engines["django"].from_string(FLOOR_TEMPLATE)
    plan = default_plan(Plan.objects.all())
    states = dict(State.choices)

    def render_floor() -> bytes:
        first_rows = Objective.objects.filter(plan=plan).order_by("ref").values("pk")[:ROWS]
        cursor = (
            Contribution.objects.filter(objective_id__in=first_rows)
            .order_by("objective__ref", "-role", "team__name")
            .values_list(
                "objective_id",
                "objective__ref",
                "objective__title",
                "objective__lead_team__name",
                "objective__worst_rating",
                "objective__state",
                "objective__delivery_date",
                "team__name",
                "role",
                "latest_update__rating",
            )
        )
        rows: dict[int, dict] = {}
        for pk, ref, title, lead, worst, state, delivery, team, role, rating in cursor:
            row = rows.get(pk)
            if row is None:
                row = rows[pk] = {
                    "pk": pk,
                    "ref": ref,
                    "title": title,
                    "lead_team": lead,
                    "worst_rating": worst,
                    "state": states.get(state, state),
                    "delivery_date": delivery,
                    "teams": [],
                }
            row["teams"].append((team, role == ContributionRole.LEAD, rating))
        assert len(rows) == ROWS
        return template.render({"rows": list(rows.values())}).encode()

    return render_floor


def timed(fn) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--user", default="director", help="who views the page")
    args = parser.parse_args(argv)

    setup(args.db)
    render_page, render_floor = page_renderer(args.user), floor_renderer()

    page_html = render_page()
    rows_on_page = page_html.count(b'<tr class="nhsuk-table__row">') - 1
    for _ in range(3):  # warm up template caches and the database
        render_page()
        render_floor()
    page_times, floor_times = [], []
    for _ in range(args.repeats):
        floor_times.append(timed(render_floor))
        page_times.append(timed(render_page))
    page_s = statistics.median(cpu for cpu, _ in page_times)
    floor_s = statistics.median(cpu for cpu, _ in floor_times)
    page_wall = statistics.median(wall for _, wall in page_times)
    floor_wall = statistics.median(wall for _, wall in floor_times)
    ratio = page_s / floor_s

    print(f"database               {args.db}")
    print(f"rows on the page       {rows_on_page}")
    print(f"repeats                {args.repeats}")
    print(f"floor median ms        {floor_s * 1000:.2f} CPU ({floor_wall * 1000:.2f} wall)")
    print(f"page median ms         {page_s * 1000:.2f} CPU ({page_wall * 1000:.2f} wall)")
    print(f"ratio page/floor = {ratio:.2f} (goal ≤ {RATIO_GOAL:.2f})")
    return 0 if ratio <= RATIO_GOAL else 2


if __name__ == "__main__":
    sys.exit(main())
