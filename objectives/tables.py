"""The objectives list table (django-tables2).

Each column is declared here, with a `render_<column>` method where a cell needs more than its
value, so adding a column is one edit to `ObjectiveTable`. Rows are objectives with their lead team
and their contributions (each with its team and its current rating) loaded by `list_queryset()`,
so the whole page costs two queries however many rows it shows.
"""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.template.loader import render_to_string
from django.utils import dateformat

from . import ratings
from .models import Contribution, ContributionRole, Objective, State

PER_PAGE = 50
CELL = "nhsuk-table__cell"
# Long text that no column shows, left in the database
UNSHOWN_TEXT = (
    "description",
    "stakeholders",
    "expected_outcome",
    "impact_enhance",
    "impact_restore",
    "impact_replace",
    "impact_mutate",
)


def list_queryset():
    """Objectives with what their rows show: the lead team, and each team's current rating (the
    lead team first) as `contributions`, each with `current_rating`."""
    contributions = (
        Contribution.objects.select_related("team")
        .only("objective", "role", "team__name")
        .annotate(current_rating=F("latest_update__rating"))
        .order_by("-role", "team__name")  # the lead team first
    )
    return (
        Objective.objects.select_related("lead_team")
        .defer(*UNSHOWN_TEXT)
        .prefetch_related(Prefetch("contributions", queryset=contributions))
        .order_by("plan_id", "ref")
    )


def _rating_step_order():
    """Not reported sorts before Green, so "worst first" puts Red at the top."""
    return Case(
        *(When(worst_rating=rating, then=Value(step)) for rating, step in ratings.STEP.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _cell(*classes: str) -> dict:
    return {"td": {"class": " ".join((CELL, *classes))}}


class ObjectiveTable(tables.Table):
    ref = tables.Column("Ref", order_by=("ref",), attrs=_cell("app-nowrap", "app-ref"))
    title = tables.Column(
        "Objective",
        order_by=("title", "ref"),
        linkify=True,
        attrs=_cell("app-objective-table__title"),
    )
    lead_team = tables.Column(
        "Lead team", accessor="lead_team__name", order_by=("lead_team__name", "ref")
    )
    teams = tables.Column("Each team's current view", empty_values=(), orderable=False)
    worst_rating = tables.Column("Worst current rating", empty_values=())
    state = tables.Column("State")
    delivery_date = tables.Column(
        "Delivery", default="Not set", order_by=("delivery_date", "ref"), attrs=_cell("app-nowrap")
    )

    class Meta:
        template_name = "django_tables2/objective_table.html"
        empty_text = "No objectives match these filters."
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "-"  # never read from the request: 50 a page, always
        attrs = {"class": "nhsuk-table app-objective-table app-stack--wide", **_cell()}

    def render_teams(self, record):
        return render_to_string(
            "objectives/_objective_teams_cell.html",
            {"contributions": record.contributions.all(), "lead": ContributionRole.LEAD},
        )

    def render_worst_rating(self, record):
        # the rating's code, not the label django-tables2 would pass as `value`
        return render_to_string("includes/rating.html", {"rating": record.worst_rating})

    def render_delivery_date(self, value):
        return dateformat.format(value, "j M Y")

    def order_state(self, queryset, is_descending):
        """In lifecycle order (not started, in progress, complete, paused, closed), not by code."""
        order = Case(
            *(When(state=state, then=Value(index)) for index, state in enumerate(State.values)),
            output_field=IntegerField(),
        )
        queryset = queryset.annotate(state_order=order).order_by(
            ("-" if is_descending else "") + "state_order", "ref"
        )
        return queryset, True

    def order_worst_rating(self, queryset, is_descending):
        queryset = queryset.annotate(rating_step=_rating_step_order()).order_by(
            ("-" if is_descending else "") + "rating_step", "ref"
        )
        return queryset, True
