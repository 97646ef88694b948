"""How fast the review pack builds at benchmark scale, against WeasyPrint printing its HTML twin.

    python bench/bench_pack.py [--db /tmp/bench-pack.sqlite3] [--no-weasyprint]

Uses (and on first run creates: migrate + ``seed_demo --size large``, about 15–40 s) a SQLite
database of its own, then a day with 50 objectives in focus and one with 500, each with every
objective of its participating teams in the appendix. Each build runs in a fresh subprocess, three
times (the median is reported, wall clock and CPU), so its memory is its own: the peak RSS of the
whole process (VmHWM: Python, Django, reportlab, fonts, data and PDF), how much of it came while
building, and, in one more run, tracemalloc's peak of Python allocations. The goal is judged on
the whole process's peak RSS. In the same run, WeasyPrint prints the same day's HTML twin
(templates/reviews/pack.html with static/css/pack.css) to PDF: the floor this is compared with;
a WeasyPrint run still going after ``--weasyprint-timeout`` seconds (180) is stopped and said so.
Goals (issue 16, user-facing: packs are cached, so each version is built once): 50 objectives
≤ 2 s, 500 objectives ≤ 20 s and ≤ 150 MiB, and ≥ 10× faster than WeasyPrint.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {50: (2.0, None), 500: (20.0, 150.0)}
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


def _status_mib(field: str) -> float:
    """A VmRSS/VmHWM line of /proc/self/status in MiB. VmHWM is this process's own high-water
    mark; ru_maxrss is not: Linux carries the parent's RSS at fork() into the child's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, day_id: int, trace: bool) -> dict:
    """Runs in a fresh subprocess: build once, report seconds, pages and peak memory.

    What a long-running process does once, not per pack, is done before timing: DejaVu Sans is
    registered and Django's URL patterns are loaded (the pack's cover links to its web version).
    """
    import datetime as dt
    import io
    import tracemalloc

    from django.urls import get_resolver
    from django.utils import timezone

    from reviews.models import CollaborationDay

    day = CollaborationDay.objects.get(pk=day_id)
    as_at = timezone.make_aware(dt.datetime(2024, 11, 15, 9, 0))
    get_resolver().url_patterns  # noqa: B018 – loads every URL module, once per process
    if mode == "reportlab":
        from reviews.pdf import build_pack, register_fonts

        register_fonts()
    else:
        from django.template.loader import render_to_string
        from weasyprint import CSS, HTML

        from reviews import web
        from reviews.pack import load
    before = _status_mib("VmRSS")
    if trace:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "reportlab":
        data = build_pack(day, as_at=as_at)
    else:
        html = render_to_string("reviews/pack.html", web.pack_context(load(day, as_at=as_at)))
        data = HTML(string=html, base_url=str(ROOT)).write_pdf(
            stylesheets=[CSS(filename=str(ROOT / "static/css/pack.css"))]
        )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    peak = _status_mib("VmHWM")
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "pages": pages,
        "peak_mib": peak,
        "start_mib": before,
        "traced_mib": traced,
    }


def run_child(db: str, mode: str, day_id: int, timeout: int, trace=False) -> dict | None:
    command = [sys.executable, __file__, "--db", db, "--child", mode, str(day_id)]
    if trace:
        command.append("--trace")
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    except subprocess.CalledProcessError as error:
        print(error.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_text() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench-pack-large.sqlite3")
    parser.add_argument("--no-weasyprint", action="store_true")
    parser.add_argument("--weasyprint-timeout", type=int, default=180)
    parser.add_argument("--runs", type=int, default=3, help="reportlab builds per day (median)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DAY"))
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    setup(args.db)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.trace)))
        return 0
    days = ensure_data(args.db)
    try:
        import weasyprint  # noqa: F401

        weasy = not args.no_weasyprint
    except ImportError:
        weasy = False
        print("WeasyPrint is not installed (pip install -e '.[bench]'): no floor measured.")
    print(f"Machine: {load_text()} at the start.")
    ok = True
    for n, day_id in days.items():
        runs = [run_child(args.db, "reportlab", day_id, 600) for _ in range(args.runs)]
        traced = run_child(args.db, "reportlab", day_id, 600, trace=True)
        if any(r is None for r in runs) or traced is None:
            return 1
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = max(r["peak_mib"] for r in runs)
        start = statistics.median(r["start_mib"] for r in runs)
        pages = runs[0]["pages"]
        seconds_goal, memory_goal = GOALS[n]
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(
            f"{n} objectives: {seconds:.2f} s (median of {len(runs)}: "
            f"{each}; {cpu:.2f} s CPU), "
            f"{pages} pages, {pages / seconds:.0f} pages/s; goal ≤ {seconds_goal:g} s"
        )
        print(
            f"  memory: peak RSS {peak:.0f} MiB (the whole process), {peak - start:.0f} MiB over "
            f"the {start:.0f} MiB it held before building; tracemalloc peak "
            f"{traced['traced_mib']:.1f} MiB"
            + (f"; goal ≤ {memory_goal:g} MiB peak RSS" if memory_goal else "")
        )
        ok &= seconds <= seconds_goal
        if memory_goal:
            ok &= peak <= memory_goal
        if weasy:
            floor = run_child(args.db, "weasyprint", day_id, args.weasyprint_timeout)
            if floor is None:
                print("  WeasyPrint failed (see above)")
                ok = False
            elif "timeout" in floor:
                print(
                    f"  WeasyPrint, same day's HTML twin: did not finish within "
                    f"{floor['timeout']} s (stopped); reportlab is more than "
                    f"{floor['timeout'] / seconds:.0f}× faster (goal ≥ {RATIO_GOAL:g}×)"
                )
                ok &= floor["timeout"] / seconds >= RATIO_GOAL
            else:
                ratio = floor["seconds"] / seconds
                print(
                    f"  WeasyPrint, same day's HTML twin: {floor['seconds']:.2f} s "
                    f"({floor['cpu']:.2f} s CPU), {floor['pages']} pages, peak RSS "
                    f"{floor['peak_mib']:.0f} MiB; reportlab is {ratio:.1f}× faster "
                    f"(goal ≥ {RATIO_GOAL:g}×)"
                )
                ok &= ratio >= RATIO_GOAL
    print(f"Machine: {load_text()} at the end.")
    print("All goals met." if ok else "Some goals missed.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
