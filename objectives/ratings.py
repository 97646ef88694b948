"""The delivery-confidence rating scale, its order and what each rating means.

The default is the five-point scale UK government major projects report against (the
Infrastructure and Projects Authority's delivery confidence assessment), best first: Green,
Amber/Green, Amber, Amber/Red, Red. Setting ``RATING_SCALE = 3`` switches to Green, Amber, Red.
"Not reported" is a state, not a colour, so it is not a member of the scale: code passes ``None``
for it.

Everything here is plain Python so the risk rules, the PDF pack and the templates share one truth.
"""

from __future__ import annotations

from django.db import models


class Rating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/Green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/Red"
    RED = "red", "Red"


FIVE_POINT = (Rating.GREEN, Rating.AMBER_GREEN, Rating.AMBER, Rating.AMBER_RED, Rating.RED)
THREE_POINT = (Rating.GREEN, Rating.AMBER, Rating.RED)

# Steps from Green: used for divergence ("two or more steps apart") and deterioration. Steps are
# measured on the five-point scale even when only three points are offered, so that Green to Red
# is always 4 steps and thresholds mean the same thing on both scales.
STEP = {rating.value: index for index, rating in enumerate(FIVE_POINT)}

HELP_TEXT = {
    Rating.GREEN: (
        "On track. We are highly confident of delivering on time and to the quality agreed; "
        "nothing major stands in the way."
    ),
    Rating.AMBER_GREEN: (
        "Probably on track, but it needs steady attention so that the risks we can see do not "
        "turn into real problems."
    ),
    Rating.AMBER: (
        "Achievable, but there are significant problems that need management attention now "
        "to keep it so."
    ),
    Rating.AMBER_RED: (
        "In doubt. There are major risks or problems in several areas; urgent action is "
        "needed to recover."
    ),
    Rating.RED: (
        "Looks unachievable as things stand. The problems do not look solvable without a "
        "change of scope, time, money or approach."
    ),
}

# Colours from the NHS identity palette; the word is always shown beside them.
COLOUR = {
    Rating.GREEN: "#007f3b",
    Rating.AMBER_GREEN: "#78be20",
    Rating.AMBER: "#ffb81c",
    Rating.AMBER_RED: "#ed8b00",
    Rating.RED: "#d5281b",
}

NOT_REPORTED_LABEL = "Not reported"


def scale(points: int = 5) -> tuple[Rating, ...]:
    """The ratings offered to users, best first."""
    if points == 3:
        return THREE_POINT
    if points == 5:
        return FIVE_POINT
    raise ValueError(f"RATING_SCALE must be 3 or 5, not {points!r}")


def step(rating: str | None) -> int | None:
    """0 for Green up to 4 for Red; None for not reported."""
    if rating is None or rating == "":
        return None
    return STEP[str(rating)]


def label(rating: str | None) -> str:
    if not rating:
        return NOT_REPORTED_LABEL
    return Rating(rating).label


def worst(ratings) -> str | None:
    """The worst of the given ratings, ignoring not-reported; None when nothing was reported."""
    reported = [r for r in ratings if r]
    if not reported:
        return None
    return max(reported, key=step)


def steps_apart(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    return abs(step(a) - step(b))


def is_low_confidence(rating: str | None) -> bool:
    """Amber/Red or Red."""
    return rating is not None and rating != "" and step(rating) >= STEP[Rating.AMBER_RED]


def at_or_worse_than(rating: str | None, threshold: str) -> bool:
    return bool(rating) and step(rating) >= step(threshold)


def css_class(rating: str | None) -> str:
    return f"rating--{rating}" if rating else "rating--none"
