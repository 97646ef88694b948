"""Plans: creating one with its twelve reporting months, and reading the labels people type.

The demo builders, the plan importer and "start next year" all create plans through `create_plan`
here, so a plan always comes with its periods.
"""

from __future__ import annotations

import datetime as dt
import re

from .models import Period, Plan, PlanStatus, month_bounds

LABEL_HELP = "use the form 2024/25 (2024-25, 24/25 and 2024 to 2025 work too)"

# "2024/25", "2024-25", "24/25", "2024 to 2025", "2024/2025", "FY 2024/25".
_LABEL = re.compile(r"^(?:fy\s*)?(\d{4}|\d{2})\s*(?:/|-|–|—|to)\s*(\d{4}|\d{2})$", re.IGNORECASE)


def normalise_label(text: str) -> str:
    """What a person typed for a financial year -> the plan's label '2024/25'.

    ValueError (its message says what to type) when the text is not a financial year.
    """
    cleaned = " ".join(str(text).split())
    match = _LABEL.match(cleaned)
    if match:
        first, second = match[1], match[2]
        start = int(first) if len(first) == 4 else 2000 + int(first)
        follows = int(second) == (start + 1 if len(second) == 4 else (start + 1) % 100)
        if follows:
            return Plan.label_for_year(start)
    raise ValueError(f"'{cleaned}' is not a financial year; {LABEL_HELP}")


def create_plan(start_year: int, *, status=PlanStatus.AGREED, agreed_on=None) -> Plan:
    """A plan for the financial year starting in April of `start_year`, with its periods."""
    label = Plan.label_for_year(start_year)
    start, end = Plan.dates_for_label(label)
    plan = Plan.objects.create(
        label=label,
        start_date=start,
        end_date=end,
        status=status,
        agreed_on=agreed_on or (dt.date(start_year, 3, 28) if status != PlanStatus.DRAFT else None),
    )
    Period.objects.bulk_create(
        Period(
            plan=plan,
            month=m,
            start_date=month_bounds(start, m)[0],
            end_date=month_bounds(start, m)[1],
        )
        for m in range(1, 13)
    )
    return plan
