from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import permissions
from .models import Contribution, Objective


@login_required
def my_work(request):
    """The objectives the user's teams lead or contribute to, grouped by team."""
    team_ids = list(permissions.team_roles(request.user))
    contributions = (
        Contribution.objects.filter(team_id__in=team_ids)
        .select_related("team", "objective", "latest_update")
        .order_by("team__name", "objective__ref")
    )
    groups: dict = {}
    for contribution in contributions:
        groups.setdefault(contribution.team, []).append(contribution)
    return render(request, "objectives/my_work.html", {"groups": groups})


@login_required
def objective_list(request):
    objectives = Objective.objects.select_related("plan", "lead_team").order_by("plan", "ref")
    page = Paginator(objectives, 50).get_page(request.GET.get("page"))
    return render(request, "objectives/objective_list.html", {"page": page})


@login_required
def objective_detail(request, pk):
    objective = permissions.get_objective_for_user(request.user, pk)
    contributions = objective.contributions.select_related("team", "latest_update").order_by(
        "role", "team__name"
    )
    return render(
        request,
        "objectives/objective_detail.html",
        {"objective": objective, "contributions": contributions},
    )
