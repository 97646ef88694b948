"""Demo collaboration days for seed_demo: one past (with actions and decisions), one upcoming."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from objectives.models import Objective, Team

from . import services
from .models import ActionState, DecisionKind

PAST_DAY = dt.date(2024, 9, 12)
NEXT_DAY = dt.date(2024, 11, 28)

URGENT_CARE_TEAMS = [
    "NHS 111 online",
    "Directory of Services",
    "Urgent and emergency care operations",
    "Using data to improve",
    "Regional performance",
    "Ambulance flow",
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def build_days(plan) -> list:
    users = {u.username: u for u in get_user_model().objects.all()}
    teams = {t.name: t for t in Team.objects.filter(name__in=URGENT_CARE_TEAMS + ["NHS App"])}
    objectives = {o.ref: o for o in Objective.objects.filter(plan=plan)}
    director = users.get("director")

    past = services.create_day(
        title="Mid-year review: urgent care pathway",
        date=PAST_DAY,
        venue="Wellington Place, Leeds – room 4.12",
        purpose="Halfway through the year: are the shared urgent care objectives on course, "
        "and what do the teams need from each other to finish the year well?",
        plan=plan,
        teams=[teams[name] for name in URGENT_CARE_TEAMS],
        facilitator=director,
        created_by=director,
        focus_limit=6,
    )
    focus = [f.objective for f in past.focus.select_related("objective")]
    for starts, title, refs in [
        (dt.time(9, 30), "Welcome, and what each team said at mid-year", []),
        (dt.time(10, 15), "Where teams disagree", [o.ref for o in focus[:3]]),
        (dt.time(11, 45), "Measures and what the data says", [o.ref for o in focus[3:6]]),
        (dt.time(14, 0), "Decisions and actions", []),
    ]:
        services.add_session(
            day=past,
            starts_at=starts,
            title=title,
            objectives=[objectives[r] for r in refs if r in objectives],
        )
    first = focus[0] if focus else None
    second = focus[1] if len(focus) > 1 else first
    actions = [
        (
            "Agree one definition of 'first recommended service taken up' for 111 and ICB "
            "dashboards",
            "okafor",
            "Using data to improve",
            dt.date(2024, 10, 11),
            first,
            ActionState.DONE,
            "Definition published on the data dictionary on 9 October.",
        ),
        (
            "Share the provider self-service editor's supplier plan with Urgent and emergency care "
            "operations",
            "lead",
            "Directory of Services",
            dt.date(2024, 10, 31),
            second,
            ActionState.OPEN,
            "",
        ),
        (
            "Run a joint data quality review of Directory of Services profiles in two regions",
            "murray",
            "Urgent and emergency care operations",
            dt.date(2024, 11, 8),
            first,
            ActionState.OPEN,
            "",
        ),
        (
            "Restart the monthly regional data feed",
            "hughes",
            "Regional performance",
            dt.date(2024, 12, 13),
            None,
            ActionState.OPEN,
            "",
        ),
        (
            "Write to the programme board about extra supplier capacity",
            "director",
            "",
            dt.date(2024, 9, 30),
            second,
            ActionState.DROPPED,
            "Superseded: the board met early and agreed the capacity on 20 September.",
        ),
    ]
    for what, owner, team, due, objective, state, note in actions:
        action = services.record_action(
            day=past,
            what=what,
            created_by=director,
            owner=users.get(owner),
            team=teams.get(team),
            due_date=due,
            objective=objective,
        )
        if state != ActionState.OPEN:
            services.update_action(action=action, state=state, note=note)
    decisions = [
        (
            first,
            DecisionKind.CARRY_ON,
            "Teams agree the approach is right; the gap is data "
            "quality, which the joint review will address.",
        ),
        (
            second,
            DecisionKind.REBASELINE,
            "Supplier capacity arrives in November, so the "
            "self-service editor moves to a March launch.",
        ),
    ]
    if len(focus) > 2:
        decisions.append(
            (
                focus[2],
                DecisionKind.ESCALATE,
                "Regional data feeds have stopped for three months; "
                "the director will raise it with regional directors.",
            )
        )
    for n, (objective, kind, why) in enumerate(decisions):
        if objective is not None:
            services.record_decision(
                day=past,
                objective=objective,
                kind=kind,
                why=why,
                recorded_by=director,
                at=_at(PAST_DAY, 15, 10 * n),
            )

    upcoming = services.create_day(
        title="Winter readiness: urgent care collaboration day",
        date=NEXT_DAY,
        venue="Quarry House, Leeds – conference suite",
        purpose="Check the shared urgent care objectives before winter, follow up September's "
        "actions and agree what each team will stop, start or change.",
        plan=plan,
        teams=[teams[name] for name in URGENT_CARE_TEAMS + ["NHS App"] if name in teams],
        facilitator=director,
        created_by=director,
        focus_limit=8,
    )
    upcoming_focus = [f.objective for f in upcoming.focus.select_related("objective")]
    for starts, title, refs in [
        (dt.time(9, 30), "September's actions: what happened", []),
        (dt.time(10, 0), "Flagged objectives", [o.ref for o in upcoming_focus[:4]]),
        (
            dt.time(11, 30),
            "The rest of the objectives in focus",
            [o.ref for o in upcoming_focus[4:]],
        ),
        (dt.time(14, 0), "Winter: stop, start, change", []),
        (dt.time(15, 30), "Actions and close", []),
    ]:
        services.add_session(
            day=upcoming,
            starts_at=starts,
            title=title,
            objectives=[objectives[r] for r in refs if r in objectives],
        )
    return [past, upcoming]
