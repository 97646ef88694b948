"""The daily jobs, as tasks of Django's tasks API (django-tasks now, django.tasks on Django 6).

Each is safe to run twice: refresh_plan stores the same findings again, and reminders and digests
are recorded per period and week, so nothing is sent twice. The enqueue side is
`manage.py refresh_risks --enqueue` and `manage.py send_reminders --enqueue`; a worker
(`manage.py db_worker`) runs them.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tasks import task

from objectives.models import Plan, PlanStatus
from risks import services


@task()
def refresh_risks(plan_label: str | None = None) -> dict:
    """Re-evaluate the stored findings of every open plan (or the one labelled plan_label)."""
    plans = Plan.objects.exclude(status=PlanStatus.CLOSED)
    if plan_label:
        plans = plans.filter(label=plan_label)
    evaluated = {}
    for plan in plans.order_by("start_date"):
        outcome = services.refresh_plan(plan)
        evaluated[plan.label] = {
            "evaluated": outcome.evaluated,
            "raised": outcome.raised,
            "resolved": outcome.resolved,
        }
    return evaluated


@task()
def send_reminders(plan_label: str | None = None) -> str:
    """Status reminders and director digests, exactly as `manage.py send_reminders` sends them."""
    out = io.StringIO()
    call_command("send_reminders", plan=plan_label, stdout=out)
    return out.getvalue().strip()
