"""Series shared by the SPC tests.

Most series start from BASE, twelve readings that alternate 12, 10:
    mean = (12 + 10) × 6 / 12 = 11
    moving ranges: eleven of |10 − 12| = 2, so mean mR = 22 / 11 = 2
    process limits = 11 ± 2.66 × 2 = 11 ± 5.32 → 5.68 and 16.32
    near-limit band beyond two thirds of that: 11 ± 5.32 × 2 / 3 = 11 ± 3.5466… → beyond
    7.4533… and 14.5466…
BASE never triggers a rule: it alternates sides and directions and stays inside the band's edges.
Readings added after it do not move the limits (the baseline is the first 12). BASE ends on 10
(index 11), below the mean, after a fall from 12; many series add 11, exactly on the mean, to
break a run.
"""

import datetime as dt

from objectives import spc

BASE = [12.0, 10.0] * 6
MEAN = 11.0
UPPER = 16.32
LOWER = 5.68
NEAR_UPPER = 14.546666666666667  # 11 + 5.32 × 2 / 3
NEAR_LOWER = 7.453333333333333
START = dt.date(2023, 5, 1)  # reading 13 (index 13) falls in June 2024


def month(index: int, start: dt.date = START) -> dt.date:
    year, month0 = divmod(start.month - 1 + index, 12)
    return dt.date(start.year + year, month0 + 1, 1)


def series(values, start: dt.date = START):
    return [(month(i, start), value) for i, value in enumerate(values)]


def analyse(values, **options) -> spc.Analysis:
    return spc.analyse(series(values), **options)


def spans_of(analysis, rule=None) -> list[tuple]:
    """(rule, side, start, end) of every span, or of one rule's."""
    return [
        (span.rule, span.side, span.start, span.end)
        for span in analysis.spans
        if rule is None or span.rule == rule
    ]
