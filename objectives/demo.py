"""Builds the small demo organisation from objectives/demo_data.py."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import demo_data as data
from . import services
from .models import (
    Actor,
    ActorKind,
    Contribution,
    Dependency,
    Directorate,
    Directorship,
    Measure,
    Membership,
    Milestone,
    Objective,
    Period,
    Plan,
    Reading,
    Role,
    State,
    StatusUpdate,
    Team,
    month_bounds,
)
from .plans import create_plan

DEMO_PASSWORD = "demo"
REPORTED_MONTHS = 7  # April to October 2024
DUE_IN_DECEMBER = {"UEC-01", "DIG-04", "DIG-09", "OPS-04", "PC-02", "PC-04"}
BETA_LATE = {"UEC-01"}  # the one objective whose beta is late: its lead still says Green


def _user(username, full_name, **extra):
    first, _, last = full_name.partition(" ")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.nhs.uk",
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def build_small(seed: int = 1) -> Plan:
    rng = random.Random(seed)
    with transaction.atomic():
        directorates = {
            code: Directorate.objects.create(name=name, code=code)
            for name, code in data.DIRECTORATES
        }
        admin = _user("admin", "Alex Admin", is_staff=True, is_superuser=True)
        director = _user("director", "Dr Helen Carter")
        Directorship.objects.create(user=director, directorate=directorates["DIG"])
        Directorship.objects.create(user=director, directorate=directorates["UEC"])
        org_director = _user("ceo", "Mark Bennett")
        Directorship.objects.create(user=org_director, directorate=None)
        teams = {}
        leads = {}
        for name, code, kind, username, full_name in data.TEAMS:
            team = Team.objects.create(name=name, directorate=directorates[code], kind=kind)
            lead = _user(username, full_name)
            Membership.objects.create(user=lead, team=team, role=Role.LEAD)
            teams[name] = team
            leads[name] = lead
        for username, full_name, team_name in data.MEMBERS:
            Membership.objects.create(
                user=_user(username, full_name), team=teams[team_name], role=Role.MEMBER
            )

        plan = create_plan(2024, agreed_on=dt.date(2024, 3, 27))
        periods = list(plan.periods.order_by("month"))
        objectives = {}
        for index, (ref, title, lead_name, lead_story, contributors, extra) in enumerate(
            data.OBJECTIVES
        ):
            objective = Objective.objects.create(
                plan=plan,
                ref=ref,
                title=title,
                description=(
                    f"{title}. This is a {plan.label} business plan commitment; the lead team "
                    f"reports monthly and at mid-year."
                ),
                lead_team=teams[lead_name],
                owner=leads[lead_name] if ref != "DIG-04" else None,
                stakeholders="Integrated care boards (want earlier warning of pressure); "
                "patients (want the right care first time)",
                expected_outcome=f"{extra['work'].capitalize()} delivered and in use by March "
                "2025.",
                delivery_date=dt.date(2024, 12, 31)
                if ref in DUE_IN_DECEMBER
                else dt.date(2025, 3, 31),
                priority=1 + index % 3,
                state=State.IN_PROGRESS if index % 7 else State.NOT_STARTED,
                theme="Urgent care" if ref.startswith("UEC") else "",
            )
            if index % 2 == 0:
                objective.impact_enhance = "Patients get to the right service first time."
                objective.impact_restore = "Trust between 111 and local services."
                objective.impact_replace = "Manual updates by email and spreadsheet."
                objective.impact_mutate = "A national service catalogue others build on."
                objective.save()
            services.set_teams(
                objective=objective,
                lead=teams[lead_name],
                contributors={teams[name]: commitment for name, commitment, _ in contributors},
            )
            objectives[ref] = objective
            stories = {teams[lead_name]: lead_story}
            stories.update({teams[name]: story for name, _, story in contributors})
            _add_updates(objective, stories, periods, leads, extra, rng)
            _add_milestones(objective, teams[lead_name], index)
            if "measure" in extra:
                _add_measure(objective, teams[lead_name], extra["measure"], lead_story, rng)
            Actor.objects.create(
                objective=objective,
                kind=[ActorKind.PATIENTS, ActorKind.FRONTLINE, ActorKind.EXPERTS][index % 3],
                description=["Patient panel of 12", "111 call handlers", "Clinical leads"][
                    index % 3
                ],
            )
        for ref, needs, need in [
            ("UEC-01", "DIG-01", "Accurate service profiles maintained by providers"),
            ("DIG-05", "UEC-02", "Handover data to validate dispositions"),
            ("DIG-04", "OPS-01", "Validated waiting lists"),
        ]:
            Dependency.objects.create(
                objective=objectives[ref], depends_on=objectives[needs], need=need
            )
        # Lock the months that have been reported and reviewed (April to September).
        Period.objects.filter(plan=plan, month__lte=6).update(
            locked=True, locked_at=_at(dt.date(2024, 10, 15))
        )
        assert admin.is_superuser
        from reviews.demo import build_days

        build_days(plan)  # a past and an upcoming collaboration day (reviews app)
    return plan


def _add_updates(objective, stories, periods, leads, extra, rng):
    for team, story_name in stories.items():
        contribution = Contribution.objects.get(objective=objective, team=team)
        author = leads[team.name]
        previous = None
        for month, rating in enumerate(data.STORIES[story_name][:REPORTED_MONTHS], start=1):
            if rating is None:
                continue
            period = periods[month - 1]
            well, not_well = data.NARRATIVE[rating]
            changed = previous is not None and previous != rating
            StatusUpdate.objects.create(
                contribution=contribution,
                period=period,
                rating=rating,
                going_well=well.format(**extra),
                not_going_well=not_well.format(**extra).capitalize()
                if rating != "green" or changed
                else "",
                risks=f"{extra['risk']} (owner: {author.get_full_name()})"
                if rating not in ("green",)
                else "",
                author=author,
                created_at=_at(period.end_date - dt.timedelta(days=rng.randint(0, 4))),
            )
            previous = rating
        latest = contribution.updates.order_by("-created_at").first()
        if latest:
            Contribution.objects.filter(pk=contribution.pk).update(latest_update=latest)
    services.refresh_worst_rating(objective.pk)


def _add_milestones(objective, team, index):
    plan_start = objective.plan.start_date
    for n, (title, month, done) in enumerate(
        [
            ("Discovery complete", 3, True),
            ("Beta live", 6, objective.ref not in BETA_LATE),
            ("Live in all regions", 11, False),
        ]
    ):
        due = month_bounds(plan_start, month)[1]
        Milestone.objects.create(
            objective=objective,
            title=title,
            due_date=due,
            done_date=due - dt.timedelta(days=3 + n) if done else None,
            team=team,
        )


def _add_measure(objective, team, spec, story, rng):
    name, unit, direction, baseline, target = spec
    measure = Measure.objects.create(
        objective=objective,
        name=name,
        unit=unit,
        direction=direction,
        baseline_value=baseline,
        baseline_date=dt.date(2024, 3, 31),
        target_value=target,
        target_date=dt.date(2025, 3, 31),
        team=team,
        is_main=True,
    )
    # 31 monthly readings, April 2022 to October 2024: two steady years, then this plan year.
    # Teams with a good story move at the plan's pace towards the target; the others drift away.
    readings = []
    distance = target - baseline
    spread = abs(distance) / 8 or 1
    start = dt.date(2022, 4, 1)
    for i in range(31):
        day = month_bounds(start, i + 1)[1]
        value = baseline + rng.uniform(-spread, spread) * 0.6
        if i >= 24:  # April 2024 onwards
            months = i - 23
            if story in ("optimistic", "worried", "deteriorating"):
                value = baseline - distance * 0.03 * months + rng.uniform(-spread, spread) * 0.3
            else:
                value = baseline + distance * months / 12 + rng.uniform(-spread, spread) * 0.3
        readings.append(Reading(measure=measure, date=day, value=round(value, 1)))
    Reading.objects.bulk_create(readings)
