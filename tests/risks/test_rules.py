"""risks/rules.py: each rule fires, just misses at its threshold, and explains itself."""

import datetime as dt

import pytest

from risks import rules
from risks.rules import (
    IN_DANGER,
    NONE,
    WATCH,
    Ask,
    Dependency,
    Measure,
    Milestone,
    Objective,
    Period,
    Team,
    View,
)

TODAY = dt.date(2024, 11, 15)
PERIODS = tuple(
    Period(m, dt.date(2024 + (m > 9), (m + 2) % 12 + 1, 1), end)
    for m, end in enumerate(
        [
            dt.date(2024, 4, 30),
            dt.date(2024, 5, 31),
            dt.date(2024, 6, 30),
            dt.date(2024, 7, 31),
            dt.date(2024, 8, 31),
            dt.date(2024, 9, 30),
            dt.date(2024, 10, 31),
            dt.date(2024, 11, 30),
            dt.date(2024, 12, 31),
            dt.date(2025, 1, 31),
            dt.date(2025, 2, 28),
            dt.date(2025, 3, 31),
        ],
        start=1,
    )
)


def views(*ratings, last_month=7):
    """Views for consecutive months ending at ``last_month``, each reported on the 28th."""
    first = last_month - len(ratings) + 1
    return tuple(
        View(m, PERIODS[m - 1].start, r, PERIODS[m - 1].start.replace(day=28))
        for m, r in zip(range(first, last_month + 1), ratings, strict=True)
        if r is not None
    )


def team(name, *ratings, lead=False, last_month=7, **kwargs):
    return Team(name, is_lead=lead, views=views(*ratings, last_month=last_month), **kwargs)


def judge(objective, today=TODAY, **limits):
    return rules.evaluate(
        objective, periods=PERIODS, today=today, limits=rules.check_thresholds(limits)
    )


def found(verdict):
    return [(f.rule, f.level, f.subject) for f in verdict.findings]


# 1. Low confidence


def test_one_teams_red_view_is_one_finding_not_four():
    # Red after Green: not also deterioration, divergence or time pressure.
    objective = Objective(
        "DIG-01",
        delivery_date=dt.date(2025, 1, 31),
        teams=(
            team("NHS 111 online", "green", "green", "red", lead=True),
            team("Ambulance flow", "green", "green", "green"),
        ),
    )

    verdict = judge(objective)

    assert found(verdict) == [("low_confidence", WATCH, "NHS 111 online")]
    assert verdict.findings[0].explanation == (
        "NHS 111 online says Red for October 2024 (28 October 2024), with delivery due on "
        "31 January 2025, 77 days away."
    )
    assert verdict.concern == WATCH


def test_red_held_for_two_months_is_in_danger_on_its_own():
    objective = Objective("DIG-01", teams=(team("NHS 111 online", "red", "red", lead=True),))

    verdict = judge(objective)

    assert found(verdict) == [("low_confidence", IN_DANGER, "NHS 111 online")]
    assert verdict.reason == (
        "NHS 111 online says Red for October 2024 (28 October 2024), Red for 2 months running."
    )


def test_amber_red_is_watch_and_amber_is_not_low_confidence():
    objective = Objective(
        "DIG-01",
        teams=(
            team("NHS 111 online", "amber_red", "amber_red", lead=True),
            team("Ambulance flow", "amber", "amber"),
        ),
    )

    assert found(judge(objective)) == [("low_confidence", WATCH, "NHS 111 online")]


def test_two_teams_low_agree_and_the_objective_is_in_danger():
    objective = Objective(
        "OPS-01",
        teams=(
            team("Elective recovery", "amber_red", lead=True),
            team("Regional performance", "amber_red"),
        ),
    )

    verdict = judge(objective)

    assert verdict.concern == IN_DANGER
    assert verdict.corroborated is True
    assert verdict.reason == (
        "Elective recovery says Amber/Red for October 2024 (28 October 2024). "
        "Regional performance says Amber/Red for October 2024 (28 October 2024)."
    )


# 2. Divergence


def test_teams_two_steps_apart_diverge():
    objective = Objective(
        "DIG-04",
        teams=(team("NHS App", "green", lead=True), team("Elective recovery", "amber")),
    )

    verdict = judge(objective)

    assert found(verdict) == [("divergence", WATCH, "")]
    assert verdict.reason == (
        "NHS App says Green (October 2024), Elective recovery says Amber (October 2024): "
        "2 steps apart."
    )


def test_teams_one_step_apart_do_not_diverge():
    objective = Objective(
        "DIG-04",
        teams=(team("NHS App", "green", lead=True), team("Elective recovery", "amber_green")),
    )
    assert found(judge(objective)) == []


def test_views_of_different_months_three_steps_apart_are_in_danger():
    # 5 November: October's views are still coming in. The Red is September's, so low
    # confidence and the Green are about different months.
    objective = Objective(
        "DIG-04",
        teams=(
            team("NHS App", "green", lead=True),
            team("Elective recovery", "red", last_month=6),
        ),
    )
    verdict = judge(objective, today=dt.date(2024, 11, 5))
    assert found(verdict) == [
        ("divergence", IN_DANGER, ""),
        ("low_confidence", WATCH, "Elective recovery"),
    ]


# 3. Silence


def test_a_team_that_missed_the_last_closed_month_is_watched():
    objective = Objective(
        "DIG-07",
        teams=(
            team("Using data", "amber", "amber", lead=True),
            team("Digital policy", "green", last_month=6),
        ),
    )

    verdict = judge(objective)

    assert found(verdict) == [("silence", WATCH, "Digital policy")]
    assert verdict.reason == (
        "Digital policy has not reported since 28 September 2024; it missed October 2024."
    )


def test_october_is_not_missed_within_its_grace_days():
    objective = Objective(
        "DIG-07",
        teams=(
            team("Using data", "amber_green", lead=True),
            team("Digital policy", "green", last_month=6),
        ),
    )
    # 10 November: October ended 10 days ago, inside the 10 grace days.
    assert found(judge(objective, today=dt.date(2024, 11, 10))) == []
    assert found(judge(objective, today=dt.date(2024, 11, 11))) == [
        ("silence", WATCH, "Digital policy")
    ]


def test_two_missed_months_on_a_shared_objective_are_in_danger():
    objective = Objective(
        "DIG-02",
        teams=(
            team("Using data", "green", lead=True),
            team("Regional performance", "amber", last_month=5),
        ),
    )
    verdict = judge(objective)
    assert found(verdict) == [("silence", IN_DANGER, "Regional performance")]
    assert verdict.reason == (
        "Regional performance has not reported since 28 August 2024; it missed September 2024 "
        "and October 2024."
    )


def test_silence_on_an_objective_of_one_team_stays_watch():
    objective = Objective("OPS-03", teams=(team("Regional", "amber", last_month=4, lead=True),))
    assert found(judge(objective)) == [("silence", WATCH, "Regional")]


# 4. Deterioration


def test_a_fall_of_two_steps_within_three_months_is_watched():
    objective = Objective(
        "UEC-03", teams=(team("Workforce", "green", "amber_green", "amber", lead=True),)
    )
    verdict = judge(objective)
    assert found(verdict) == [("deterioration", WATCH, "Workforce")]
    assert verdict.reason == (
        "Workforce's view fell 2 steps, from Green in August 2024 to Amber in October 2024."
    )


def test_a_fall_spread_over_more_than_three_months_is_not_deterioration():
    objective = Objective(
        "UEC-03",
        teams=(team("Workforce", "green", "amber_green", "amber_green", "amber_green", "amber"),),
    )
    assert [f.rule for f in judge(objective).findings] == ["ownership"]


# 5 and 7. Overdue milestones, optimism


def test_an_overdue_milestone_is_watched_and_names_its_team():
    objective = Objective(
        "UEC-04",
        teams=(team("UEC operations", "amber", lead=True),),
        milestones=(Milestone("Beta live", dt.date(2024, 10, 31), team="UEC operations"),),
    )
    verdict = judge(objective)
    assert found(verdict) == [("overdue_milestones", WATCH, "")]
    assert verdict.reason == (
        "1 milestone is overdue: Beta live (due 31 October 2024, UEC operations)."
    )


def test_green_while_a_milestone_is_more_than_a_month_late_is_optimism():
    objective = Objective(
        "PC-02",
        teams=(team("Primary care", "green", lead=True), team("NHS 111", "amber_green")),
        milestones=(Milestone("Beta live", dt.date(2024, 9, 30)),),
    )

    verdict = judge(objective)

    assert found(verdict) == [("optimism", IN_DANGER, ""), ("overdue_milestones", WATCH, "")]
    assert verdict.reason == (
        "Primary care says Green and NHS 111 says Amber/Green while 1 milestone is overdue."
    )


def test_green_while_one_milestone_is_a_fortnight_late_is_not_yet_optimism():
    objective = Objective(
        "PC-02",
        teams=(team("Primary care", "green", lead=True),),
        milestones=(Milestone("Beta live", dt.date(2024, 11, 1)),),
    )
    assert found(judge(objective)) == [("overdue_milestones", WATCH, "")]


def test_a_milestone_done_after_today_was_still_overdue_today():
    objective = Objective(
        "PC-02",
        teams=(team("Primary care", "amber", lead=True),),
        milestones=(Milestone("Beta live", dt.date(2024, 11, 1), done=dt.date(2024, 11, 20)),),
    )
    assert found(judge(objective)) == [("overdue_milestones", WATCH, "")]


def test_one_measure_off_track_gives_one_optimism_finding_naming_every_green_team():
    objective = Objective(
        "UEC-02",
        teams=(
            team("UEC operations", "green", lead=True),
            team("Regional", "amber_green"),
            team("Ambulance flow", "amber"),
        ),
        measures=(
            Measure(
                "Handovers over 60 minutes",
                direction="lower",
                baseline=14000,
                baseline_date=dt.date(2024, 3, 31),
                target=8000,
                target_date=dt.date(2025, 3, 31),
                latest=14500,
                latest_date=dt.date(2024, 10, 31),
            ),
        ),
    )
    verdict = judge(objective)
    assert [f.rule for f in verdict.findings].count("optimism") == 1
    assert verdict.findings[0].evidence["teams"] == ["UEC operations", "Regional"]


def test_no_optimism_when_a_team_already_says_red():
    objective = Objective(
        "UEC-02",
        teams=(team("Ambulance flow", "red", lead=True), team("UEC operations", "green")),
        milestones=(Milestone("Beta live", dt.date(2024, 9, 30)),),
    )
    verdict = judge(objective)
    assert [f.rule for f in verdict.findings] == ["low_confidence", "overdue_milestones"]
    # A Red view and late milestones are two sources that agree.
    assert verdict.concern == IN_DANGER


# 6. Off trajectory


def measure(**kwargs):
    values = {
        "name": "Callers taking up the first service",
        "unit": "%",
        "direction": "higher",
        "baseline": 50.0,
        "baseline_date": dt.date(2024, 3, 31),
        "target": 70.0,
        "target_date": dt.date(2025, 3, 31),
        "latest_date": dt.date(2024, 9, 30),
    }
    values.update(kwargs)
    return Measure(**values)


def judge_measure(m):
    return judge(Objective("UEC-01", teams=(team("111", "amber", lead=True),), measures=(m,)))


def test_a_measure_behind_its_line_by_more_than_the_tolerance_is_off_trajectory():
    # By 30 September (183 of 365 days) the line stands at 60.0%; the tolerance is 2 points.
    verdict = judge_measure(measure(latest=57.9))
    assert found(verdict) == [("off_trajectory", WATCH, "Callers taking up the first service")]
    assert verdict.reason == (
        "Callers taking up the first service was 57.9% on 30 September 2024, behind the 60% "
        "expected by then on the way to 70% by 31 March 2025."
    )


def test_a_measure_just_within_the_tolerance_is_on_track():
    assert found(judge_measure(measure(latest=58.1))) == []


def test_a_lower_is_better_measure_is_read_in_its_own_direction():
    m = measure(direction="lower", baseline=11.5, target=9.0, unit="%")
    # The line stands at 10.25%; 10.6% is behind by more than 0.25 points, 10.4% is not.
    assert found(judge_measure(m.__class__(**{**m.__dict__, "latest": 10.6})))[0][0] == (
        "off_trajectory"
    )
    assert found(judge_measure(m.__class__(**{**m.__dict__, "latest": 10.4}))) == []


def test_a_floor_target_met_with_room_to_spare_raises_nothing():
    # "At least 90%", running at 94%: above its floor, whatever the straight line says.
    floor = measure(baseline=95.0, target=90.0, latest=94.0)
    assert found(judge_measure(floor)) == []


def test_a_floor_target_is_breached_only_when_the_measure_crosses_it():
    floor = measure(baseline=95.0, target=90.0, latest=89.5)
    verdict = judge_measure(floor)
    assert verdict.reason == (
        "Callers taking up the first service was 89.5% on 30 September 2024, on the wrong side "
        "of its target of 90%."
    )


def test_special_cause_improvement_is_never_a_concern():
    # Its old limits say the target will be missed, but it is improving.
    improving = measure(latest=61.0, variation="improvement_high", assurance="fail")
    assert found(judge_measure(improving)) == []


def test_an_improving_measure_raises_nothing_above_watch():
    improving = measure(latest=52.0, variation="improvement_high", assurance="fail")
    verdict = judge_measure(improving)
    assert verdict.concern == WATCH
    assert verdict.reason.endswith("; it is improving: consider rebasing its control limits.")


def test_special_cause_concern_puts_a_measure_off_trajectory():
    verdict = judge_measure(measure(latest=61.0, variation="concern_low"))
    assert verdict.reason == (
        "Callers taking up the first service's control chart shows special-cause concern."
    )


def test_a_measure_without_direction_is_not_judged():
    assert found(judge_measure(measure(direction="neither", latest=10.0))) == []


# 8. Dependency


def test_depending_on_an_objective_in_danger_is_watched():
    objective = Objective(
        "DIG-05",
        teams=(team("111 online", "amber_green", lead=True),),
        dependencies=(Dependency("UEC-02", concern=IN_DANGER, need="handover data"),),
    )
    verdict = judge(objective)
    assert found(verdict) == [("dependency", WATCH, "UEC-02")]
    assert verdict.reason == "It depends on UEC-02 for handover data, which is in danger."


def test_depending_on_a_red_objective_due_first_is_in_danger():
    objective = Objective(
        "DIG-05",
        delivery_date=dt.date(2025, 3, 31),
        teams=(team("111 online", "green", lead=True),),
        dependencies=(
            Dependency(
                "UEC-02", concern=IN_DANGER, low_views=True, delivery_date=dt.date(2024, 12, 31)
            ),
        ),
    )
    assert found(judge(objective)) == [("dependency", IN_DANGER, "UEC-02")]


def test_depending_on_an_objective_to_watch_is_nothing():
    objective = Objective(
        "DIG-05",
        teams=(team("111 online", "green", lead=True),),
        dependencies=(Dependency("UEC-02", concern=WATCH),),
    )
    assert found(judge(objective)) == []


# 9. Time pressure


@pytest.mark.parametrize(
    ("rating", "delivery", "expected"),
    [
        ("amber_red", dt.date(2025, 2, 13), [("low_confidence", WATCH)]),
        ("amber", dt.date(2024, 12, 15), [("time_pressure", WATCH)]),
        ("amber", dt.date(2024, 12, 17), []),
        ("green", dt.date(2024, 11, 20), []),
        ("green", dt.date(2024, 11, 14), [("time_pressure", IN_DANGER)]),
    ],
)
def test_time_pressure_needs_little_time_left_for_a_non_green_view(rating, delivery, expected):
    # Amber/Red or Red with little time left is said once, by the low-confidence finding.
    objective = Objective(
        "DIG-09", delivery_date=delivery, teams=(team("Directory", rating, lead=True),)
    )
    assert [(f.rule, f.level) for f in judge(objective).findings] == expected


def test_amber_at_mid_year_with_months_to_go_is_not_time_pressure():
    objective = Objective(
        "DIG-09", delivery_date=dt.date(2025, 3, 31), teams=(team("Directory", "amber", lead=True),)
    )
    assert found(judge(objective)) == []


def test_past_its_delivery_date_explains_itself():
    objective = Objective(
        "DIG-09",
        delivery_date=dt.date(2024, 10, 31),
        teams=(team("Directory", "green", lead=True),),
    )
    assert judge(objective).reason == (
        "Delivery was due on 31 October 2024 and it is still in progress."
    )


# 10. Ownership, 11. Unanswered asks


def test_ownership_gaps_are_one_finding():
    objective = Objective(
        "DIG-04",
        has_owner=False,
        teams=(
            Team("NHS App", is_lead=True, has_lead_member=False, views=views("green")),
            Team("Elective recovery", commitment=" ", views=views("green")),
        ),
    )
    verdict = judge(objective)
    assert found(verdict) == [("ownership", WATCH, "")]
    assert verdict.reason == (
        "It has no named owner; NHS App, the lead team, has no team lead; Elective recovery "
        "has not said what it commits to."
    )


def test_an_ask_unanswered_past_fourteen_days_names_both_teams():
    objective = Objective(
        "UEC-01",
        teams=(team("111 online", "green", lead=True), team("Directory", "green")),
        asks=(
            Ask(
                "ask 7", "111 online", "Directory", "Profiles for pharmacies", dt.date(2024, 11, 1)
            ),
            Ask("ask 8", "111 online", "Directory", "Opening hours", dt.date(2024, 10, 31)),
        ),
    )
    verdict = judge(objective)
    assert found(verdict) == [("unanswered_ask", WATCH, "ask 8")]
    assert verdict.reason == (
        "111 online asked Directory on 31 October 2024 and has had no answer for 15 days: "
        "“Opening hours”."
    )


# Objectives, thresholds


def test_finished_objectives_are_not_judged():
    objective = Objective("DIG-01", state="complete", teams=(team("111", "red", "red"),))
    assert judge(objective) == rules.Verdict(NONE, ())


def test_an_objective_nobody_has_reported_on_is_silent_not_an_error():
    objective = Objective("NEW-01", teams=(Team("111 online", is_lead=True),))
    assert found(judge(objective)) == [("silence", WATCH, "111 online")]


def test_a_plan_with_no_periods_judges_what_it_can():
    objective = Objective("NEW-01", teams=(team("111", "red", "red", lead=True),))
    verdict = rules.evaluate(objective, periods=(), today=TODAY)
    assert found(verdict) == [("low_confidence", IN_DANGER, "111")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"silence_days": 30}, "RISK_THRESHOLDS has no setting 'silence_days'; known settings:"),
        ({"ask_days": "14"}, "RISK_THRESHOLDS['ask_days'] must be a number, not '14'"),
        ({"ask_days": 0}, "RISK_THRESHOLDS['ask_days'] must be a whole number of 1 or more"),
        ({"trajectory_tolerance": 1.5}, "RISK_THRESHOLDS['trajectory_tolerance'] must be from 0"),
        ({"divergence_danger_steps": 1}, "RISK_THRESHOLDS: divergence_danger_steps is below"),
    ],
)
def test_nonsense_thresholds_are_refused_naming_the_setting(overrides, message):
    with pytest.raises(ValueError) as error:
        rules.check_thresholds(overrides)
    assert str(error.value).startswith(message)


def test_a_low_view_with_little_time_left_says_so_in_its_one_finding():
    objective = Objective(
        "DIG-09",
        delivery_date=dt.date(2025, 2, 13),
        teams=(team("Directory", "amber_red", lead=True),),
    )
    assert judge(objective).reason == (
        "Directory says Amber/Red for October 2024 (28 October 2024), with delivery due on "
        "13 February 2025, 90 days away."
    )
    later = Objective(
        "DIG-09",
        delivery_date=dt.date(2025, 2, 16),
        teams=(team("Directory", "amber_red", lead=True),),
    )
    assert judge(later).reason == "Directory says Amber/Red for October 2024 (28 October 2024)."


def test_a_measure_on_its_line_is_not_failing_because_its_old_limits_say_so():
    on_track = measure(latest=60.5, assurance="fail", variation="common_cause")
    assert found(judge_measure(on_track)) == []


def test_without_a_line_a_target_the_chart_says_will_be_missed_is_off_trajectory():
    no_line = measure(baseline=None, latest=55.0, assurance="fail", variation="common_cause")
    assert judge_measure(no_line).reason == (
        "Its control chart says the target of 70% will consistently be missed."
    )


def test_the_app_refuses_to_start_with_nonsense_thresholds(settings):
    from django.apps import apps

    settings.RISK_THRESHOLDS = {"silence_grace_days": -3}
    with pytest.raises(ValueError) as error:
        apps.get_app_config("risks").ready()
    assert str(error.value) == (
        "RISK_THRESHOLDS['silence_grace_days'] must be a whole number of 1 or more"
    )
