"""The objectives list table (django-tables2).

Rows are objectives with their contributions prefetched (team and current view), so every cell is
rendered from memory. django-tables2 gives the headers, sorting (`order_by`, `order_worst_rating`)
and paging; the rows are drawn by templates/django_tables2/objective_table.html straight from each
record, because django-tables2's per-cell rendering (accessor lookup, signature inspection for each
`render_` call) cost four times the rest of the page at 50 rows (bench/bench_list.py).
"""

from __future__ import annotations

from html import escape

import django_tables2 as tables
from django.db.models import Case, IntegerField, Value, When
from django.template.loader import get_template
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from . import ratings
from .models import Contribution, ContributionRole, Objective, State

PER_PAGE = 50
STATE_LABELS = dict(State.choices)


def list_queryset():
    """The table's columns as plain values (a dict per row, no model instances to build);
    `prepare_rows` adds each row's teams and labels."""
    # No join here, so that the paginator's COUNT stays a plain count of the plan's objectives:
    # the lead team's name comes with the teams in prepare_rows.
    return Objective.objects.order_by("plan_id", "ref").values(
        "pk", "ref", "title", "lead_team_id", "worst_rating", "state", "delivery_date"
    )


def prepare_rows(objectives: list[dict], *, detail_url_prefix: str) -> None:
    """Give each objective (row of `list_queryset`) on the page what its row shows, in one query
    for the whole page:

    - `team_views`: [(team name, is lead, rating badge HTML)], the lead team first, and
      `team_views_html`, the list as the table shows it;
    - `url`, `lead_team_name`, `rating_badge` (the worst current rating), `state_label` and
      `delivery_label`.

    Badges come from includes/rating.html, rendered once per rating rather than once per cell, and
    the rest is worked out here rather than by template tags and filters: at 50 rows each of these
    was a noticeable part of the page (bench/bench_list.py). A prefetch_related of contributions
    with their team and latest update would be one query too, but building three model instances
    per team cost more than rendering the rows.
    """
    badge = _rating_badges()
    by_objective = {row["pk"]: row for row in objectives}
    for row in objectives:
        row["url"] = f"{detail_url_prefix}{row['pk']}/"
        row["team_views"] = []
        row["lead_team_name"] = ""
        row["rating_badge"] = badge[row["worst_rating"] or None]
        row["state_label"] = STATE_LABELS.get(row["state"], row["state"])
        day = row["delivery_date"]
        row["delivery_label"] = f"{day.day} {day:%b %Y}" if day else "Not set"
    rows = (
        Contribution.objects.filter(objective_id__in=list(by_objective))
        .order_by("objective_id", "-role", "team__name")  # the lead team first
        .values_list("objective_id", "team_id", "team__name", "role", "latest_update__rating")
    )
    for objective_id, team_id, team, role, rating in rows:
        row = by_objective[objective_id]
        row["team_views"].append((team, role == ContributionRole.LEAD, badge[rating or None]))
        if team_id == row["lead_team_id"]:
            row["lead_team_name"] = team
    for row in objectives:
        row["team_views_html"] = _team_views_html(row["team_views"])


def _team_views_html(views) -> str:
    items = "".join(
        f"<li>{badge}<span><bdi>{escape(team)}</bdi>{' (lead)' if lead else ''}</span></li>"
        for team, lead, badge in views
    )
    return mark_safe(f'<ul class="app-team-views">{items}</ul>')  # noqa: S308 -- escaped above


def _rating_badges() -> dict:
    template = get_template("includes/rating.html")
    return {
        rating: mark_safe(template.render({"rating": rating}).strip())  # noqa: S308 -- a template
        for rating in (None, *ratings.STEP)
    }


def _rating_step_order():
    """Not reported sorts before Green, so "worst first" puts Red at the top."""
    return Case(
        *(When(worst_rating=rating, then=Value(step)) for rating, step in ratings.STEP.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )


class ObjectiveTable(tables.Table):
    ref = tables.Column("Ref", order_by=("ref",))
    title = tables.Column("Objective", order_by=("title", "ref"))
    lead_team = tables.Column(
        "Lead team", accessor="lead_team__name", order_by=("lead_team__name", "ref")
    )
    teams = tables.Column("Each team's current view", empty_values=(), orderable=False)
    worst_rating = tables.Column("Worst current rating", empty_values=())
    state = tables.Column("State")
    delivery_date = tables.Column("Delivery", empty_values=(), order_by=("delivery_date", "ref"))

    class Meta:
        model = Objective
        fields = ()
        sequence = ("ref", "title", "lead_team", "teams", "worst_rating", "state", "delivery_date")
        template_name = "django_tables2/objective_table.html"
        empty_text = "No objectives match these filters."
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "-"  # never read from the request: 50 a page, always
        attrs = {"class": "nhsuk-table app-objective-table app-stack--wide"}

    @cached_property
    def detail_url_prefix(self) -> str:
        """'/objectives/' for links to '/objectives/<pk>/': one reverse() a page, not one a row."""
        return reverse("objectives:detail", args=[1]).removesuffix("1/")

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
