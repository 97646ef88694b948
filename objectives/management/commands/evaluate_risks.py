import json

from django.core.management.base import BaseCommand, CommandError

from objectives import clock, ratings, risk_loader
from objectives.models import Plan, PlanStatus


def plan_for(label: str | None) -> Plan:
    """The plan labelled ``label``, or the latest agreed plan; CommandError names what exists."""
    if label:
        plan = Plan.objects.filter(label=label).first()
        if plan is None:
            known = ", ".join(Plan.objects.values_list("label", flat=True)) or "none yet"
            raise CommandError(f"There is no plan {label}; plans: {known}.")
        return plan
    plan = Plan.objects.filter(status=PlanStatus.AGREED).order_by("-start_date").first()
    if plan is None:
        raise CommandError("There is no agreed plan; name one with --plan 2024/25.")
    return plan


class Command(BaseCommand):
    help = "Evaluate the at-risk rules and list the flagged objectives, most severe first."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Plan label, e.g. 2024/25 (default: the latest agreed)")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="A JSON list instead of text"
        )

    def handle(self, *args, plan=None, as_json=False, **options):
        plan = plan_for(plan)
        today = clock.today()
        results = risk_loader.evaluate(plan, today=today)
        flagged = [item for item in results if item.flags]
        if as_json:
            data = [item.as_dict() for item in flagged]
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"Plan {plan.label} on {today.day} {today:%B %Y}: {len(flagged)} of {len(results)} "
            f"objectives flagged, most severe first.\n"
        )
        for item in flagged:
            shared = ", shared" if item.is_shared else ""
            self.stdout.write(f"\n{item.score:>3}  {item.ref}  {item.title}")
            views = "; ".join(f"{t.team}: {ratings.label(t.rating)}" for t in item.teams)
            self.stdout.write(f"     Led by {item.lead_team}{shared}. {views}.")
            for flag in item.flags:
                state = ""
                if flag.is_acknowledged:
                    state = " (acknowledged)"
                elif flag.lapsed:
                    state = " (acknowledgement lapsed)"
                self.stdout.write(
                    f"     {flag.severity:<6}  {flag.label}{state} — {flag.explanation}"
                )
