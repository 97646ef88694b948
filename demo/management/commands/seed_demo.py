import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from objectives import clock
from objectives.models import Objective, Plan
from risks import services as risks


class Command(BaseCommand):
    help = (
        "Build the demo organisation (small, with the demo users lead/director/admin, password "
        "'demo') or benchmark scale (large). Refuses when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same data)"
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when objectives already exist"
        )

    def handle(self, *args, size, seed, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with the password 'demo'; it refuses to run with DEBUG "
                "off. Use --force only on a throwaway database."
            )
        if Objective.objects.exists():
            if if_empty:
                self.stdout.write("Objectives already exist; demo data not added.")
                return
            raise CommandError(
                "The database already holds objectives; seed_demo only fills an empty database."
            )
        started = time.perf_counter()
        if size == "small":
            from objectives.demo import build_small

            plan = build_small(seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo organisation ready: plan {plan.label}, "
                    f"{plan.objectives.count()} objectives. Sign in as lead, director or admin "
                    "(password 'demo')."
                )
            )
        else:
            from objectives.demo_large import build_large

            counts = build_large(seed=seed, stdout=self.stdout)
            summary = ", ".join(
                f"{value:,} {key.replace('_', ' ')}" for key, value in counts.items()
            )
            self.stdout.write(self.style.SUCCESS(f"Large organisation ready: {summary}."))
        refresh_statistics()
        today = clock.today()
        # The findings' history, month end by month end; at benchmark scale the last two only.
        for plan in Plan.objects.all():
            months = risks.replay(plan, today=today, months=None if size == "small" else 2)
            self.stdout.write(
                f"Findings for {plan.label} evaluated at {months} month ends and today."
            )
        refresh_statistics()  # again, for the findings' tables
        self.stdout.write(f"Took {time.perf_counter() - started:.1f} s.")


def refresh_statistics() -> None:
    """Tell the query planner what was just loaded. Until autovacuum gets round to it (minutes),
    PostgreSQL plans the big tables as if they were empty: loading a few objectives' updates
    scanned all 100,000 (11 ms instead of 1 ms). VACUUM also marks the pages all-visible, so
    counts are answered from the indexes. Not inside a transaction (a test's), where VACUUM may
    not run."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
