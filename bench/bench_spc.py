"""How long SPC takes over every measure, against a floor that only sums.

    python bench/bench_spc.py [--measures 5000 --readings 24 --seed 1]
    DJANGO_SETTINGS_MODULE=config.settings python bench/bench_spc.py --from-db

The floor computes, for the same series, only the mean and the moving ranges (and their mean), the
plain way (list comprehensions): the least any XmR chart must do. The full run is ``spc.analyse()``
(limits and every reading tagged by the four rules), ``spc.verdict()`` and ``spc.summarise()``:
what the measure page, the review pack and the risk engine need for every measure. Each is timed 9
times in the same process, alternating, and the medians are compared, in CPU time of the process
(the 2 cores are shared, so wall time also counts other people's work) and, for information, in
wall time.

Goal: the full run under 0.5 seconds for 5,000 measures (the budget for SPC over every measure of
the large seed). The ratio to the floor is printed for information: the rules are plain Python,
written to be read, so they cost many times the two sums of the floor.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from objectives import spc  # noqa: E402

REPEATS = 9
TOTAL_GOAL = 0.5
UNITS = ("%", "days", "", "per 1,000")


class Series:
    __slots__ = ("rows", "direction", "target", "rebase_dates", "unit")

    def __init__(self, rows, direction, target, rebase_dates, unit):
        self.rows = rows
        self.direction = direction
        self.target = target
        self.rebase_dates = rebase_dates
        self.unit = unit


def month(start_index: int) -> date:
    """The 1st of the month, counting months from April 2022."""
    year, month0 = divmod(3 + start_index, 12)
    return date(2022 + year, month0 + 1, 1)


def synthetic(measures: int, readings: int, seed: int) -> list[Series]:
    """Monthly series: a level that wanders (random walk), noise, and now and then a step shift."""
    rng = random.Random(seed)
    dates = [month(i) for i in range(readings)]
    series = []
    for _ in range(measures):
        level = rng.uniform(20, 80)
        drift = rng.uniform(0.1, 1.5)
        noise = rng.uniform(0.5, 4)
        shift_at = rng.randrange(readings) if rng.random() < 0.3 else None
        shift = rng.choice((-1, 1)) * rng.uniform(2, 6) * noise
        rows = []
        for i, when in enumerate(dates):
            level += rng.gauss(0, drift)
            if i == shift_at:
                level += shift
            rows.append((when, round(level + rng.gauss(0, noise), 1)))
        direction = rng.choice(spc.DIRECTIONS)
        target = None
        if direction != spc.NEITHER and rng.random() < 0.7:
            target = round(rng.uniform(20, 80), 0)
        rebase = ()
        if shift_at is not None and 2 <= shift_at <= readings - 2 and rng.random() < 0.5:
            rebase = (dates[shift_at],)
        series.append(Series(rows, direction, target, rebase, rng.choice(UNITS)))
    return series


def from_db() -> list[Series]:
    """Every measure with its readings, in two queries."""
    import django

    django.setup()
    from objectives.models import Measure, Reading

    rows_by_measure: dict[int, list] = {}
    readings = Reading.objects.order_by("measure_id", "date").values_list(
        "measure_id", "date", "value"
    )
    for measure_id, when, value in readings:
        rows_by_measure.setdefault(measure_id, []).append((when, value))
    series = []
    for measure in Measure.objects.order_by("pk").only(
        "pk", "direction", "target_value", "rebase_dates", "unit"
    ):
        series.append(
            Series(
                rows_by_measure.get(measure.pk, []),
                measure.direction,
                measure.target_value,
                tuple(measure.rebase_dates or ()),
                measure.unit,
            )
        )
    return series


def floor(all_series: list[Series]) -> None:
    for s in all_series:
        values = [value for _, value in s.rows]
        n = len(values)
        if n < 2:
            continue
        mean = sum(values) / n
        moving_ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
        mean_mr = sum(moving_ranges) / len(moving_ranges)
        del mean, mean_mr


def full(all_series: list[Series]) -> None:
    for s in all_series:
        analysis = spc.analyse(
            s.rows, direction=s.direction, target=s.target, rebase_dates=s.rebase_dates
        )
        spc.verdict(analysis, unit=s.unit)
        spc.summarise(analysis)


def timed(fn, all_series) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) that ``fn`` takes."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn(all_series)
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=5000)
    parser.add_argument("--readings", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--from-db", action="store_true", help="read Measure and Reading rows")
    args = parser.parse_args(argv)

    all_series = from_db() if args.from_db else synthetic(args.measures, args.readings, args.seed)
    measures = len(all_series)
    readings = sum(len(s.rows) for s in all_series)
    if not measures:
        print("no measures to time")
        return 1

    # warm up once, then alternate so that both see the same machine state
    floor(all_series)
    full(all_series)
    times = {fn: [] for fn in (floor, full)}
    for _ in range(REPEATS):
        for fn, runs in times.items():
            runs.append(timed(fn, all_series))
    # medians of CPU time [0] and of wall time [1]
    (floor_s, spc_s), (floor_wall, spc_wall) = (
        [statistics.median(run[which] for run in runs) for runs in times.values()]
        for which in (0, 1)
    )

    print(f"measures               {measures}")
    print(f"readings               {readings}")
    print(f"floor median s (CPU)   {floor_s:.6f}  (wall {floor_wall:.6f})")
    print(f"spc median s (CPU)     {spc_s:.6f}  (wall {spc_wall:.6f})")
    print(f"time per measure µs    {spc_s / measures * 1e6:.2f}")
    print(f"ratio spc/floor = {spc_s / floor_s:.2f}; wall {spc_wall / floor_wall:.2f}")
    print(f"total = {spc_s:.3f} s (goal < {TOTAL_GOAL} s); wall {spc_wall:.3f} s")
    return 0 if spc_s < TOTAL_GOAL else 2


if __name__ == "__main__":
    sys.exit(main())
