from django.core.management.base import BaseCommand

from objectives.models import Plan, PlanStatus
from risks import services
from risks.management.commands.evaluate_risks import plan_for


class Command(BaseCommand):
    help = (
        "Re-evaluate the stored findings of every objective in plans not closed (or of --plan): "
        "run daily, since silence, overdue milestones and time pressure change with the date. "
        "Safe to re-run; each objective is stored in its own transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue it as a background job for a worker (manage.py db_worker) instead",
        )
        parser.add_argument("--plan", help="Plan label, e.g. 2024/25 (default: every open plan)")

    def handle(self, *args, plan=None, enqueue=False, **options):
        if enqueue:
            from jobs.tasks import refresh_risks

            if plan:
                plan_for(plan)  # a mistyped label fails here, not later in the worker

            result = refresh_risks.enqueue(plan_label=plan)
            self.stdout.write(f"Queued job {result.id}.")
            return
        plans = [plan_for(plan)] if plan else Plan.objects.exclude(status=PlanStatus.CLOSED)
        for each in plans:
            outcome = services.refresh_plan(each)
            self.stdout.write(
                f"Plan {each.label}: {outcome.evaluated} objectives evaluated, "
                f"{outcome.raised} findings raised, {outcome.resolved} resolved, "
                f"{outcome.level_changes} concern levels changed."
            )
