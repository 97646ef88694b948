"""Filters of the risk dashboard, applied to evaluated objectives rather than to a queryset.

The dashboard loads the director's whole scope once (the rules need every objective anyway to sort
by score and to diff against last month), so filtering is a pass over the results in memory; the
form's choices come from the same results, which costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from . import ratings, risk
from .permissions import ALL
from .risk_loader import Change, ObjectiveRisk

INCLUDE, EXCLUDE = "include", "exclude"


def choices_in(items: list[ObjectiveRisk], scope) -> tuple[list, list]:
    """(directorates, teams) as (id, name) choices, by name: those of the objectives in view
    that the user oversees."""
    directorates: dict[int, str] = {}
    teams: dict[int, str] = {}
    for item in items:
        for team in item.teams:
            if scope == ALL or team.directorate_id in scope:
                directorates[team.directorate_id] = team.directorate
                teams[team.team_id] = team.team
    return (
        sorted(directorates.items(), key=lambda pair: pair[1]),
        sorted(teams.items(), key=lambda pair: pair[1]),
    )


class RiskFilterForm(forms.Form):
    directorate = forms.TypedChoiceField(label="Directorate", required=False, coerce=int)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int)
    rule = forms.ChoiceField(
        label="Rule", required=False, choices=[("", "Any rule"), *risk.RULES.items()]
    )
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=[("", "Any severity"), *risk.SEVERITIES.items()]
    )
    acknowledged = forms.ChoiceField(
        label="Acknowledged flags",
        required=False,
        choices=[(INCLUDE, "Include"), (EXCLUDE, "Leave out")],
    )
    shared = forms.BooleanField(label="Shared objectives only", required=False)

    def __init__(self, data=None, *, items=None, scope, choices=None, **kwargs):
        """``choices``: choices_in(items, scope), when the caller has them already."""
        super().__init__(data, **kwargs)
        directorates, teams = choices if choices is not None else choices_in(items, scope)
        self.fields["directorate"].choices = [("", "All directorates"), *directorates]
        self.fields["team"].choices = [("", "All teams"), *teams]
        self.directorate_names = dict(directorates)
        self.scope = scope
        for name, field in self.fields.items():
            if isinstance(field, forms.ChoiceField):
                attrs = field.widget.attrs
                attrs["class"] = "nhsuk-select"
                if self.is_bound and name in self.errors:
                    attrs["class"] += " nhsuk-select--error"
                    attrs["aria-describedby"] = f"{name}-error"

    @property
    def selects(self) -> list[dict]:
        """The select fields with their options as HTML: made here in one pass rather than by
        Django's widget templates, one template render per option (an admin's team filter has
        500 options)."""
        result = []
        for name, field in self.fields.items():
            if not isinstance(field, forms.ChoiceField):
                continue
            bound = self[name]
            current = "" if bound.value() is None else str(bound.value())
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, mark_safe(" selected") if str(value) == current else "", label)
                    for value, label in field.choices
                ),
            )
            result.append({"field": bound, "options": options})
        return result

    @property
    def values(self) -> dict:
        """The valid filters; a value that is not a choice is ignored (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


@dataclass(frozen=True)
class Filtered:
    rows: list[ObjectiveRisk]  # flagged objectives to list, flags narrowed to those shown
    in_view: list[ObjectiveRisk]  # every objective the directorate, team and shared filters keep
    added: list[Change]
    resolved: list[Change]


def _keeps_objective(item: ObjectiveRisk, values: dict) -> bool:
    if values.get("shared") and not item.is_shared:
        return False
    if "directorate" in values and all(
        t.directorate_id != values["directorate"] for t in item.teams
    ):
        return False
    return not ("team" in values and all(t.team_id != values["team"] for t in item.teams))


def _keeps_flag(flag: risk.Flag, values: dict) -> bool:
    if "rule" in values and flag.rule != values["rule"]:
        return False
    return "severity" not in values or flag.severity == values["severity"]


def apply(values: dict, items, added, resolved) -> Filtered:
    in_view = [item for item in items if _keeps_objective(item, values)]
    rows = []
    hide_acknowledged = values.get("acknowledged") == EXCLUDE
    for item in in_view:
        shown = item.flags
        if hide_acknowledged:
            shown = tuple(flag for flag in shown if not flag.is_acknowledged)
        if not any(_keeps_flag(flag, values) for flag in shown):
            continue
        rows.append(item if shown is item.flags else replace(item, flags=shown))

    def keeps(change: Change) -> bool:
        return _keeps_objective(change.item, values) and _keeps_flag(change.flag, values)

    return Filtered(
        rows=rows,
        in_view=in_view,
        added=[change for change in added if keeps(change)],
        resolved=[change for change in resolved if keeps(change)],
    )


@dataclass(frozen=True)
class HeatmapRow:
    directorate: str
    cells: list[tuple[str | None, int, int]]  # (rating, count, shade 0-4)
    total: int


HEATMAP_COLUMNS: tuple[str | None, ...] = (*ratings.STEP, None)


def heatmap(items: list[ObjectiveRisk], values: dict, scope, names: dict) -> list[HeatmapRow]:
    """Directorates (rows) by current rating (columns): how many team views of each rating, for
    teams in the directorates the user oversees (and the directorate or team filtered to)."""
    counts: dict[int, dict] = {}
    for item in items:
        for team in item.teams:
            if scope != ALL and team.directorate_id not in scope:
                continue
            if "directorate" in values and team.directorate_id != values["directorate"]:
                continue
            if "team" in values and team.team_id != values["team"]:
                continue
            row = counts.setdefault(team.directorate_id, dict.fromkeys(HEATMAP_COLUMNS, 0))
            row[team.rating] += 1
    biggest = max((n for row in counts.values() for n in row.values()), default=0)
    result = []
    for directorate_id, row in counts.items():
        cells = [
            (rating, n, 0 if not n else 1 + (3 * n) // max(biggest, 1) if n < biggest else 4)
            for rating, n in row.items()
        ]
        result.append(HeatmapRow(names.get(directorate_id, ""), cells, sum(row.values())))
    result.sort(key=lambda r: r.directorate)
    return result
