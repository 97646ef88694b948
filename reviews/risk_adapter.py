"""The risk engine and the chart builder, when they have landed.

objectives/risk_loader.py (the risk engine's entry point) and objectives/charts.py are built
alongside this app. Until they exist the pack
and the planning page say that risk flags (or charts) are not available yet instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_AVAILABLE = "Risk flags are not available yet."


@dataclass(frozen=True)
class FlagView:
    rule: str
    severity: str
    explanation: str
    acknowledged: bool


@dataclass(frozen=True)
class RiskView:
    objective_id: int
    score: float
    flags: tuple[FlagView, ...]


def _engine():
    try:
        from objectives import risk_loader
    except ImportError:
        return None
    return getattr(risk_loader, "evaluate", None)


def available() -> bool:
    return _engine() is not None


def evaluate(plan, objectives, *, today) -> dict[int, RiskView] | None:
    """objective id -> its flags, most severe first; None when the risk engine is not there.

    `objectives` is a queryset of objectives of `plan`."""
    evaluate_plan = _engine()
    if evaluate_plan is None:
        return None
    results = evaluate_plan(plan, objectives=objectives, today=today)
    views = {}
    for result in results:
        flags = tuple(
            FlagView(
                rule=str(getattr(flag, "rule_label", "") or _text(getattr(flag, "rule", ""))),
                severity=_text(getattr(flag, "severity", "")),
                explanation=str(getattr(flag, "explanation", "")),
                acknowledged=bool(
                    getattr(flag, "is_acknowledged", getattr(flag, "acknowledged", False))
                ),
            )
            for flag in result.flags
        )
        views[result.objective_id] = RiskView(
            objective_id=result.objective_id, score=float(result.score or 0), flags=flags
        )
    return views


def _text(value) -> str:
    label = getattr(value, "label", None)
    return str(label if label is not None else value).replace("_", " ")


def charts():
    """objectives.charts when it has landed, else None."""
    try:
        from objectives import charts as chart_module
    except ImportError:
        return None
    return chart_module
