"""What a review pack shows, as plain values: a `Pack` of sections and rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from objectives import spc

MONTH_LABELS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


@dataclass(frozen=True)
class FlagView:
    """A stored finding (risks.models.Finding) as the pack prints it, in words."""

    rule: str
    severity: str
    explanation: str
    acknowledged: bool

    @classmethod
    def of(cls, flag) -> FlagView:
        return cls(
            flag.get_rule_display(),
            flag.get_level_display(),
            flag.explanation,
            flag.is_acknowledged,
        )


@dataclass
class TeamView:
    team: str
    role: str
    rating: str | None
    period: str
    going_well: str
    not_going_well: str
    risks: str
    author: str
    commitment: str


@dataclass
class HistoryRow:
    team: str
    cells: list  # 12 ratings (None = not reported), April first


@dataclass
class MilestoneRow:
    title: str
    due: dt.date
    done: dt.date | None
    team: str
    overdue: bool


@dataclass
class MeasureView:
    name: str
    unit: str
    direction: str
    direction_label: str
    baseline: float | None
    target: float | None
    target_date: dt.date | None
    readings: list  # [(date, value)]
    rebase_dates: list
    verdict: str
    variation: str
    assurance: str
    notes: tuple = ()
    latest: str = ""
    analysis: object = None  # spc.Analysis when the readings can be analysed

    @property
    def target_text(self) -> str:
        """ "target 60% by 31 Mar 2025", or "no target"."""
        if self.target is None:
            return "no target"
        text = f"target {spc.format_value(self.target, self.unit)}"
        if self.target_date:
            text += f" by {self.target_date.day} {self.target_date:%b %Y}"
        return text


@dataclass
class DependencyRow:
    relation: str  # "Needs" or "Needed by"
    ref: str
    title: str
    need: str
    rating: str | None


@dataclass
class AskRow:
    from_team: str
    to_team: str
    text: str
    raised: str


@dataclass
class ObjectiveSection:
    number: int
    id: int
    ref: str
    title: str
    description: str
    lead_team: str
    owner: str
    delivery_date: dt.date | None
    state: str
    priority: str
    worst_rating: str | None
    views: list[TeamView] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)
    measure: MeasureView | None = None
    dependencies: list[DependencyRow] = field(default_factory=list)
    asks: list[AskRow] = field(default_factory=list)
    impact: list = field(default_factory=list)  # [(question, answer)]
    flags: list = field(default_factory=list)  # [FlagView], most severe first
    decisions: list = field(default_factory=list)  # [DecisionRow]

    @property
    def key(self) -> str:
        return f"objective-{self.id}"

    @property
    def url(self) -> str:
        return reverse("objectives:detail", args=[self.id])


@dataclass
class ActionRow:
    what: str
    owner: str
    team: str
    due: dt.date | None
    objective: str
    state: str
    state_label: str
    note: str
    overdue: bool


@dataclass
class DecisionRow:
    objective_ref: str
    objective_title: str
    kind: str
    why: str
    recorded_by: str
    at: dt.datetime


@dataclass
class ChangeRow:
    ref: str
    title: str
    team: str
    before: str | None
    after: str | None


@dataclass
class FlaggedRow:
    ref: str
    title: str
    key: str
    flags: list


@dataclass
class AppendixRow:
    ref: str
    title: str
    lead_team: str
    teams: int
    rating: str | None
    state: str
    delivery_date: dt.date | None
    in_focus: bool


@dataclass
class Pack:
    day_id: int
    title: str
    date: dt.date
    venue: str
    purpose: str
    plan: str
    teams: list[str]
    facilitator: str
    marking: str
    html_url: str
    as_at: dt.datetime
    data_as_at: dt.datetime | None  # the newest status update shown
    scale: list  # ratings offered, best first
    summary: dict  # team name -> {rating or "": count}
    flagged: list[FlaggedRow]
    previous_title: str
    previous_date: dt.date | None
    changes: list[ChangeRow]
    previous_actions: list[ActionRow]
    actions: list[ActionRow]
    decisions: list[DecisionRow]
    sections: list[ObjectiveSection]
    appendix: list[AppendixRow]
    sessions: list = field(default_factory=list)  # [(time, title, [refs])]

    @property
    def pack_title(self) -> str:
        return f"Review pack: {self.title}"

    @property
    def months(self):
        return MONTH_LABELS
