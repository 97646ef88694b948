"""Risk flags as the pack prints them.

The one place in the PDF that knows what a flag looks like. Today a flag is the loader's
`reviews.pack.FlagView` (rule, severity, explanation, acknowledged); when the risks app's stored
findings replace it, adapt these four accessors and nothing else here changes.
"""

from __future__ import annotations


def flag_severity(flag) -> str:
    """ "High", "Medium" or "Low"."""
    return str(flag.severity).capitalize()


def flag_label(flag) -> str:
    """The rule that raised it, in words: "Divergence", "Off trajectory"…"""
    return str(flag.rule)


def flag_explanation(flag) -> str:
    return str(flag.explanation)


def flag_acknowledged(flag) -> bool:
    return bool(flag.acknowledged)
