"""What a review pack shows, loaded in a fixed number of queries into plain values.

Both the PDF (reviews/pdf/) and its HTML twin (templates/reviews/pack.html) render a `Pack`, so
they always say the same thing. `fingerprint()` hashes the rows a pack shows (ids, timestamps,
ratings) far more cheaply than loading them, so a download can be served from the cache until
something it shows has changed.

rows.py holds the values, loader.py loads them, fingerprint.py hashes what they come from.
"""

from .fingerprint import PACK_VERSION, fingerprint
from .loader import load
from .rows import (
    ActionRow,
    AppendixRow,
    AskRow,
    ChangeRow,
    DecisionRow,
    DependencyRow,
    FlaggedRow,
    FlagView,
    HistoryRow,
    MeasureView,
    MilestoneRow,
    ObjectiveSection,
    Pack,
    TeamView,
)

__all__ = [
    "PACK_VERSION",
    "ActionRow",
    "AppendixRow",
    "AskRow",
    "ChangeRow",
    "DecisionRow",
    "DependencyRow",
    "FlagView",
    "FlaggedRow",
    "HistoryRow",
    "MeasureView",
    "MilestoneRow",
    "ObjectiveSection",
    "Pack",
    "TeamView",
    "fingerprint",
    "load",
]
