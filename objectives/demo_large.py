"""Benchmark-scale organisation: 50 directorates, 500 teams, 5,000 objectives and a full year.

Deterministic for a given seed. Everything goes in with bulk inserts so it builds in well under two
minutes on SQLite.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .demo import DEMO_PASSWORD, _user
from .models import (
    Contribution,
    ContributionRole,
    Dependency,
    Directorate,
    Directorship,
    Measure,
    Membership,
    Milestone,
    Objective,
    Reading,
    Role,
    StatusUpdate,
    Team,
    TeamKind,
    month_bounds,
)
from .plans import create_plan
from .ratings import FIVE_POINT

DIRECTORATES = 50
TEAMS_PER_DIRECTORATE = 10
OBJECTIVES = 5000
SHARED = 2000
MONTHS = 12
READINGS_PER_MEASURE = 12
MILESTONES_PER_OBJECTIVE = 3
BATCH = 2000

WORDS = (
    "access data urgent care digital maternity primary workforce pharmacy ambulance elective "
    "referral discharge community mental health screening vaccination records booking triage"
).split()


def build_large(seed: int = 1, stdout=None) -> dict:
    rng = random.Random(seed)
    say = stdout.write if stdout else (lambda _msg: None)
    counts = {}
    with transaction.atomic():
        directorates = Directorate.objects.bulk_create(
            Directorate(name=f"Directorate {d:02d}", code=f"D{d:02d}")
            for d in range(1, DIRECTORATES + 1)
        )
        kinds = list(TeamKind.values)
        teams = Team.objects.bulk_create(
            Team(
                name=f"Team {d.code}-{t:02d}",
                directorate=d,
                kind=kinds[(t + int(d.code[1:])) % 3],
            )
            for d in directorates
            for t in range(1, TEAMS_PER_DIRECTORATE + 1)
        )
        say(f"{len(teams)} teams in {len(directorates)} directorates\n")
        user_model = get_user_model()
        password = make_password(DEMO_PASSWORD)
        leads = user_model.objects.bulk_create(
            user_model(
                username=f"lead{i:03d}",
                password=password,
                first_name="Lead",
                last_name=f"{i:03d}",
                email=f"lead{i:03d}@example.nhs.uk",
            )
            for i in range(len(teams))
        )
        Membership.objects.bulk_create(
            Membership(user=lead, team=team, role=Role.LEAD)
            for lead, team in zip(leads, teams, strict=True)
        )
        for name, full, superuser in (
            ("admin", "Alex Admin", True),
            ("director", "Dr Helen Carter", False),
            ("lead", "Priya Shah", False),
        ):
            user = _user(name, full, is_staff=superuser, is_superuser=superuser)
            if name == "director":
                Directorship.objects.bulk_create(
                    Directorship(user=user, directorate=d) for d in directorates[:5]
                )
            if name == "lead":
                Membership.objects.bulk_create(
                    Membership(user=user, team=team, role=Role.LEAD) for team in teams[:3]
                )
        plan = create_plan(2024)
        periods = list(plan.periods.order_by("month"))

        objectives = []
        involvement = []  # per objective: [(team, role)]
        for i in range(OBJECTIVES):
            lead_team = teams[i % len(teams)]
            shared = i % 5 < 2  # 2 in 5 = 2,000 shared
            others = []
            if shared:
                k = 2 + (i % 3)  # 2–4 contributing teams: 3 on average
                while len(others) < k:
                    team = teams[rng.randrange(len(teams))]
                    if team is not lead_team and team not in others:
                        others.append(team)
            words = rng.sample(WORDS, 4)
            objectives.append(
                Objective(
                    plan=plan,
                    ref=f"{lead_team.directorate.code}-{i:04d}",
                    title=f"Improve {words[0]} {words[1]} for {words[2]} {words[3]}",
                    description=f"Objective {i} of the benchmark organisation.",
                    lead_team=lead_team,
                    owner=leads[i % len(leads)] if i % 50 else None,
                    delivery_date=dt.date(2025, 3, 31) if i % 3 else dt.date(2024, 12, 31),
                    priority=1 + i % 3,
                    state="in_progress" if i % 11 else "not_started",
                    is_shared=shared,
                )
            )
            involvement.append(
                [(lead_team, ContributionRole.LEAD)]
                + [(t, ContributionRole.CONTRIBUTOR) for t in others]
            )
        Objective.objects.bulk_create(objectives, batch_size=BATCH)
        contributions = []
        for objective, teams_of in zip(objectives, involvement, strict=True):
            for team, role in teams_of:
                contributions.append(
                    Contribution(
                        objective=objective,
                        team=team,
                        role=role,
                        commitment="" if role == ContributionRole.LEAD else "Deliver our part",
                    )
                )
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        say(f"{len(objectives)} objectives, {len(contributions)} contributions\n")

        lead_of = {lead_team.pk: lead for lead, lead_team in zip(leads, teams, strict=True)}
        updates = []
        for c_index, contribution in enumerate(contributions):
            # Most teams are confident and stay so; a few drift, and now and then a month is missed.
            level = rng.choices((0, 1, 2), weights=(6, 3, 1))[0]
            for period in periods[:MONTHS]:
                if rng.random() < 0.01:
                    continue
                level = min(4, max(0, level + rng.choices((-1, 0, 1), weights=(1, 12, 1))[0]))
                updates.append(
                    StatusUpdate(
                        contribution=contribution,
                        period=period,
                        rating=FIVE_POINT[level].value,
                        going_well="Progress as planned on the main workstream.",
                        not_going_well="" if level < 2 else "Capacity is stretched.",
                        author=lead_of[contribution.team_id],
                        created_at=timezone.make_aware(
                            dt.datetime.combine(period.end_date, dt.time(9, c_index % 60))
                        ),
                    )
                )
        StatusUpdate.objects.bulk_create(updates, batch_size=BATCH)
        counts["status_updates"] = len(updates)
        say(f"{len(updates)} status updates\n")
        _point_contributions_at_latest_updates()
        _refresh_worst_ratings()

        milestones = []
        measures = []
        for i, objective in enumerate(objectives):
            for m in range(MILESTONES_PER_OBJECTIVE):
                due = month_bounds(plan.start_date, 3 + 4 * m)[1]
                milestones.append(
                    Milestone(
                        objective=objective,
                        title=f"Milestone {m + 1}",
                        due_date=due,
                        done_date=due if rng.random() < 0.985 else None,
                        team=objective.lead_team,
                    )
                )
            direction = ("higher", "lower", "neither")[i % 3]
            measures.append(
                Measure(
                    objective=objective,
                    name=f"Measure {i}",
                    unit="%",
                    direction=direction,
                    baseline_value=50.0,
                    baseline_date=dt.date(2023, 4, 30),
                    target_value=None
                    if direction == "neither"
                    else (60.0 if direction == "higher" else 40.0),
                    target_date=dt.date(2025, 3, 31),
                    team=objective.lead_team,
                    is_main=True,
                )
            )
        Milestone.objects.bulk_create(milestones, batch_size=BATCH)
        Measure.objects.bulk_create(measures, batch_size=BATCH)
        readings = []
        for measure in measures:
            # Most measures move along their line to the target; a few wander.
            on_track = measure.target_value is not None and rng.random() < 0.92
            value = 50.0
            for n in range(READINGS_PER_MEASURE):
                if on_track:
                    share = (n + 6) / 23  # months since the baseline, of the 23 to the target
                    value = 50.0 + (measure.target_value - 50.0) * share + rng.gauss(0, 0.3)
                else:
                    value += rng.gauss(0, 2)
                readings.append(
                    Reading(
                        measure=measure,
                        value=round(value, 2),
                        date=month_bounds(dt.date(2023, 4, 1), n + 7)[1],
                    )
                )
        Reading.objects.bulk_create(readings, batch_size=BATCH)
        dependencies = []
        for i in range(0, OBJECTIVES - 1, 10):
            dependencies.append(
                Dependency(
                    objective=objectives[i],
                    depends_on=objectives[i + 1 + rng.randrange(8)]
                    if i + 9 < OBJECTIVES
                    else objectives[i + 1],
                    need="Shared data",
                )
            )
        Dependency.objects.bulk_create(dependencies, batch_size=BATCH)
        counts.update(
            teams=len(teams),
            objectives=len(objectives),
            shared=sum(1 for o in objectives if o.is_shared),
            milestones=len(milestones),
            measures=len(measures),
            readings=len(readings),
        )
    return counts


def _point_contributions_at_latest_updates():
    table = StatusUpdate._meta.db_table
    contribution_table = Contribution._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {contribution_table} SET latest_update_id = (
                SELECT u.id FROM {table} u WHERE u.contribution_id = {contribution_table}.id
                ORDER BY u.created_at DESC, u.id DESC LIMIT 1
            )
            """
        )


def _refresh_worst_ratings():
    # Worst rating = highest step; CASE maps rating codes to steps in SQL.
    steps = " ".join(f"WHEN '{r.value}' THEN {i}" for i, r in enumerate(FIVE_POINT))
    names = " ".join(f"WHEN {i} THEN '{r.value}'" for i, r in enumerate(FIVE_POINT))
    objective_table = Objective._meta.db_table
    contribution_table = Contribution._meta.db_table
    update_table = StatusUpdate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {objective_table} SET worst_rating = COALESCE((
                SELECT CASE MAX(CASE u.rating {steps} END) {names} END
                FROM {contribution_table} c JOIN {update_table} u ON u.id = c.latest_update_id
                WHERE c.objective_id = {objective_table}.id
            ), '')
            """
        )
