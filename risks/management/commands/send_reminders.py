from django.core.management.base import BaseCommand

from objectives import clock, reminders
from reviews.reminders import send_action_reminders
from risks import digest
from risks.management.commands.evaluate_risks import plan_for


class Command(BaseCommand):
    help = (
        "Email team leads whose teams have not reported for the current period, and directors a "
        "weekly digest of objectives newly in danger, and owners of collaboration-day actions "
        "due within a week or overdue. Safe to re-run: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue it as a background job for a worker (manage.py db_worker) instead",
        )
        parser.add_argument("--plan", help="Plan label, e.g. 2024/25 (default: the latest agreed)")

    def handle(self, *args, plan=None, enqueue=False, **options):
        if enqueue:
            from jobs.tasks import send_reminders

            plan_for(plan)  # no such plan fails here, not later in the worker

            result = send_reminders.enqueue(plan_label=plan)
            self.stdout.write(f"Queued job {result.id}.")
            return
        plan = plan_for(plan)
        today = clock.today()
        due = reminders.send_status_reminders(plan, today)
        digests = digest.send_director_digests(plan, today)
        actions = send_action_reminders(plan, today)
        self.stdout.write(
            f"Sent {due.sent} status reminder{'s' if due.sent != 1 else ''}, {digests.sent} "
            f"director digest{'s' if digests.sent != 1 else ''} and {actions.sent} action "
            f"reminder{'s' if actions.sent != 1 else ''}."
        )
        already = due.already_sent + digests.already_sent + actions.already_sent
        if already:
            self.stdout.write(f"{already} had already been sent for this period or week.")
        missing = sorted(set(due.no_email + digests.no_email + actions.no_email))
        if missing:
            self.stdout.write(f"No email address for: {', '.join(missing)}.")
