"""My work and the status update form. (Issue 3: being built.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from objectives import permissions
from objectives.models import Contribution


@login_required
def my_work(request):
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
