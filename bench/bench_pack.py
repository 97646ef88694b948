"""How fast the review pack builds at benchmark scale, against WeasyPrint printing its HTML twin.

    python bench/bench_pack.py [--db /tmp/bench-pack.sqlite3] [--no-weasyprint]

Uses (and on first run creates: migrate + ``seed_demo --size large``, about 15 s) a SQLite database
of its own, then a day with 50 objectives in focus and one with 500, each with every objective of
its participating teams in the appendix. Each build runs in a fresh subprocess so its peak memory
(``ru_maxrss``, the whole process: Python, Django, data and PDF) is its own. In the same run,
WeasyPrint prints the same day's HTML twin (templates/reviews/pack.html with static/css/pack.css)
to PDF: the floor this is compared with. Goals: 500 objectives ≤ 8 s and ≤ 150 MiB, 50 objectives
≤ 1 s, and ≥ 10× faster than WeasyPrint.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {50: (1.0, None), 500: (8.0, 150.0)}
RATIO_GOAL = 10.0


def setup(db: str):
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_data(db: str) -> dict[int, int]:
    """{objectives in focus: day id}, creating the database and the days when missing."""
    from django.core.management import call_command

    from objectives.models import Objective

    call_command("migrate", verbosity=0)
    if not Objective.objects.exists():
        print("Building the large organisation (seed_demo --size large)…", flush=True)
        call_command("seed_demo", size="large", force=True)
    return {n: bench_day(n) for n in GOALS}


def bench_day(n: int) -> int:
    import datetime as dt

    from django.db.models import Count, Q

    from objectives.models import Objective, Plan, Team
    from reviews.models import CollaborationDay, FocusObjective

    title = f"Benchmark: {n} objectives in focus"
    existing = CollaborationDay.objects.filter(title=title).first()
    if existing:
        return existing.pk
    plan = Plan.objects.get(label="2024/25")
    teams = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    k = 10
    while True:  # the fewest teams (in tens) that share at least n objectives
        chosen = teams[:k]
        shared = list(
            Objective.objects.filter(plan=plan, is_shared=True)
            .annotate(p=Count("contributions", filter=Q(contributions__team_id__in=chosen)))
            .filter(p__gte=2)
            .order_by("ref")
            .values_list("pk", flat=True)
        )
        if len(shared) >= n or k >= len(teams):
            break
        k += 10
    day = CollaborationDay.objects.create(title=title, date=dt.date(2024, 11, 28), plan=plan)
    day.teams.set(chosen)
    FocusObjective.objects.bulk_create(
        FocusObjective(day=day, objective_id=pk, position=i)
        for i, pk in enumerate(shared[:n], start=1)
    )
    return day.pk


def child(mode: str, day_id: int) -> dict:
    """Runs in a subprocess: build once, report seconds, pages and peak memory."""
    import datetime as dt
    import io
    import resource

    from django.utils import timezone

    from reviews.models import CollaborationDay

    day = CollaborationDay.objects.get(pk=day_id)
    as_at = timezone.make_aware(dt.datetime(2024, 11, 15, 9, 0))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if mode == "reportlab":
        from reviews.pdf import build_pack, register_fonts

        register_fonts()  # once per process in real life too
        started = time.perf_counter()
        data = build_pack(day, as_at=as_at)
        seconds = time.perf_counter() - started
    else:
        from django.template.loader import render_to_string
        from weasyprint import CSS, HTML

        from reviews import web
        from reviews.pack import load

        started = time.perf_counter()
        html = render_to_string("reviews/pack.html", web.pack_context(load(day, as_at=as_at)))
        data = HTML(string=html, base_url=str(ROOT)).write_pdf(
            stylesheets=[CSS(filename=str(ROOT / "static/css/pack.css"))]
        )
        seconds = time.perf_counter() - started
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "pages": pages, "peak_mib": peak, "start_mib": before}


def run_child(db: str, mode: str, day_id: int, timeout: int) -> dict | None:
    command = [sys.executable, __file__, "--db", db, "--child", mode, str(day_id)]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    except subprocess.CalledProcessError as error:
        print(error.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench-pack-large.sqlite3")
    parser.add_argument("--no-weasyprint", action="store_true")
    parser.add_argument("--weasyprint-timeout", type=int, default=900)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DAY"))
    args = parser.parse_args()
    setup(args.db)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    days = ensure_data(args.db)
    try:
        import weasyprint  # noqa: F401

        weasy = not args.no_weasyprint
    except ImportError:
        weasy = False
        print("WeasyPrint is not installed (pip install -e '.[bench]'): no floor measured.")
    ok = True
    for n, day_id in days.items():
        result = run_child(args.db, "reportlab", day_id, 600)
        if result is None:
            return 1
        rate = result["pages"] / result["seconds"]
        seconds_goal, memory_goal = GOALS[n]
        print(
            f"{n} objectives: {result['seconds']:.2f} s, {result['pages']} pages, "
            f"{rate:.0f} pages/s, peak {result['peak_mib']:.0f} MiB "
            f"(process before building: {result['start_mib']:.0f} MiB); "
            f"goal ≤ {seconds_goal:g} s" + (f", ≤ {memory_goal:g} MiB" if memory_goal else "")
        )
        ok &= result["seconds"] <= seconds_goal
        if memory_goal:
            ok &= result["peak_mib"] <= memory_goal
        if weasy:
            floor = run_child(args.db, "weasyprint", day_id, args.weasyprint_timeout)
            if floor is None:
                print("  WeasyPrint failed (see above)")
            elif "timeout" in floor:
                print(
                    f"  WeasyPrint: still printing after {floor['timeout']} s; ratio > "
                    f"{floor['timeout'] / result['seconds']:.0f}×"
                )
            else:
                ratio = floor["seconds"] / result["seconds"]
                print(
                    f"  WeasyPrint, same day's HTML twin: {floor['seconds']:.2f} s, "
                    f"{floor['pages']} pages, peak {floor['peak_mib']:.0f} MiB; "
                    f"reportlab is {ratio:.1f}× faster (goal ≥ {RATIO_GOAL:g}×)"
                )
                ok &= ratio >= RATIO_GOAL
    print("All goals met." if ok else "Some goals missed.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
