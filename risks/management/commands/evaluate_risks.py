import json

from django.core.management.base import BaseCommand, CommandError

from objectives import ratings
from objectives.models import Plan, PlanStatus
from risks import queries


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
    help = (
        "List the objectives in danger and to watch, most concerning first, from the stored "
        "findings (refresh_risks brings them up to date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Plan label, e.g. 2024/25 (default: the latest agreed)")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="A JSON list instead of text"
        )

    def handle(self, *args, plan=None, as_json=False, **options):
        plan = plan_for(plan)
        rows = queries.concern_rows(queries.concerns(plan))
        if as_json:
            self.stdout.write(
                json.dumps([queries.as_dict(row) for row in rows], indent=2, ensure_ascii=False)
            )
            return
        refreshed = queries.last_refreshed(plan)
        when = f"{refreshed:%d %B %Y %H:%M}" if refreshed else "never"
        self.stdout.write(
            f"Plan {plan.label}, findings last refreshed {when}: {len(rows)} objectives of "
            f"concern, most concerning first.\n"
        )
        for row in rows:
            objective = row.objective
            shared = ", shared" if objective.is_shared else ""
            self.stdout.write(f"\n{row.get_level_display():<9}  {objective.ref}  {objective.title}")
            views = "; ".join(f"{v['team']}: {ratings.label(v['rating'])}" for v in row.views)
            self.stdout.write(f"           Led by {objective.lead_team.name}{shared}. {views}.")
            for finding in row.open_findings:
                state = ""
                if finding.is_acknowledged:
                    state = " (acknowledged)"
                elif finding.lapsed:
                    state = " (acknowledgement lapsed)"
                self.stdout.write(
                    f"           {finding.get_level_display():<9}  {finding.label}{state} — "
                    f"{finding.explanation}"
                )
