"""Actions follow their owners: the actions of the user's teams from every collaboration day
(My work loads them with htmx, and links here without JavaScript), marking one done or dropped
with a note, and the actions and decisions about one objective (its page loads them the same way).

Only actions and decisions of days the viewer may see (`can_view_day`) are shown.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from objectives import clock, permissions
from objectives.permissions import require

from . import services
from .forms import ActionUpdateForm
from .models import Action, ActionState, Decision

# How long a closed action stays on its team's list.
CLOSED_SHOWN_FOR = dt.timedelta(days=30)


def _render(request, template, context):
    """The partial for htmx, the whole page otherwise (`#list` is the part htmx swaps in)."""
    name = f"{template}#list" if request.htmx else template
    response = render(request, name, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _visible(user, actions):
    return [a for a in actions if permissions.can_view_day(user, a.day)]


def team_actions(user) -> list[Action]:
    """Open actions of the user's teams (or owned by them) from every day, overdue and soonest
    due first, then those closed in the last month. Two queries."""
    today = clock.today()
    since = clock.now() - CLOSED_SHOWN_FOR
    mine = Q(team_id__in=list(permissions.team_roles(user))) | Q(owner=user)
    rows = (
        Action.objects.filter(mine)
        .filter(Q(state=ActionState.OPEN) | Q(updated_at__gte=since))
        .select_related("day", "owner", "team", "objective")
        .prefetch_related("day__teams")
        .annotate(
            closed=Case(
                When(state=ActionState.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", F("due_date").asc(nulls_last=True), "-updated_at", "pk")
    )
    actions = _visible(user, rows)
    for action in actions:
        action.overdue = action.is_overdue(today)
        action.can_update = permissions.can_update_action(user, action)
    return actions


@login_required
@require_safe
def my_actions(request):
    return _render(
        request,
        "reviews/my_actions.html",
        {"actions": team_actions(request.user), "states": ActionState.choices},
    )


@login_required
@require_POST
def action_mark(request, action_pk):
    action = get_object_or_404(
        Action.objects.select_related("day", "owner", "team", "objective").prefetch_related(
            "day__teams"
        ),
        pk=action_pk,
    )
    require(permissions.can_update_action(request.user, action))
    form = ActionUpdateForm(request.POST)
    if form.is_valid():
        services.update_action(
            action=action, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
        )
        message = f"Action marked {action.get_state_display().lower()}."
    else:
        message = "Choose open, done or dropped for the action."
    if request.htmx:
        action.overdue = action.is_overdue(clock.today())
        action.can_update = True
        response = render(
            request,
            "reviews/_team_action.html",
            {"a": action, "states": ActionState.choices, "message": message},
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    (messages.success if form.is_valid() else messages.error)(request, message)
    wanted = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    return redirect(wanted if wanted.startswith("/") and safe else "reviews:my_actions")


@login_required
@require_safe
def objective_record(request, pk):
    """Actions and decisions about one objective, newest first, each with its day."""
    objective = permissions.get_objective_for_user(request.user, pk)
    actions = _visible(
        request.user,
        Action.objects.filter(objective=objective)
        .select_related("day", "owner", "team")
        .prefetch_related("day__teams")
        .order_by("-day__date", "-created_at", "-pk"),
    )
    decisions = [
        d
        for d in Decision.objects.filter(objective=objective)
        .select_related("day", "recorded_by")
        .prefetch_related("day__teams")
        .order_by("-day__date", "-at", "-pk")
        if permissions.can_view_day(request.user, d.day)
    ]
    today = clock.today()
    for action in actions:
        action.overdue = action.is_overdue(today)
    return _render(
        request,
        "reviews/objective_record.html",
        {"objective": objective, "actions": actions, "decisions": decisions},
    )
