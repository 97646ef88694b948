"""Filters for the objectives list and its export (django-filter).

The choices (plans, directorates, teams) are loaded once per request by `load_choices()` in two
queries and handed to the FilterSet, so the filter form never runs a query per field. With no plan
chosen, the list shows the latest agreed plan (or the latest plan when none is agreed yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.safestring import mark_safe

from . import ratings
from .models import Contribution, Objective, Plan, PlanStatus, State, Team

ALL_PLANS = "all"
AMBER_RED_OR_WORSE = "amber_red_or_worse"
NOT_REPORTED = "not_reported"
SEARCH_MAX_LENGTH = 200


@dataclass
class FilterChoices:
    """What the filter form offers, read in two queries."""

    plans: list[tuple[str, str]] = field(default_factory=list)
    default_plan_id: int | None = None
    directorates: list[tuple[str, str]] = field(default_factory=list)
    # Teams grouped by directorate: [(directorate name, [(team id, team name), ...]), ...]
    teams: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def default_plan(plans) -> Plan | None:
    """The latest agreed plan; the latest plan of any status when none is agreed."""
    plans = sorted(plans, key=lambda plan: plan.start_date, reverse=True)
    agreed = [plan for plan in plans if plan.status == PlanStatus.AGREED]
    return (agreed or plans or [None])[0]


def load_choices() -> FilterChoices:
    plans = list(Plan.objects.only("pk", "label", "start_date", "status"))
    chosen = default_plan(plans)
    choices = FilterChoices(
        plans=[(str(plan.pk), plan.label) for plan in plans] + [(ALL_PLANS, "All plans")],
        default_plan_id=chosen.pk if chosen else None,
    )
    # Directorates come from the teams query: one without teams has no objectives to filter.
    rows = Team.objects.order_by("directorate__name", "name").values_list(
        "pk", "name", "directorate_id", "directorate__name"
    )
    groups: dict[int, tuple[str, list]] = {}
    for team_id, name, directorate_id, directorate_name in rows:
        groups.setdefault(directorate_id, (directorate_name, []))[1].append((str(team_id), name))
    choices.directorates = [(str(pk), name) for pk, (name, _) in groups.items()]
    choices.teams = list(groups.values())
    return choices


def rating_choices() -> list[tuple[str, str]]:
    offered = [(rating.value, rating.label) for rating in ratings.scale(settings.RATING_SCALE)]
    return [
        *offered,
        (AMBER_RED_OR_WORSE, "Amber/Red or worse"),
        (NOT_REPORTED, ratings.NOT_REPORTED_LABEL),
    ]


def options_html(choices, current) -> str:
    """<option> elements for a select, the current value selected. Plain string building:
    format_html per option cost more than the whole table for the 500-team select."""
    current = "" if current is None else str(current)
    return mark_safe(  # noqa: S308 -- values and labels are escaped here
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == current else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )


def grouped_options_html(groups, current, empty_label) -> str:
    parts = [options_html([("", empty_label)], current)]
    for group, choices in groups:
        parts.append(
            f'<optgroup label="{escape(group)}">{options_html(choices, current)}</optgroup>'
        )
    return mark_safe("".join(parts))  # noqa: S308 -- every part is escaped above


class OneOfField(forms.Field):
    """A value from a fixed set of choices: like ChoiceField, but the (long) list of choices is
    shared, not deep-copied into every form, and never rendered by a widget (see `options`)."""

    default_error_messages = {"invalid_choice": "'%(value)s' is not one of the choices."}

    def __init__(self, *, choices=(), **kwargs):
        super().__init__(**kwargs)
        self.allowed = frozenset(_values(choices))

    def validate(self, value):
        super().validate(value)
        if value and value not in self.allowed:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value[:40]},
            )


def _values(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group: (name, [(value, label), ...])
            yield from _values(label)
        else:
            yield str(value)


class OneOfFilter(django_filters.Filter):
    field_class = OneOfField


def _invalid(what: str) -> dict:
    return {"invalid_choice": f"Choose {what} from the list; '%(value)s' is not one of them."}


class ObjectiveFilter(django_filters.FilterSet):
    plan = OneOfFilter(label="Plan", method="filter_plan", error_messages=_invalid("a plan"))
    directorate = OneOfFilter(
        label="Directorate", method="filter_directorate", error_messages=_invalid("a directorate")
    )
    team = OneOfFilter(
        label="Team (lead or contributing)", method="filter_team", error_messages=_invalid("a team")
    )
    rating = OneOfFilter(
        label="Current rating (worst of the teams' views)",
        method="filter_rating",
        error_messages=_invalid("a rating"),
    )
    state = OneOfFilter(
        label="State", choices=State.choices, field_name="state", error_messages=_invalid("a state")
    )
    shared = django_filters.BooleanFilter(
        label="Shared only", widget=forms.CheckboxInput, method="filter_shared"
    )
    q = django_filters.CharFilter(
        label="Search ref, title or description",
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters (you typed "
            "%(show_value)d)."
        },
    )

    class Meta:
        model = Objective
        fields: list[str] = []  # every filter is declared above

    def __init__(self, data=None, queryset=None, *, choices: FilterChoices, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.choices = choices
        self.filters["plan"].extra["choices"] = choices.plans
        self.filters["directorate"].extra["choices"] = choices.directorates
        self.filters["team"].extra["choices"] = choices.teams
        self.filters["rating"].extra["choices"] = rating_choices()

    @property
    def options(self) -> dict[str, str]:
        """Each select's <option> elements, built in Python: a template loop over 500 teams with
        a lookup per option costs more than the rest of the list page."""
        data = self.form.data
        plan = self.plan_value
        return {
            "plan": options_html(self.choices.plans, plan),
            "directorate": options_html(
                [("", "All directorates"), *self.choices.directorates], data.get("directorate")
            ),
            "team": grouped_options_html(self.choices.teams, data.get("team"), "All teams"),
            "rating": options_html([("", "Any rating"), *rating_choices()], data.get("rating")),
            "state": options_html([("", "Any state"), *State.choices], data.get("state")),
        }

    @property
    def plan_value(self) -> str:
        """The plan the list shows, as the form's select should show it."""
        self.form.errors  # noqa: B018 -- validates the form, filling cleaned_data
        return self.form.cleaned_data.get("plan") or str(self.choices.default_plan_id or "")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # No plan (or one that does not exist): the default plan, so the list stays one year.
        if not self.form.cleaned_data.get("plan") and self.choices.default_plan_id:
            queryset = queryset.filter(plan_id=self.choices.default_plan_id)
        return queryset

    def filter_plan(self, queryset, name, value):
        if value == ALL_PLANS:
            return queryset
        return queryset.filter(plan_id=int(value))

    def filter_directorate(self, queryset, name, value):
        involved = Contribution.objects.filter(
            objective=OuterRef("pk"), team__directorate_id=int(value)
        )
        return queryset.filter(Exists(involved))

    def filter_team(self, queryset, name, value):
        involved = Contribution.objects.filter(objective=OuterRef("pk"), team_id=int(value))
        return queryset.filter(Exists(involved))

    def filter_rating(self, queryset, name, value):
        if value == AMBER_RED_OR_WORSE:
            worse = [r for r in ratings.Rating.values if ratings.is_low_confidence(r)]
            return queryset.filter(worst_rating__in=worse)
        if value == NOT_REPORTED:
            return queryset.filter(worst_rating="")
        return queryset.filter(worst_rating=value)

    def filter_shared(self, queryset, name, value):
        return queryset.filter(is_shared=True) if value else queryset

    def filter_search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(ref__icontains=word) | Q(title__icontains=word) | Q(description__icontains=word)
            )
        return queryset
