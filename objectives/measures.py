"""Measures for pages, review packs and the risk engine: control charts from prefetched readings.

``summarise_measures(measures)`` is what other parts reuse: for each measure, the latest variation
class, the assurance, whether the latest reading is special-cause concern, and the one-line verdict,
all computed by objectives/spc/ from ``measure.readings.all()``. Load the measures with
``with_readings(queryset)`` (or any prefetch of ``readings`` in date order) so that a page of
measures costs one query for all their readings.

``save_readings`` and ``add_rebase`` / ``remove_rebase`` are the only writes; they run in one
transaction each, so nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet

from . import spc
from .models import Measure, Reading
from .signals import announce_change


def with_readings(queryset: QuerySet) -> QuerySet:
    """Measures with their readings prefetched in date order (one query for all of them)."""
    return queryset.prefetch_related(
        Prefetch("readings", queryset=Reading.objects.order_by("measure_id", "date"))
    )


def spc_options() -> dict:
    """Options for spc.analyse from settings.SPC (``run_length`` 7 or 6, ``baseline`` 12,
    ``screen_moving_ranges`` False)."""
    configured = getattr(settings, "SPC", None) or {}
    return {
        key: configured[key]
        for key in ("run_length", "baseline", "screen_moving_ranges")
        if key in configured
    }


@dataclass(frozen=True)
class MeasureSummary:
    """What a measure's control chart says, for pages, packs and the risk engine.

    ``variation``, ``assurance`` and ``latest_is_concern`` read like ``spc.Summary`` (``.spc`` is
    one), so the risk rules take either. ``problem`` says why the readings could not be analysed.
    """

    variation: spc.Variation | None
    assurance: spc.Assurance | None
    latest_is_concern: bool
    verdict: str
    analysis: spc.Analysis | None = None
    problem: str = ""

    @property
    def spc(self) -> spc.Summary:
        return spc.Summary(self.variation, self.assurance, self.latest_is_concern)

    @property
    def has_chart(self) -> bool:
        return self.analysis is not None and self.analysis.has_chart

    @property
    def variation_label(self) -> str:
        return self.variation.label if self.variation else ""

    @property
    def assurance_label(self) -> str:
        return self.assurance.label if self.assurance else ""

    @property
    def reading_count(self) -> int:
        return len(self.analysis.values) if self.analysis else 0


def analyse_measure(measure: Measure, readings=None) -> spc.Analysis:
    """spc.analyse over the measure's readings (``readings`` or ``measure.readings.all()``).

    Raises spc.SeriesError for readings that cannot be analysed and ValueError for bad settings on
    the measure (a rebase date that is not a date).
    """
    if readings is None:
        readings = measure.readings.all()
    rows = [(reading.date, reading.value) for reading in readings]
    return spc.analyse(
        rows,
        direction=measure.direction,
        target=measure.target_value,
        rebase_dates=measure.rebase_dates or (),
        **spc_options(),
    )


def summarise(measure: Measure, readings=None) -> MeasureSummary:
    """One measure's summary; never raises for bad readings (``problem`` says what is wrong)."""
    try:
        analysis = analyse_measure(measure, readings)
    except spc.SeriesError as error:
        return MeasureSummary(None, None, False, _problem_verdict(error), problem=str(error))
    except ValueError as error:
        return MeasureSummary(None, None, False, _problem_verdict(error), problem=str(error))
    result = spc.summarise(analysis)
    return MeasureSummary(
        variation=result.variation,
        assurance=result.assurance,
        latest_is_concern=result.latest_is_concern,
        verdict=spc.verdict(analysis, unit=measure.unit),
        analysis=analysis,
    )


def _problem_verdict(error: Exception) -> str:
    return f"No chart: the readings cannot be analysed. {error}"


def summarise_measures(measures) -> dict[int, MeasureSummary]:
    """measure id -> MeasureSummary, from each measure's prefetched readings."""
    return {measure.pk: summarise(measure) for measure in measures}


# --- Writes -------------------------------------------------------------------------------------


class ReadingsConflict(Exception):
    """Someone else recorded readings for some of the same dates while these were being checked."""


def save_readings(*, measure: Measure, rows, user, replace: bool) -> tuple[int, int]:
    """Save checked rows (objects with date, value, note) in one transaction.

    New dates are created; dates already recorded are updated when ``replace`` is set, recording who
    changed them. Returns (created, replaced). Raises ReadingsConflict, saving nothing, when a date
    is already recorded and ``replace`` is not set (someone saved it in the meantime).
    """
    rows = list(rows)
    try:
        with transaction.atomic():
            existing = {
                reading.date: reading
                for reading in Reading.objects.select_for_update().filter(
                    measure=measure, date__in=[row.date for row in rows]
                )
            }
            if existing and not replace:
                raise ReadingsConflict(sorted(existing))
            created = [
                Reading(
                    measure=measure,
                    date=row.date,
                    value=row.value,
                    note=row.note,
                    entered_by=user,
                )
                for row in rows
                if row.date not in existing
            ]
            Reading.objects.bulk_create(created)
            announce_change([measure.objective_id])
            changed = []
            for row in rows:
                reading = existing.get(row.date)
                if reading is not None:
                    reading.value = row.value
                    reading.note = row.note
                    reading.entered_by = user
                    changed.append(reading)
            if changed:
                Reading.objects.bulk_update(changed, ["value", "note", "entered_by"])
    except IntegrityError as error:
        raise ReadingsConflict([]) from error
    return len(created), len(changed)


def add_rebase(*, measure: Measure, when: dt.date) -> None:
    """Recalculate the measure's limits from ``when`` (a new phase)."""
    _change_rebases(measure, add=when)


def remove_rebase(*, measure: Measure, when: dt.date) -> None:
    _change_rebases(measure, remove=when)


def _change_rebases(measure: Measure, *, add: dt.date | None = None, remove=None) -> None:
    with transaction.atomic():
        current = (
            Measure.objects.select_for_update()
            .values_list("rebase_dates", flat=True)
            .get(pk=measure.pk)
            or []
        )
        dates = {str(value) for value in current}
        if add is not None:
            dates.add(add.isoformat())
        if remove is not None:
            dates.discard(remove.isoformat())
        measure.rebase_dates = sorted(dates)
        Measure.objects.filter(pk=measure.pk).update(rebase_dates=measure.rebase_dates)
        announce_change([measure.objective_id])


def rebase_dates(measure: Measure) -> list[dt.date]:
    """The measure's rebase dates as dates, in order; anything unreadable is left out."""
    dates = []
    for value in measure.rebase_dates or []:
        try:
            dates.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return sorted(dates)
