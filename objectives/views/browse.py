"""Objectives list, detail and edit. (Issue 3: being built.)"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from objectives import permissions
from objectives.models import Objective


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
