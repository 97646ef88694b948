"""{% measure_panels measures as panels %}: the objective detail's measure panels, built from the
measures' prefetched readings (objectives/views/measures.py)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def measure_panels(context, measures):
    from objectives.views.measures import build_panels

    return build_panels(context["request"].user, measures)


MARKS = {
    "common_cause": "~",
    "improvement_high": "H",
    "improvement_low": "L",
    "concern_high": "H",
    "concern_low": "L",
    "neither_high": "H",
    "neither_low": "L",
    "pass": "P",
    "fail": "F",
    "hit_and_miss": "?",
}


@register.filter
def spc_mark(code) -> str:
    """The letter inside a Making Data Count icon; the icon's text always goes beside it."""
    return MARKS.get(str(code), "")


@register.filter
def spc_value(value, unit="") -> str:
    """A number as the charts and verdicts write it: 65%, 1,234 days."""
    from objectives.spc import format_value

    if value is None or value == "":
        return ""
    return format_value(float(value), unit or "")
