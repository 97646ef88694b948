"""Readings and dates for people: "61.2%", "45.5% to 58.1%", "£1,234", "June 2024"."""

from __future__ import annotations

from datetime import date

MONTHS = (None, "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
PREFIX_UNITS = frozenset({"£", "$", "€"})


def format_value(value: float, unit: str = "") -> str:
    """A reading for people: 3 significant figures, whole numbers from 1,000 up.

    65.0 → "65%", 61.234 → "61.2%", 1234.5 → "1,234 days", 0.1234 → "0.123", £ goes in front.
    """
    text = f"{value:.3g}"
    if "e" in text:  # 1,000 or more, or under 0.0001
        text = f"{value:,.0f}" if abs(value) >= 1 else f"{value:.1e}"
    if unit == "%":
        return text + "%"
    if not unit:
        return text
    if unit in PREFIX_UNITS:
        return "-" + unit + text[1:] if value < 0 else unit + text
    return text + " " + unit


def format_range(low: float, high: float, unit: str = "") -> str:
    """Two readings for people: "45.5% to 58.1%", "3.5 to 7 days", "£12 to £20"."""
    if unit == "%" or unit in PREFIX_UNITS:
        return f"{format_value(low, unit)} to {format_value(high, unit)}"
    text = f"{format_value(low)} to {format_value(high)}"
    return f"{text} {unit}" if unit else text


def month(when: date) -> str:
    """ "June 2024"."""
    return f"{MONTHS[when.month]} {when.year}"


def day(when: date) -> str:
    """ "1 June 2024"."""
    return f"{when.day} {MONTHS[when.month]} {when.year}"
