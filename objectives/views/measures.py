"""The measure panel (on the objective detail), the measure page, readings entry and rebasing.

Every signed-in person may read a measure, as they may read its objective. Entering readings and
changing rebase dates is for the responsible team (the lead team when none is set), directors
overseeing the objective and admins (permissions.can_enter_readings).

With htmx the forms swap the measure's panel in place; without JavaScript a save redirects back
to the page it came from with a message, and a form with problems is shown again on the measure
page with every problem next to its field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from objectives import clock, measures, permissions
from objectives.forms.readings import FORMS, RebaseForm
from objectives.models import Measure, Reading

DETAIL = "detail"
MEASURE = "measure"
PANEL_PARTIAL = "objectives/_measure_panel.html#body"


# --- Panels -------------------------------------------------------------------------------------


@dataclass
class Panel:
    """One measure as the panel shows it: chart, icons, verdict, table and the entry forms."""

    measure: Measure
    summary: measures.MeasureSummary
    readings: list[Reading]
    where: str = DETAIL  # the page it sits on: the objective detail or the measure page
    can_enter: bool = False
    forms: dict = field(default_factory=dict)  # mode -> readings form, when can_enter
    open_mode: str = ""  # the entry form just used: its section is open
    saved: str = ""  # what was just saved
    rebase_form: RebaseForm | None = None
    rebase_saved: str = ""
    return_to: str = ""  # where a save without JavaScript goes back to; the page by default

    @property
    def back_to(self) -> str:
        return self.return_to or self.where

    @property
    def dom_id(self) -> str:
        return f"measure-{self.measure.pk}"

    @property
    def on_measure_page(self) -> bool:
        return self.where == MEASURE

    @property
    def analysis(self):
        return self.summary.analysis

    @property
    def has_chart(self) -> bool:
        return self.summary.has_chart

    @property
    def reason(self) -> str:
        """Why there is no chart."""
        if self.summary.problem:
            return self.summary.verdict
        return self.analysis.reason if self.analysis else ""

    @property
    def notes(self) -> tuple[str, ...]:
        return self.analysis.notes if self.analysis else ()

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.forms.values()) or bool(
            self.rebase_form and self.rebase_form.errors
        )

    @property
    def rebase_dates(self) -> list[dt.date]:
        return measures.rebase_dates(self.measure)

    @cached_property
    def svg(self) -> str:
        if not self.has_chart:
            return ""
        return mark_safe(chart_svg(self))  # noqa: S308 – built by reportlab from our own values

    @cached_property
    def table(self) -> list[dict]:
        return table_rows(self)

    @property
    def description(self) -> str:
        """The chart's <desc>: what a screen-reader user needs instead of the picture."""
        analysis = self.analysis
        unit = self.measure.unit
        count = len(analysis.values)
        text = (
            f"{count} readings from {analysis.dates[0]:%B %Y} to {analysis.dates[-1]:%B %Y}, "
            f"latest {format_value(analysis.values[-1], unit)}. {self.summary.verdict}"
        )
        return text + " The same data is in the table below the chart."


def format_value(value, unit: str = "") -> str:
    from objectives.spc import format_value as spc_format

    return spc_format(value, unit)


def chart_svg(panel: Panel) -> str:
    """The control chart as inline SVG, drawn by objectives/charts.py (shared with the PDFs)."""
    from objectives import charts

    drawing = charts.control_chart(
        panel.analysis,
        title=panel.measure.name,
        unit=panel.measure.unit,
        width=CHART_WIDTH,
        badges=False,  # the panel shows the icons as HTML beside the chart
    )
    return charts.chart_svg(
        drawing,
        title=f"Control chart: {panel.measure.name}",
        description=panel.description,
        id_prefix=f"{panel.dom_id}-chart",
    )


CHART_WIDTH = 600


def table_rows(panel: Panel) -> list[dict]:
    """One row per reading: the chart's data (charts.chart_table_rows, as in the PDF packs) with
    the reading's note and who entered it."""
    from objectives import charts

    unit = panel.measure.unit
    analysis = panel.analysis
    if analysis is None:
        return [
            {"date": r.date, "value": format_value(r.value, unit), "reading": r}
            for r in panel.readings
        ]
    by_date = {reading.date: reading for reading in panel.readings}
    kinds = {signal.index: str(signal.kind) for signal in analysis.signals}
    starts = {phase.start for phase in analysis.phases[1:]}
    rows = []
    for index, chart_row in enumerate(charts.chart_table_rows(analysis)):
        row = {
            "date": chart_row.date,
            "value": format_value(chart_row.value, unit),
            "reading": by_date.get(chart_row.date),
            "special_cause": chart_row.special_cause,
            "kind": kinds.get(index, ""),
            "new_phase": index in starts,
        }
        if chart_row.mean is not None:
            row["mean"] = format_value(chart_row.mean, unit)
            row["lower"] = format_value(chart_row.lower, unit)
            row["upper"] = format_value(chart_row.upper, unit)
        rows.append(row)
    return rows


class _EntryPermissions:
    """can_enter_readings depends only on the measure's responsible team and its objective, so
    a page of measures asks once per pair rather than once per measure."""

    def __init__(self, user):
        self.user = user
        self.memo: dict[tuple[int, int], bool] = {}

    def __call__(self, measure: Measure) -> bool:
        key = (measure.team_id or measure.objective.lead_team_id, measure.objective_id)
        if key not in self.memo:
            self.memo[key] = permissions.can_enter_readings(self.user, measure)
        return self.memo[key]


def _entry_forms(measure: Measure, readings, *, bound=None) -> dict:
    existing = {reading.date: reading.value for reading in readings}
    today = clock.today()
    forms = {
        mode: form_class(measure=measure, existing=existing, today=today)
        for mode, form_class in FORMS.items()
    }
    if bound is not None:
        forms[bound.mode] = bound
    return forms


def _rebase_form(measure: Measure, readings, data=None) -> RebaseForm:
    first = readings[0].date if readings else None
    return RebaseForm(data, measure=measure, first_reading=first, today=clock.today())


def build_panels(user, measure_list, *, where: str = DETAIL) -> list[Panel]:
    """Panels for measures whose readings are prefetched (and objective, with its plan, loaded):
    no query per measure."""
    can_enter = _EntryPermissions(user)
    panels = []
    for measure in measure_list:
        readings = list(measure.readings.all())
        allowed = can_enter(measure)
        panels.append(
            Panel(
                measure=measure,
                summary=measures.summarise(measure, readings),
                readings=readings,
                where=where,
                can_enter=allowed,
                forms=_entry_forms(measure, readings) if allowed else {},
                rebase_form=_rebase_form(measure, readings)
                if allowed and where == MEASURE
                else None,
            )
        )
    return panels


# --- Views --------------------------------------------------------------------------------------


def _get_measure(user, pk, *, enter: bool = False) -> Measure:
    measure = get_object_or_404(
        Measure.objects.select_related("objective__plan", "objective__lead_team", "team"), pk=pk
    )
    permissions.require(permissions.can_view_objective(user, measure.objective))
    if enter:
        permissions.require(permissions.can_enter_readings(user, measure))
    return measure


def _readings(measure: Measure) -> list[Reading]:
    return list(measure.readings.select_related("entered_by").order_by("date"))


def _panel(request, measure: Measure, *, where: str, **extra) -> Panel:
    readings = _readings(measure)
    allowed = permissions.can_enter_readings(request.user, measure)
    bound = extra.pop("bound", None)
    rebase_form = extra.pop("rebase_form", None)
    if allowed and where == MEASURE and rebase_form is None:
        rebase_form = _rebase_form(measure, readings)
    return Panel(
        measure=measure,
        summary=measures.summarise(measure, readings),
        readings=readings,
        where=where,
        can_enter=allowed,
        forms=_entry_forms(measure, readings, bound=bound) if allowed else {},
        rebase_form=rebase_form,
        **extra,
    )


def _htmx_aware(response):
    patch_vary_headers(response, ("HX-Request",))
    return response


def _return_to(request) -> str:
    return MEASURE if request.POST.get("return_to") == MEASURE else DETAIL


def _back(measure: Measure, where: str) -> str:
    if where == MEASURE:
        return reverse("objectives:measure", args=[measure.pk])
    return reverse("objectives:detail", args=[measure.objective_id]) + f"#measure-{measure.pk}"


def _page(request, panel: Panel, *, status: int = 200):
    context = {"panel": panel, "measure": panel.measure, "objective": panel.measure.objective}
    if request.htmx:
        return _htmx_aware(render(request, PANEL_PARTIAL, context, status=status))
    return _htmx_aware(render(request, "objectives/measure_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "HEAD"])
def measure_detail(request, pk):
    measure = _get_measure(request.user, pk)
    return _page(request, _panel(request, measure, where=MEASURE))


def saved_message(created: int, replaced: int) -> str:
    def readings(count: int) -> str:
        return f"{count} reading{'' if count == 1 else 's'}"

    if created and replaced:
        return f"Saved {readings(created)} and replaced {readings(replaced)}."
    if replaced:
        return f"Replaced {readings(replaced)}."
    return f"Saved {readings(created)}."


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def add_readings(request, pk):
    user = request.user
    measure = _get_measure(user, pk, enter=True)
    if request.method != "POST":
        return _page(request, _panel(request, measure, where=MEASURE, open_mode="single"))

    form_class = FORMS.get(request.POST.get("mode", ""))
    if form_class is None:
        return HttpResponseBadRequest("Choose how to enter readings: single, paste or csv.")
    where = _return_to(request) if request.htmx else MEASURE
    existing = dict(measure.readings.values_list("date", "value"))
    form = form_class(
        request.POST, request.FILES, measure=measure, existing=existing, today=clock.today()
    )
    if form.is_valid():
        try:
            created, replaced = measures.save_readings(
                measure=measure, rows=form.rows, user=user, replace=form.cleaned_data["replace"]
            )
        except measures.ReadingsConflict:
            form.add_error(
                None,
                "Someone else saved readings for some of these dates a moment ago, so nothing "
                "was saved. Check the readings below and enter yours again.",
            )
        else:
            message = saved_message(created, replaced)
            if not request.htmx:
                messages.success(request, f"{measure.name}: {message}")
                return _htmx_aware(redirect(_back(measure, _return_to(request))))
            return _page(request, _panel(request, measure, where=where, saved=message))
    panel = _panel(
        request,
        measure,
        where=where,
        bound=form,
        open_mode=form.mode,
        return_to=_return_to(request),
    )
    return _page(request, panel)


@login_required
@require_POST
def measure_rebase(request, pk):
    measure = _get_measure(request.user, pk, enter=True)
    readings = list(measure.readings.order_by("date"))
    form = _rebase_form(measure, readings, request.POST)
    if form.is_valid():
        added, removed = form.cleaned_data["date"], form.cleaned_data["remove"]
        if removed is not None:
            measures.remove_rebase(measure=measure, when=removed)
            message = f"The limits are no longer recalculated from {_long(removed)}."
        else:
            measures.add_rebase(measure=measure, when=added)
            message = f"The limits are now recalculated from {_long(added)}."
        if not request.htmx:
            messages.success(request, f"{measure.name}: {message}")
            return _htmx_aware(redirect(_back(measure, MEASURE)))
        return _page(request, _panel(request, measure, where=MEASURE, rebase_saved=message))
    return _page(request, _panel(request, measure, where=MEASURE, rebase_form=form))


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
