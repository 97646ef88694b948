"""Who may do what. Every view that reads or changes an object asks here first.

The cast: admins (superusers) may do everything. Directors oversee one or more directorates, or the
whole organisation (a Directorship with no directorate). Team leads change their own teams' views.
Objectives are the organisation's shared business plan, so every signed-in person may read them;
changing them, the risk dashboard, imports and collaboration days are restricted as below.

The `get_*_for_user` helpers raise Http404 for a missing object and PermissionDenied (403) for one
the user may not touch, so views stay a few lines.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Directorship, Membership, Objective, Role, Team

ALL = "all"


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def _cache(user) -> dict:
    # Request-scoped memo on the user object: permission checks run many times per page.
    if not hasattr(user, "_perm_cache"):
        user._perm_cache = {}
    return user._perm_cache


def overseen_directorates(user):
    """ALL for admins and organisation-wide directors, else the set of directorate ids overseen."""
    if not user.is_authenticated:
        return set()
    cache = _cache(user)
    if "directorates" not in cache:
        if is_admin(user):
            cache["directorates"] = ALL
        else:
            ids = list(
                Directorship.objects.filter(user=user).values_list("directorate_id", flat=True)
            )
            cache["directorates"] = ALL if None in ids else set(ids)
    return cache["directorates"]


def is_director(user) -> bool:
    """A director of at least one directorate, or of the whole organisation. Admins count too."""
    return bool(overseen_directorates(user))


def team_roles(user) -> dict[int, str]:
    """team id -> 'lead', 'deputy' or 'member' for the user's memberships.

    A deputy may act for the lead (DESIGN.md): `led_team_ids` counts both."""
    if not user.is_authenticated:
        return {}
    cache = _cache(user)
    if "teams" not in cache:
        cache["teams"] = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
    return cache["teams"]


def led_team_ids(user) -> set[int]:
    """Teams the user leads, or deputises for: they record the team's view."""
    return {team for team, role in team_roles(user).items() if role in (Role.LEAD, Role.DEPUTY)}


def oversees_team(user, team: Team) -> bool:
    scope = overseen_directorates(user)
    return scope == ALL or team.directorate_id in scope


def oversees_objective(user, objective: Objective) -> bool:
    """Directors oversee an objective when any involved team is in a directorate of theirs."""
    scope = overseen_directorates(user)
    if scope == ALL:
        return True
    if not scope:
        return False
    # Pages ask this several times for one objective (edit, milestones, measures): ask the
    # database once per request.
    known = getattr(objective, "involved_directorate_ids", None)
    if known is not None:  # a view that loaded the teams already says where they sit
        return bool(scope & set(known))
    answers = _cache(user).setdefault("oversees_objective", {})
    if objective.pk not in answers:
        answers[objective.pk] = objective.contributions.filter(
            team__directorate_id__in=scope
        ).exists()
    return answers[objective.pk]


# --- Objectives ---------------------------------------------------------------------------------


def can_view_objective(user, objective: Objective) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_update_team_status(user, team: Team) -> bool:
    """Team leads for their own teams; directors for teams they oversee; admins."""
    if not user.is_authenticated:
        return False
    return team.pk in led_team_ids(user) or oversees_team(user, team)


def can_override_lock(user, team: Team) -> bool:
    """Only directors (of the team's directorate) and admins may change a locked period."""
    return user.is_authenticated and oversees_team(user, team)


def can_edit_objective(user, objective: Objective) -> bool:
    """The lead team's lead, directors who oversee the objective, admins."""
    if not user.is_authenticated:
        return False
    return objective.lead_team_id in led_team_ids(user) or oversees_objective(user, objective)


def can_mark_milestone(user, milestone) -> bool:
    """Anyone in the responsible team, the lead team's lead, directors overseeing it, admins."""
    if not user.is_authenticated:
        return False
    if milestone.team_id and milestone.team_id in team_roles(user):
        return True
    return can_edit_objective(user, milestone.objective)


def can_enter_readings(user, measure) -> bool:
    """Anyone in the responsible team (the lead team when none is set), directors, admins."""
    if not user.is_authenticated:
        return False
    team_id = measure.team_id or measure.objective.lead_team_id
    if team_id in team_roles(user):
        return True
    return oversees_objective(user, measure.objective)


# --- Asks between teams -------------------------------------------------------------------------
# A team speaks through its lead or deputy, and directors overseeing it; admins anything.


def can_raise_ask(user, from_team: Team) -> bool:
    return can_update_team_status(user, from_team)


def can_answer_ask(user, ask) -> bool:
    """Only the receiving team accepts, declines or closes an ask."""
    return can_update_team_status(user, ask.to_team)


def can_withdraw_ask(user, ask) -> bool:
    """Only the asking team withdraws it."""
    return can_update_team_status(user, ask.from_team)


def can_acknowledge_flag(user, objective: Objective) -> bool:
    return user.is_authenticated and oversees_objective(user, objective)


def can_view_risks(user) -> bool:
    return is_director(user)


def can_import_plan(user) -> bool:
    return is_director(user)


def can_import_objective(user, *, lead_before: Team | None, lead_after: Team) -> bool:
    """A plan import may create or change an objective only when its lead team before (None for
    a new objective) and after the import is in a directorate the importer oversees."""
    if not can_import_plan(user) or not oversees_team(user, lead_after):
        return False
    return lead_before is None or oversees_team(user, lead_before)


# --- Sign-in and people -------------------------------------------------------------------------


def can_use_password(user) -> bool:
    """A password kept by this app: everyone while LOCAL_LOGIN is on, else superusers only (the
    break-glass administrator); never an account made without one (organisation sign-in)."""
    if not (settings.LOCAL_LOGIN or user.is_superuser):
        return False
    return not user.is_authenticated or user.has_usable_password()


def can_import_people(user) -> bool:
    """Teams and people from the staff directory: admins only (it can switch accounts off)."""
    return is_admin(user)


# --- Collaboration days -------------------------------------------------------------------------


def can_view_day(user, day) -> bool:
    """Members of a participating team, the facilitator, directors overseeing a team, admins."""
    if not user.is_authenticated:
        return False
    if is_admin(user) or day.facilitator_id == user.pk:
        return True
    teams = list(day.teams.all())
    if any(team.pk in team_roles(user) for team in teams):
        return True
    return any(oversees_team(user, team) for team in teams)


def can_follow_pack_build(user, pack_build) -> bool:
    """A background pack build's progress: the person who started it, and admins (who may also
    see the day: the view checks can_view_day first)."""
    return user.is_authenticated and (is_admin(user) or pack_build.requested_by_id == user.pk)


def can_plan_for_team(user, team: Team) -> bool:
    """Who may put a team on a collaboration day: admins any team, directors the teams of the
    directorates they oversee, a lead (or deputy) the teams of their own directorate. Without
    it, a crafted day could put its actions in front of people outside it."""
    if not user.is_authenticated:
        return False
    if oversees_team(user, team):
        return True
    return Team.objects.filter(
        pk__in=led_team_ids(user), directorate_id=team.directorate_id
    ).exists()


def can_manage_day(user, day=None) -> bool:
    """Create a day: directors, team leads, admins. Change one: its facilitator, directors over it,
    admins."""
    if not user.is_authenticated:
        return False
    if day is None:
        return is_director(user) or bool(led_team_ids(user))
    if is_admin(user) or day.facilitator_id == user.pk:
        return True
    return any(oversees_team(user, team) for team in day.teams.all())


def can_update_action(user, action) -> bool:
    """Mark an action done or dropped: its owner, its team's lead or deputy, directors over its
    team, and whoever may change its day."""
    if not user.is_authenticated:
        return False
    if action.owner_id == user.pk:
        return True
    team = action.team
    if team is not None and (team.pk in led_team_ids(user) or oversees_team(user, team)):
        return True
    return can_manage_day(user, action.day)


# --- Helpers for views --------------------------------------------------------------------------


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_objective_for_user(user, pk, *, edit: bool = False) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("plan", "lead_team"), pk=pk)
    require(can_edit_objective(user, objective) if edit else can_view_objective(user, objective))
    return objective


def get_team_for_status(user, pk) -> Team:
    team = get_object_or_404(Team, pk=pk)
    require(can_update_team_status(user, team))
    return team
