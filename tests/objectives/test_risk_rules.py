"""The at-risk rules (objectives/risk.py): each fires, just doesn't at its threshold, and explains
itself with the exact sentence. Pure functions, so "today" is passed in: time is frozen by
construction (and frozen with time-machine too, so nothing can read the real clock unnoticed)."""

import datetime as dt

import pytest
import time_machine

from objectives import risk
from objectives.models import month_bounds
from objectives.risk import (
    Acknowledgement,
    DependencyFact,
    MeasureFact,
    MilestoneFact,
    ObjectiveFacts,
    PeriodFact,
    PlanFacts,
    Report,
    TeamView,
)
from objectives.spc import Assurance, Summary, Variation

TODAY = dt.date(2024, 11, 15)
PLAN_START = dt.date(2024, 4, 1)
PLAN = PlanFacts(
    "2024/25",
    PLAN_START,
    dt.date(2025, 3, 31),
    tuple(PeriodFact(m, *month_bounds(PLAN_START, m)) for m in range(1, 13)),
)
G, AG, A, AR, R = "green", "amber_green", "amber", "amber_red", "red"
MONTH = {"apr": 1, "may": 2, "jun": 3, "jul": 4, "aug": 5, "sep": 6, "oct": 7, "nov": 8}

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def frozen_clock():
    with time_machine.travel(dt.datetime(2024, 11, 15, 12, 0), tick=False):
        yield


def report(month: str, rating: str, on: dt.date | None = None) -> Report:
    number = MONTH[month]
    end = month_bounds(PLAN_START, number)[1]
    return Report(number, end, rating, on or end)


def team(name, *reports, role="contributor", commitment="Deliver our part", has_lead=True):
    return TeamView(
        team=name,
        role=role,
        commitment=commitment,
        has_lead_member=has_lead,
        history=tuple(reports),
    )


def lead(name, *reports, **kwargs):
    return team(name, *reports, role="lead", commitment="", **kwargs)


def objective(*teams, objective_id=1, ref="DIG-01", **kwargs) -> ObjectiveFacts:
    kwargs.setdefault("title", "Make profiles self-maintainable")
    kwargs.setdefault("delivery_date", dt.date(2025, 3, 31))
    kwargs.setdefault("lead_team", teams[0].team if teams else None)
    return ObjectiveFacts(objective_id=objective_id, ref=ref, teams=teams, **kwargs)


def flags_of(facts, *, today=TODAY, plan=PLAN, **settings):
    return risk.evaluate_facts([facts], plan=plan, today=today, settings=settings)[
        facts.objective_id
    ]


def explained(facts, rule, **kwargs) -> list[tuple[str, str, str]]:
    """(severity, subject, explanation) of the flags of one rule."""
    return [
        (flag.severity, flag.subject, flag.explanation)
        for flag in flags_of(facts, **kwargs)
        if flag.rule == rule
    ]


# --- 1. Low confidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (R, [("high", "Ambulance flow", "Ambulance flow reported Red on 29 October 2024.")]),
        (
            AR,
            [("medium", "Ambulance flow", "Ambulance flow reported Amber/Red on 29 October 2024.")],
        ),
        (A, []),  # the threshold: Amber is not low confidence
    ],
)
def test_low_confidence_flags_amber_red_and_red(rating, expected):
    facts = objective(lead("Ambulance flow", report("oct", rating, dt.date(2024, 10, 29))))
    assert explained(facts, "low_confidence") == expected


# --- 2. Divergence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digital", "operations", "expected"),
    [
        (
            G,
            AR,
            [
                (
                    "high",
                    "",
                    "Digital says Green (30 September 2024), Operations says Amber/Red "
                    "(31 October 2024): 3 steps apart.",
                )
            ],
        ),
        (
            G,
            A,
            [
                (
                    "medium",
                    "",
                    "Digital says Green (30 September 2024), Operations says Amber "
                    "(31 October 2024): 2 steps apart.",
                )
            ],
        ),
        (G, AG, []),  # one step apart: just under the threshold
    ],
)
def test_divergence_flags_shared_objectives_whose_teams_are_two_steps_apart(
    digital, operations, expected
):
    facts = objective(
        lead("Digital", report("sep", digital), report("oct", digital, dt.date(2024, 9, 30))),
        team("Operations", report("oct", operations)),
    )
    assert explained(facts, "divergence") == expected


def test_divergence_needs_two_teams_with_a_view():
    facts = objective(lead("Digital", report("oct", G)), team("Operations"))
    assert explained(facts, "divergence") == []


# --- 3. Silence ----------------------------------------------------------------------------------


def test_silence_names_the_silent_team_the_periods_it_missed_and_the_last_other_report():
    facts = objective(
        lead("Digital", report("sep", A), report("oct", A, dt.date(2024, 10, 1))),
        team("Operations", report("jun", AG), report("jul", AG)),
    )
    assert explained(facts, "silence") == [
        (
            "high",
            "Operations",
            "Operations has not reported since 31 July 2024 and missed August, September and "
            "October 2024; Digital reported Amber on 1 October 2024.",
        )
    ]


@pytest.mark.parametrize(
    ("reports", "today", "expected"),
    [
        # Reported for the last closed period (October): not silent.
        ([report("oct", G, dt.date(2024, 10, 31))], TODAY, []),
        # October is not closed until it is over.
        ([report("sep", G)], dt.date(2024, 10, 31), []),
        (
            [report("sep", G)],
            dt.date(2024, 11, 1),
            [
                (
                    "low",
                    "Digital",
                    "Digital has not reported since 30 September 2024 and missed October 2024.",
                )
            ],
        ),
        # Reported for October early, on 1 October: 45 days later is the threshold...
        ([report("oct", G, dt.date(2024, 10, 1))], dt.date(2024, 11, 15), []),
        # ... and 46 days is silence.
        (
            [report("oct", G, dt.date(2024, 10, 1))],
            dt.date(2024, 11, 16),
            [("low", "Digital", "Digital has not reported for 46 days, since 1 October 2024.")],
        ),
        (
            [],
            TODAY,
            [
                (
                    "high",
                    "Digital",
                    "Digital has not reported at all; it missed 7 periods, April to October 2024.",
                )
            ],
        ),
    ],
)
def test_silence_is_missing_the_last_closed_period_or_more_than_45_days(reports, today, expected):
    facts = objective(lead("Digital", *reports), delivery_date=None)
    assert explained(facts, "silence", today=today) == expected


def test_silence_is_medium_after_two_missed_periods():
    facts = objective(lead("Digital", report("aug", AG)), delivery_date=None)
    assert explained(facts, "silence") == [
        (
            "medium",
            "Digital",
            "Digital has not reported since 31 August 2024 and missed September and October 2024.",
        )
    ]


# --- 4. Deterioration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        (
            {"aug": AG, "sep": AG, "oct": AR},
            [
                (
                    "medium",
                    "Ambulance flow",
                    "Ambulance flow's rating fell 2 steps, from Amber/Green in August 2024 to "
                    "Amber/Red in October 2024.",
                )
            ],
        ),
        (
            {"aug": G, "sep": A, "oct": R},
            [
                (
                    "high",
                    "Ambulance flow",
                    "Ambulance flow's rating fell 4 steps, from Green in August 2024 to Red in "
                    "October 2024.",
                )
            ],
        ),
        # One step within the window: just under the threshold.
        ({"aug": G, "sep": AG, "oct": AG}, []),
        # Two steps, but the better rating is outside the window of the last three updates.
        ({"jul": G, "aug": AG, "sep": AG, "oct": A}, []),
        # Recovering is not deteriorating.
        ({"aug": R, "sep": A, "oct": G}, []),
    ],
)
def test_deterioration_is_a_fall_of_two_steps_across_the_last_three_updates(ratings, expected):
    facts = objective(
        lead("Ambulance flow", *(report(m, r) for m, r in ratings.items())), delivery_date=None
    )
    assert explained(facts, "deterioration") == expected


def test_deterioration_also_catches_falls_in_consecutive_periods():
    # With the step threshold raised to 3, two one-step falls in a row still count.
    facts = objective(
        lead("Ambulance flow", report("aug", G), report("sep", AG), report("oct", A)),
        delivery_date=None,
    )
    assert explained(facts, "deterioration", deterioration_steps=3) == [
        (
            "medium",
            "Ambulance flow",
            "Ambulance flow's rating fell in consecutive periods: Green in August 2024, "
            "Amber/Green in September 2024 and Amber in October 2024.",
        )
    ]


def test_falls_with_a_missed_period_between_are_not_consecutive():
    facts = objective(
        lead("Ambulance flow", report("jul", G), report("sep", AG), report("oct", A)),
        delivery_date=None,
    )
    assert explained(facts, "deterioration", deterioration_steps=3) == []


# --- 5. Overdue milestones -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        (
            [MilestoneFact("Beta live", dt.date(2024, 11, 14), team="Digital")],
            [
                (
                    "medium",
                    "",
                    "1 milestone is overdue: Beta live (due 14 November 2024, Digital).",
                )
            ],
        ),
        (
            [
                MilestoneFact("Beta live", dt.date(2024, 9, 30), team="Digital"),
                MilestoneFact("Pilot", dt.date(2024, 10, 31)),
            ],
            [
                (
                    "high",
                    "",
                    "2 milestones are overdue: Beta live (due 30 September 2024, Digital) and "
                    "Pilot (due 31 October 2024).",
                )
            ],
        ),
        # Due today is not yet overdue.
        ([MilestoneFact("Beta live", TODAY)], []),
        # Done is done, even if late.
        ([MilestoneFact("Beta live", dt.date(2024, 9, 30), dt.date(2024, 10, 2))], []),
    ],
)
def test_overdue_milestones_are_past_due_and_not_done(milestones, expected):
    facts = objective(lead("Digital", report("oct", A)), milestones=tuple(milestones))
    assert explained(facts, "overdue_milestones", today=TODAY) == expected


def test_a_milestone_done_after_the_day_evaluated_was_still_overdue_then():
    milestone = MilestoneFact("Beta live", dt.date(2024, 9, 30), dt.date(2024, 11, 20))
    facts = objective(lead("Digital", report("oct", A)), milestones=(milestone,))
    assert [f.rule for f in flags_of(facts)].count("overdue_milestones") == 1


# --- 6. Off trajectory ---------------------------------------------------------------------------

# Baseline 60% on 1 January, target 70% on 31 January: on 16 January the line stands at exactly 65%
# and the tolerance is 10% of the 10-point distance, exactly 1 point.
LINE = {
    "name": "Uptake",
    "unit": "%",
    "direction": "higher",
    "baseline_value": 60.0,
    "baseline_date": dt.date(2024, 1, 1),
    "target_value": 70.0,
    "target_date": dt.date(2024, 1, 31),
    "latest_date": dt.date(2024, 1, 16),
}


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (
            63.9,
            [
                (
                    "medium",
                    "Uptake",
                    "Uptake was 63.9% on 16 January 2024, behind the 65% expected by then on the "
                    "way from 60% on 1 January 2024 to 70% by 31 January 2024.",
                )
            ],
        ),
        (64.0, []),  # exactly the tolerance behind: not off trajectory
        (
            62.9,
            [
                (
                    "high",
                    "Uptake",
                    "Uptake was 62.9% on 16 January 2024, behind the 65% expected by then on the "
                    "way from 60% on 1 January 2024 to 70% by 31 January 2024.",
                )
            ],
        ),
    ],
)
def test_off_trajectory_is_behind_the_line_by_more_than_a_tenth_of_the_distance(latest, expected):
    facts = objective(
        lead("Digital", report("oct", A)), measures=(MeasureFact(latest_value=latest, **LINE),)
    )
    assert explained(facts, "off_trajectory") == expected


def test_off_trajectory_reads_lower_is_better_the_other_way():
    measure = MeasureFact(
        name="Handovers over 60 minutes",
        unit="",
        direction="lower",
        baseline_value=20.0,
        baseline_date=dt.date(2024, 1, 1),
        target_value=10.0,
        target_date=dt.date(2024, 1, 31),
        latest_value=16.5,
        latest_date=dt.date(2024, 1, 16),
    )
    facts = objective(lead("Ambulance flow", report("oct", A)), measures=(measure,))
    assert explained(facts, "off_trajectory") == [
        (
            "medium",
            "Handovers over 60 minutes",
            "Handovers over 60 minutes was 16.5 on 16 January 2024, behind the 15 expected by "
            "then on the way from 20 on 1 January 2024 to 10 by 31 January 2024.",
        )
    ]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (
            Summary(Variation.CONCERN_LOW, Assurance.HIT_AND_MISS, True),
            [
                (
                    "medium",
                    "Uptake",
                    "Uptake was 65% on 16 January 2024; its control chart shows special cause "
                    "concern at the latest reading.",
                )
            ],
        ),
        (
            Summary(Variation.COMMON_CAUSE, Assurance.FAIL, False),
            [
                (
                    "high",
                    "Uptake",
                    "Uptake was 65% on 16 January 2024; at this rate the target of 70% will "
                    "consistently be missed.",
                )
            ],
        ),
        (Summary(Variation.IMPROVEMENT_HIGH, Assurance.PASS, False), []),
        (Summary(Variation.COMMON_CAUSE, Assurance.HIT_AND_MISS, False), []),
    ],
)
def test_off_trajectory_also_reads_the_control_chart(summary, expected):
    measure = MeasureFact(latest_value=65.0, spc=summary, **LINE)
    facts = objective(lead("Digital", report("oct", A)), measures=(measure,))
    assert explained(facts, "off_trajectory") == expected


@pytest.mark.parametrize(
    "measure",
    [
        MeasureFact(name="No target", latest_value=1.0, latest_date=dt.date(2024, 10, 31)),
        MeasureFact(name="No readings", baseline_value=1.0, target_value=2.0),
        MeasureFact(
            name="Target before baseline",
            baseline_value=60.0,
            baseline_date=dt.date(2024, 6, 1),
            target_value=70.0,
            target_date=dt.date(2024, 1, 1),
            latest_value=0.0,
            latest_date=dt.date(2024, 10, 31),
        ),
        MeasureFact(
            name="Target equals baseline",
            baseline_value=60.0,
            baseline_date=dt.date(2024, 1, 1),
            target_value=60.0,
            target_date=dt.date(2025, 1, 1),
            latest_value=0.0,
            latest_date=dt.date(2024, 10, 31),
        ),
    ],
)
def test_measures_without_a_usable_target_raise_no_flag(measure):
    facts = objective(lead("Digital", report("oct", A)), measures=(measure,))
    assert explained(facts, "off_trajectory") == []


# --- 7. Optimism ---------------------------------------------------------------------------------


def test_optimism_is_a_team_saying_green_while_milestones_are_overdue_or_measures_off_track():
    facts = objective(
        lead("Digital", report("oct", G)),
        team("Operations", report("oct", AG)),
        team("Policy", report("oct", A)),
        milestones=(MilestoneFact("Beta live", dt.date(2024, 9, 30)),),
        measures=(MeasureFact(latest_value=63.0, **LINE),),
    )
    assert explained(facts, "optimism") == [
        (
            "medium",
            "Digital",
            "Digital says Green (31 October 2024) while 1 milestone is overdue and Uptake is off "
            "trajectory.",
        ),
        (
            "low",
            "Operations",
            "Operations says Amber/Green (31 October 2024) while 1 milestone is overdue and "
            "Uptake is off trajectory.",
        ),
    ]


def test_no_optimism_without_overdue_milestones_or_measures_off_track():
    facts = objective(
        lead("Digital", report("oct", G)),
        milestones=(MilestoneFact("Beta live", TODAY),),
        measures=(MeasureFact(latest_value=64.0, **LINE),),
    )
    assert explained(facts, "optimism") == []


# --- 8. Dependency -------------------------------------------------------------------------------


def _chain(c_rating, **kwargs):
    a = objective(
        lead("Digital", report("oct", G)),
        objective_id=1,
        ref="DIG-01",
        dependencies=(DependencyFact(2, "OPS-01", "Validated waiting lists"),),
    )
    b = objective(
        lead("Operations", report("oct", G)),
        objective_id=2,
        ref="OPS-01",
        title="Cut the long waits",
        dependencies=(DependencyFact(3, "OPS-02", "Data feeds"),),
    )
    c = objective(lead("Regions", report("oct", c_rating)), objective_id=3, ref="OPS-02")
    return risk.evaluate_facts([a, b, c], plan=PLAN, today=TODAY, settings=kwargs)


def test_dependency_flags_an_objective_whose_dependency_has_a_high_severity_flag():
    result = _chain(R)
    assert [
        (f.severity, f.subject, f.explanation) for f in result[2] if f.rule == "dependency"
    ] == [
        (
            "medium",
            "OPS-02",
            "It depends on OPS-02 (Make profiles self-maintainable) for data feeds, which has 2 "
            "high-severity flags: Low confidence: Regions and Time pressure.",
        )
    ]


def test_dependency_travels_one_level_by_default():
    result = _chain(R)
    assert [f for f in result[1] if f.rule == "dependency"] == []


def test_dependency_travels_further_when_the_depth_is_raised():
    result = _chain(R, dependency_depth=2)
    assert [f.explanation for f in result[1] if f.rule == "dependency"] == [
        "It depends on OPS-01 for validated waiting lists, which depends on OPS-02, which has 2 "
        "high-severity flags: Low confidence: Regions and Time pressure."
    ]


def test_no_dependency_flag_when_the_dependency_has_only_medium_flags():
    result = _chain(A)
    assert [f for f in result[2] if f.rule == "dependency"] == []


def test_circular_dependencies_are_flagged_and_do_not_loop():
    a = objective(
        lead("Digital", report("oct", G)),
        objective_id=1,
        ref="DIG-01",
        dependencies=(DependencyFact(2, "OPS-01"),),
    )
    b = objective(
        lead("Operations", report("oct", R)),
        objective_id=2,
        ref="OPS-01",
        dependencies=(DependencyFact(1, "DIG-01"),),
    )
    result = risk.evaluate_facts([a, b], plan=PLAN, today=TODAY, settings={"dependency_depth": 10})
    assert [(f.label, f.explanation) for f in result[1] if f.rule == "dependency"] == [
        (
            "Dependency: OPS-01",
            "It depends on OPS-01 (Make profiles self-maintainable), which has 2 high-severity "
            "flags: Low confidence: Operations and Time pressure.",
        ),
        (
            "Circular dependency",
            "Its dependencies go round in a circle: DIG-01 needs OPS-01, which needs DIG-01.",
        ),
    ]
    assert [f.explanation for f in result[2] if f.subject == "cycle"] == [
        "Its dependencies go round in a circle: OPS-01 needs DIG-01, which needs OPS-01."
    ]


def test_a_circle_through_an_objective_not_evaluated_is_still_found_from_the_plan_graph():
    a = objective(lead("Digital", report("oct", G)), dependencies=(DependencyFact(2, "OPS-01"),))
    graph = {1: [DependencyFact(2, "OPS-01")], 2: [DependencyFact(1, "DIG-01")]}
    result = risk.evaluate_facts([a], plan=PLAN, today=TODAY, graph=graph)
    assert [f.explanation for f in result[1] if f.subject == "cycle"] == [
        "Its dependencies go round in a circle: DIG-01 needs OPS-01, which needs DIG-01."
    ]


# --- 9. Time pressure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "rating", "delivery", "expected"),
    [
        (
            TODAY,
            A,
            dt.date(2025, 3, 31),
            [
                (
                    "medium",
                    "",
                    "It is past mid-year and Digital rates it Amber (31 October 2024), with "
                    "delivery due on 31 March 2025.",
                )
            ],
        ),
        (
            dt.date(2024, 10, 1),
            AR,
            dt.date(2025, 3, 31),
            [
                (
                    "high",
                    "",
                    "It is past mid-year and Digital rates it Amber/Red (31 October 2024), with "
                    "delivery due on 31 March 2025.",
                )
            ],
        ),
        # September, the mid-year period, is not closed until it is over.
        (dt.date(2024, 9, 30), AR, dt.date(2025, 3, 31), []),
        (TODAY, AG, dt.date(2025, 3, 31), []),
        # Delivery after the plan year: no pressure from this year's calendar.
        (TODAY, R, dt.date(2025, 6, 30), []),
        (
            TODAY,
            G,
            dt.date(2024, 11, 14),
            [
                (
                    "high",
                    "",
                    "Delivery was due on 14 November 2024 and it is still in progress.",
                )
            ],
        ),
        (TODAY, G, TODAY, []),  # due today: not yet late
    ],
)
def test_time_pressure(today, rating, delivery, expected):
    facts = objective(
        lead("Digital", report("oct", rating, dt.date(2024, 10, 31))), delivery_date=delivery
    )
    assert explained(facts, "time_pressure", today=today) == expected


def test_complete_and_closed_objectives_are_not_flagged():
    for state in ("complete", "closed"):
        facts = objective(
            lead("Digital", report("oct", R)), state=state, delivery_date=dt.date(2024, 6, 30)
        )
        assert flags_of(facts) == ()


# --- 10. Ownership gap ---------------------------------------------------------------------------


def test_ownership_gaps_name_what_is_missing():
    facts = objective(
        lead("Digital", report("oct", G), has_lead=False),
        team("Operations", report("oct", G), commitment="  "),
        team("Policy", report("oct", G)),
        has_owner=False,
    )
    assert explained(facts, "ownership") == [
        ("medium", "Digital", "Digital, the lead team, has no team lead."),
        ("medium", "owner", "DIG-01 has no named owner."),
        ("low", "Operations", "Operations contributes but has not said what it commits to."),
    ]


def test_no_ownership_gap_when_owner_lead_and_commitments_are_there():
    facts = objective(lead("Digital", report("oct", G)), team("Operations", report("oct", G)))
    assert explained(facts, "ownership") == []


# --- Scores, order and acknowledgements ----------------------------------------------------------


def test_flags_are_ordered_by_severity_then_rule_and_scored_high_10_medium_4_low_1():
    facts = objective(
        lead("Digital", report("oct", AR)),
        team("Operations", report("oct", G), commitment=""),
        has_owner=False,
    )
    flags = flags_of(facts)
    assert [(f.severity, f.label, f.score) for f in flags] == [
        ("high", "Divergence", 10),
        ("high", "Time pressure", 10),
        ("medium", "Low confidence: Digital", 4),
        ("medium", "Ownership gap: no owner", 4),
        ("low", "Ownership gap: Operations", 1),
    ]
    assert risk.objective_score(flags) == 29


def test_an_objective_with_high_flags_scores_above_one_with_only_medium_flags():
    red = flags_of(objective(lead("Digital", report("oct", R))))
    amber_red = flags_of(objective(lead("Digital", report("oct", AR)), delivery_date=None))
    assert risk.objective_score(red) == 20
    assert risk.objective_score(amber_red) == 4


def test_an_acknowledged_flag_stops_counting_until_its_evidence_gets_worse():
    acks = {("low_confidence", "Digital"): Acknowledgement("Agreed a plan", evidence_level=3)}
    same = flags_of(objective(lead("Digital", report("oct", AR)), delivery_date=None))
    worse = flags_of(objective(lead("Digital", report("oct", R)), delivery_date=None))

    same = risk.apply_acknowledgements(same, acks)
    worse = risk.apply_acknowledgements(worse, acks)

    assert [(f.is_acknowledged, f.lapsed) for f in same] == [(True, False)]
    assert risk.objective_score(same) == 0
    assert [(f.is_acknowledged, f.lapsed) for f in worse] == [(False, True)]
    assert risk.objective_score(worse) == 10


@pytest.mark.parametrize(
    ("before", "after", "lapsed"),
    [
        # another overdue milestone
        ([dt.date(2024, 9, 30)], [dt.date(2024, 9, 30), dt.date(2024, 10, 31)], True),
        ([dt.date(2024, 9, 30)], [dt.date(2024, 9, 30)], False),
    ],
)
def test_an_acknowledgement_lapses_when_another_milestone_becomes_overdue(before, after, lapsed):
    def overdue(dates):
        facts = objective(
            lead("Digital", report("oct", A)),
            milestones=tuple(MilestoneFact(f"M{i}", d) for i, d in enumerate(dates)),
        )
        return [f for f in flags_of(facts) if f.rule == "overdue_milestones"]

    [acknowledged] = overdue(before)
    acks = {acknowledged.key: Acknowledgement("Known", acknowledged.evidence_level)}
    assert [f.lapsed for f in risk.apply_acknowledgements(overdue(after), acks)] == [lapsed]


def test_a_longer_silence_lapses_an_acknowledgement():
    def silence(today):
        facts = objective(lead("Digital", report("aug", AG)), delivery_date=None)
        return [f for f in flags_of(facts, today=today) if f.rule == "silence"]

    [then] = silence(dt.date(2024, 10, 15))  # missed September
    acks = {then.key: Acknowledgement("On leave", then.evidence_level)}
    assert [f.lapsed for f in risk.apply_acknowledgements(silence(TODAY), acks)] == [True]


# --- Bad input -----------------------------------------------------------------------------------


def test_an_objective_with_no_teams_is_flagged_for_its_missing_lead_team_only():
    facts = objective(delivery_date=None)
    assert [(f.rule, f.explanation) for f in flags_of(facts)] == [
        ("ownership", "DIG-01 has no lead team.")
    ]


def test_teams_that_never_reported_are_silent_but_not_divergent_or_optimistic():
    facts = objective(
        lead("Digital"),
        team("Operations"),
        milestones=(MilestoneFact("Beta live", dt.date(2024, 9, 30)),),
    )
    assert [f.label for f in flags_of(facts)] == [
        "Silence: Digital",
        "Silence: Operations",
        "Overdue milestones",
    ]


def test_a_plan_with_no_periods_yet_gives_no_silence_and_no_error():
    plan = PlanFacts("2025/26", dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    facts = objective(lead("Digital"), delivery_date=dt.date(2026, 3, 31))
    assert flags_of(facts, plan=plan, today=dt.date(2025, 3, 1)) == ()


def test_a_missing_team_is_named_as_such():
    facts = objective(lead(""), team("Operations", report("oct", R)), lead_team=None)
    assert [f.explanation for f in flags_of(facts) if f.rule == "silence"] == [
        "A team no longer on record has not reported at all; it missed 7 periods, April to "
        "October 2024; Operations reported Red on 31 October 2024."
    ]


def test_an_unknown_threshold_fails_loudly():
    with pytest.raises(ValueError, match="RISK_THRESHOLDS has no setting 'divergence'"):
        risk.thresholds({"divergence": 3})


def test_evidence_is_plain_json():
    import json

    facts = objective(
        lead("Digital", report("aug", G), report("sep", A), report("oct", R)),
        team("Operations"),
        milestones=(MilestoneFact("Beta live", dt.date(2024, 9, 30)),),
        measures=(MeasureFact(latest_value=60.0, **LINE),),
        has_owner=False,
    )
    flags = flags_of(facts)
    assert [f.rule for f in flags] == [
        "low_confidence",
        "silence",
        "deterioration",
        "off_trajectory",
        "time_pressure",
        "overdue_milestones",
        "ownership",
    ]
    assert json.loads(json.dumps([f.as_dict() for f in flags])) == [f.as_dict() for f in flags]


# --- Quick constructors -------------------------------------------------------------------------


def test_the_quick_constructors_make_the_same_objects_as_the_dataclasses():
    when = dt.date(2024, 10, 31)
    report = risk.Report(7, when, "red", when)
    cases = [
        (risk.make_report, risk.Report, (7, when, "red", when)),
        (
            risk.make_team_view,
            risk.TeamView,
            ("Digital", "lead", "", True, (report,), report, when),
        ),
        (risk.make_milestone_fact, risk.MilestoneFact, ("Beta", when, None, "Digital")),
        (
            risk.make_measure_fact,
            risk.MeasureFact,
            ("Uptake", "%", "higher", 50.0, when, 70.0, when, 55.0, when, None),
        ),
        (
            risk.make_objective_facts,
            risk.ObjectiveFacts,
            (1, "DIG-01", "Title", "Digital", True, "in_progress", when, (), (), (), ()),
        ),
        (
            risk.make_flag,
            risk.Flag,
            ("silence", "high", 10, "Why", "Digital", {"team": "Digital"}, 3, None, False),
        ),
    ]
    for make, cls, values in cases:
        quick, slow = make(*values), cls(*values)
        assert type(quick) is cls
        assert quick == slow
        assert repr(quick) == repr(slow)
        assert hash(quick) == hash(slow)
