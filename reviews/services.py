"""Functions that change collaboration days. Views, the demo and commands call these."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Max, Q

from objectives import clock, permissions, ratings
from objectives.models import Objective
from risks.models import ObjectiveConcern

from .models import (
    Action,
    ActionState,
    CollaborationDay,
    DaySession,
    Decision,
    FocusObjective,
)

# How many proposed objectives a new day starts with in focus; the rest stay suggestions.
DEFAULT_FOCUS = 12


def proposed_objectives(*, plan, team_ids) -> list[Objective]:
    """Shared objectives of `plan` that involve at least two of `team_ids`: those in danger
    first, then those to watch, then the worst current rating, then by reference."""
    team_ids = list(team_ids)
    if len(team_ids) < 2:
        return []
    candidates = list(
        Objective.objects.filter(plan=plan, is_shared=True)
        .annotate(
            participating=Count("contributions", filter=Q(contributions__team_id__in=team_ids))
        )
        .filter(participating__gte=2)
        .select_related("lead_team")
        .order_by("ref")
    )
    concerns = dict(
        ObjectiveConcern.objects.filter(objective__in=candidates).values_list(
            "objective_id", "level"
        )
    )

    def order(objective):
        step = ratings.step(objective.worst_rating)
        return (-concerns.get(objective.pk, 0), -(step if step is not None else -1), objective.ref)

    return sorted(candidates, key=order)


def _earlier_days(day: CollaborationDay, *, today):
    """Days before `day` that have taken place (on or before `today`) and share a team with it,
    newest first."""
    return (
        CollaborationDay.objects.filter(
            date__lt=day.date, date__lte=today, teams__in=day.teams.values("pk")
        )
        .exclude(pk=day.pk)
        .order_by("-date", "-pk")
        .distinct()
    )


def _visible(days, viewer) -> list[CollaborationDay]:
    # `viewer=None` is the operator's build_pack command, which may read every day.
    days = list(days.prefetch_related("teams"))
    if viewer is None:
        return days
    return [d for d in days if permissions.can_view_day(viewer, d)]


def previous_day(day: CollaborationDay, *, viewer, today) -> CollaborationDay | None:
    """The most recent earlier day that shares a participating team, has taken place (never a
    future day) and that `viewer` may see (`can_view_day`): a day the viewer is refused is
    skipped, so its actions never reach their own day's page or pack."""
    visible = _visible(_earlier_days(day, today=today), viewer)
    return visible[0] if visible else None


def earlier_open_actions(day: CollaborationDay, *, viewer, today) -> list[Action]:
    """Open actions of `day`'s teams from every earlier day that has taken place and that
    `viewer` may see, oldest due first (undated last), each with its day loaded."""
    day_ids = [d.pk for d in _visible(_earlier_days(day, today=today), viewer)]
    return list(
        # An action with no team belongs to its day's teams, which share one with this day.
        Action.objects.filter(day_id__in=day_ids, state=ActionState.OPEN)
        .filter(Q(team__isnull=True) | Q(team__in=day.teams.values("pk")))
        .select_related("day", "owner", "team", "objective")
        .order_by(F("due_date").asc(nulls_last=True), "day__date", "pk")
    )


def create_day(
    *,
    title,
    date,
    plan,
    teams,
    facilitator,
    created_by,
    venue="",
    purpose="",
    focus_limit=DEFAULT_FOCUS,
) -> CollaborationDay:
    """A new day with the first `focus_limit` proposed objectives in focus."""
    with transaction.atomic():
        day = CollaborationDay.objects.create(
            title=title,
            date=date,
            venue=venue,
            purpose=purpose,
            plan=plan,
            facilitator=facilitator,
            created_by=created_by,
        )
        day.teams.set(teams)
        proposals = proposed_objectives(plan=plan, team_ids=[t.pk for t in teams])
        FocusObjective.objects.bulk_create(
            FocusObjective(day=day, objective=objective, position=n)
            for n, objective in enumerate(proposals[:focus_limit], start=1)
        )
    return day


def update_day(*, day, title, date, plan, teams, facilitator, venue="", purpose="") -> None:
    with transaction.atomic():
        day.title, day.date, day.plan, day.facilitator = title, date, plan, facilitator
        day.venue, day.purpose = venue, purpose
        day.save()
        day.teams.set(teams)


def add_focus(*, day, objective) -> FocusObjective:
    with transaction.atomic():
        existing = FocusObjective.objects.filter(day=day, objective=objective).first()
        if existing:
            return existing
        last = FocusObjective.objects.filter(day=day).aggregate(m=Max("position"))["m"] or 0
        focus = FocusObjective.objects.create(day=day, objective=objective, position=last + 1)
        _touch(day)
    return focus


def remove_focus(*, focus) -> None:
    day = focus.day
    with transaction.atomic():
        focus.delete()
        _renumber(day)
        _touch(day)


def move_focus(*, focus, up: bool) -> None:
    """Swap with the neighbour above (up) or below. Positions are unique, so park one first."""
    day = focus.day
    with transaction.atomic():
        rows = FocusObjective.objects.select_for_update().filter(day=day)
        neighbour = (
            rows.filter(position__lt=focus.position).order_by("-position").first()
            if up
            else rows.filter(position__gt=focus.position).order_by("position").first()
        )
        if neighbour is None:
            return
        mine, theirs = focus.position, neighbour.position
        parked = (rows.aggregate(m=Max("position"))["m"] or 0) + 1
        FocusObjective.objects.filter(pk=focus.pk).update(position=parked)
        FocusObjective.objects.filter(pk=neighbour.pk).update(position=mine)
        FocusObjective.objects.filter(pk=focus.pk).update(position=theirs)
        focus.position = theirs
        _touch(day)


def _renumber(day) -> None:
    rows = list(FocusObjective.objects.filter(day=day).order_by("position"))
    if all(row.position == n for n, row in enumerate(rows, start=1)):
        return
    # Two steps so the unique (day, position) constraint holds after every statement.
    offset = len(rows) + (rows[-1].position if rows else 0) + 1
    for row in rows:
        row.position += offset
    FocusObjective.objects.bulk_update(rows, ["position"])
    for n, row in enumerate(rows, start=1):
        row.position = n
    FocusObjective.objects.bulk_update(rows, ["position"])


def _touch(day) -> None:
    # The day's updated_at is part of the pack fingerprint: changes to its focus rebuild the pack.
    day.save(update_fields=["updated_at"])


def add_session(*, day, starts_at, title, objectives=()) -> DaySession:
    with transaction.atomic():
        last = DaySession.objects.filter(day=day).aggregate(m=Max("order"))["m"] or 0
        session = DaySession.objects.create(
            day=day, starts_at=starts_at, title=title, order=last + 1
        )
        session.objectives.set(objectives)
        _touch(day)
    return session


def delete_session(*, session) -> None:
    with transaction.atomic():
        day = session.day
        session.delete()
        _touch(day)


def record_action(
    *,
    day,
    what,
    created_by,
    owner=None,
    owner_name="",
    team=None,
    due_date=None,
    objective=None,
) -> Action:
    return Action.objects.create(
        day=day,
        what=what,
        owner=owner,
        owner_name=owner_name,
        team=team,
        due_date=due_date,
        objective=objective,
        created_by=created_by,
    )


def update_action(*, action, state, note="") -> Action:
    if state not in ActionState.values:
        raise ValueError(f"'{state}' is not an action state")
    action.state = state
    action.note = note
    action.save(update_fields=["state", "note", "updated_at"])
    return action


def record_decision(*, day, objective, kind, why, recorded_by, at=None) -> Decision:
    return Decision.objects.create(
        day=day,
        objective=objective,
        kind=kind,
        why=why,
        recorded_by=recorded_by,
        at=at or clock.now(),
    )
