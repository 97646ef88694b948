"""objectives/plans.py: creating a plan with its months, and reading the labels people type."""

import datetime as dt

import pytest

from objectives.models import PlanStatus
from objectives.plans import create_plan, normalise_label


@pytest.mark.parametrize(
    "typed, label",
    [
        ("2024/25", "2024/25"),
        ("2024-25", "2024/25"),
        ("24/25", "2024/25"),
        ("24-25", "2024/25"),
        ("2024 to 2025", "2024/25"),
        ("2024/2025", "2024/25"),
        ("  FY 2024/25 ", "2024/25"),
        ("2099/00", "2099/00"),
    ],
)
def test_each_way_of_writing_a_financial_year_reads_as_its_label(typed, label):
    assert normalise_label(typed) == label


@pytest.mark.parametrize("typed", ["2024/26", "2024", "24/26", "next year", "2025/24", ""])
def test_anything_else_is_refused_saying_what_to_type(typed):
    with pytest.raises(ValueError) as error:
        normalise_label(typed)
    assert str(error.value) == (
        f"'{' '.join(typed.split())}' is not a financial year; use the form 2024/25 (2024-25, "
        "24/25 and 2024 to 2025 work too)"
    )


@pytest.mark.django_db
def test_a_new_plan_comes_with_its_twelve_months():
    plan = create_plan(2030, status=PlanStatus.DRAFT)
    months = list(plan.periods.order_by("month").values_list("month", "start_date", "end_date"))
    assert (plan.label, plan.status, plan.agreed_on) == ("2030/31", "draft", None)
    assert months[0] == (1, dt.date(2030, 4, 1), dt.date(2030, 4, 30))
    assert months[-1] == (12, dt.date(2031, 3, 1), dt.date(2031, 3, 31))
    assert len(months) == 12
