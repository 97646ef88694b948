"""Statistical process control for measures: XmR charts read the NHS "Making Data Count" way.

What it decides, for one measure's readings: the centre line and process limits, which readings
are *special cause* (and whether that is improvement or concern), the variation and assurance icons
for the latest reading, and a one-line verdict in plain English.

Where the numbers come from (NHS England, "Making Data Count", and any SPC text on XmR charts):

- Centre line: the mean of the baseline readings, the first ``BASELINE_POINTS`` (12) of each phase.
  With fewer, the limits are *trial* limits and move as readings arrive. The mean is exact
  (``rules.mean``): twelve readings of 95.1 have mean 95.1, so a reading on the mean is on it.
- Moving range: mR = |xᵢ − xᵢ₋₁|, between neighbouring baseline readings of a phase.
- Process limits: mean ± 2.66 × mean mR. 2.66 = 3 / d2 with d2 = 1.128, the bias constant for
  ranges of two readings, so the limits sit at three estimated standard deviations.
- Near-limit band: beyond two thirds of the way from the mean to each limit (two standard
  deviations), up to and including the limit.
- Moving-range screening (optional, off by default as in the NHS Excel tools): drop moving ranges
  ≥ 3.267 × their mean, then take the mean again. 3.267 = D4 for subgroups of two, the upper limit
  of a moving-range chart.

Special-cause rules, run within a phase (a rebase starts a new phase with its own limits):

- outside: a reading above the upper or below the lower process limit (strictly);
- trend: ``run_length`` readings in a row, each strictly higher (or each strictly lower) than the
  one before; equal neighbours break it; it may cross the mean;
- two of three: two of three neighbouring readings in the near-limit band, with all three on the
  same side of the mean; only the readings in the band are tagged;
- run: ``run_length`` readings in a row all above or all below the mean; one on the mean breaks it.

``run_length`` is 7 by default; 6 is allowed. A reading that triggers several rules is described by
the first of: outside, trend, two of three, run. The reading at the turn between a rising and a
falling trend is part of both and described by the later one (as NHS-R's NHSRplotthedots does).

The modules, each plain Python over plain values (no Django, no database):

- ``readings``: checking and converting the (date, value) rows; ``SeriesError`` says what is wrong;
- ``rules``: limits of a phase and the four rules, each written once;
- ``analysis``: ``analyse()`` tags every reading once, and the chart, its table, the icons, the
  verdict and the risk engine all read that one tagging;
- ``words``: numbers and sentences for people.
"""

from .analysis import (
    ASSURANCE_LABEL,
    VARIATION_LABEL,
    Analysis,
    Assurance,
    Signal,
    Summary,
    Variation,
    analyse,
    summarise,
    verdict,
)
from .readings import Problem, SeriesError, validate_series
from .rules import (
    BASELINE_POINTS,
    DIRECTIONS,
    HIGHER,
    LIMIT_FACTOR,
    LOWER,
    MIN_POINTS,
    NEITHER,
    RUN_LENGTH,
    RUN_LENGTHS,
    SCREEN_FACTOR,
    Kind,
    Phase,
    Rule,
    Side,
    Span,
    describe,
)
from .words import PREFIX_UNITS, format_range, format_value

__all__ = [
    "ASSURANCE_LABEL",
    "BASELINE_POINTS",
    "DIRECTIONS",
    "HIGHER",
    "LIMIT_FACTOR",
    "LOWER",
    "MIN_POINTS",
    "NEITHER",
    "PREFIX_UNITS",
    "RUN_LENGTH",
    "RUN_LENGTHS",
    "SCREEN_FACTOR",
    "VARIATION_LABEL",
    "Analysis",
    "Assurance",
    "Kind",
    "Phase",
    "Problem",
    "Rule",
    "SeriesError",
    "Side",
    "Signal",
    "Span",
    "Summary",
    "Variation",
    "analyse",
    "describe",
    "format_range",
    "format_value",
    "summarise",
    "validate_series",
    "verdict",
]
