"""Collaboration day pages: list and plan days, capture actions and decisions, the review pack.

Every view asks objectives/permissions.py (can_view_day, can_manage_day) through `_day_for()`:
404 for a missing day, 403 for one the user may not see or change.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from objectives import clock, permissions
from objectives.audit import audit
from objectives.permissions import require

from . import pack_jobs, services
from .cache import pack_pdf as cached_pack_pdf
from .forms import (
    ActionForm,
    ActionUpdateForm,
    DayForm,
    DecisionForm,
    FocusAddForm,
    SessionForm,
)
from .models import Action, ActionState, CollaborationDay, DaySession, FocusObjective, PackBuild
from .pack import load as load_pack


def _day_for(user, pk, *, manage=False) -> CollaborationDay:
    day = get_object_or_404(
        CollaborationDay.objects.select_related("plan", "facilitator").prefetch_related("teams"),
        pk=pk,
    )
    require(
        permissions.can_manage_day(user, day) if manage else permissions.can_view_day(user, day)
    )
    return day


def _visible_days(user):
    days = CollaborationDay.objects.select_related("plan", "facilitator").prefetch_related("teams")
    scope = permissions.overseen_directorates(user)
    if scope == permissions.ALL:
        return days
    team_ids = list(permissions.team_roles(user))
    return days.filter(
        Q(facilitator=user) | Q(teams__in=team_ids) | Q(teams__directorate_id__in=scope or [])
    ).distinct()


def _htmx(request, response):
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def day_list(request):
    today = clock.today()
    days = list(_visible_days(request.user).order_by("-date", "title"))
    return render(
        request,
        "reviews/day_list.html",
        {
            "upcoming": sorted((d for d in days if d.date >= today), key=lambda d: d.date),
            "past": [d for d in days if d.date < today],
            "can_create": permissions.can_manage_day(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def day_create(request):
    require(permissions.can_manage_day(request.user))
    form = DayForm(request.POST or None, initial={"facilitator": request.user}, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        day = services.create_day(
            title=data["title"],
            date=data["date"],
            venue=data["venue"],
            purpose=data["purpose"],
            plan=data["plan"],
            teams=list(data["teams"]),
            facilitator=data["facilitator"],
            created_by=request.user,
        )
        messages.success(
            request,
            f"Day created with {day.focus.count()} proposed objectives in focus. Add, remove or "
            "reorder them below.",
        )
        return redirect("reviews:edit", pk=day.pk)
    return render(request, "reviews/day_form.html", {"form": form})


def _plan_context(request, day, **extra):
    focus = list(
        FocusObjective.objects.filter(day=day)
        .select_related("objective__lead_team")
        .order_by("position")
    )
    in_focus = {row.objective_id for row in focus}
    suggestions = [
        o
        for o in services.proposed_objectives(
            plan=day.plan, team_ids=[t.pk for t in day.teams.all()]
        )
        if o.pk not in in_focus
    ]
    context = {
        "day": day,
        "focus": focus,
        "suggestions": suggestions,
        "sessions": day.sessions.prefetch_related("objectives").order_by("starts_at", "order"),
        "add_form": FocusAddForm(day=day),
        "form": DayForm(initial=_day_initial(day), user=request.user),
        "session_form": SessionForm(day=day),
    }
    context.update(extra)
    return context


def _day_initial(day) -> dict:
    return {
        "title": day.title,
        "date": day.date,
        "venue": day.venue,
        "purpose": day.purpose,
        "plan": day.plan,
        "teams": list(day.teams.all()),
        "facilitator": day.facilitator,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def day_edit(request, pk):
    day = _day_for(request.user, pk, manage=True)
    form = DayForm(request.POST or None, initial=_day_initial(day), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_day(
            day=day,
            title=data["title"],
            date=data["date"],
            plan=data["plan"],
            teams=list(data["teams"]),
            facilitator=data["facilitator"],
            venue=data["venue"],
            purpose=data["purpose"],
        )
        messages.success(request, "Day details saved.")
        return redirect("reviews:edit", pk=day.pk)
    return render(request, "reviews/day_plan.html", _plan_context(request, day, form=form))


def _focus_response(request, day, **extra):
    if request.htmx:
        return _htmx(
            request,
            render(request, "reviews/day_plan.html#focus", _plan_context(request, day, **extra)),
        )
    return _htmx(request, redirect(reverse("reviews:edit", args=[day.pk]) + "#focus"))


@login_required
@require_POST
def focus_add(request, pk):
    day = _day_for(request.user, pk, manage=True)
    form = FocusAddForm(request.POST, day=day)
    if form.is_valid():
        services.add_focus(day=day, objective=form.cleaned_data["objective"])
        if not request.htmx:
            messages.success(request, f"{form.cleaned_data['objective'].ref} is now in focus.")
        return _focus_response(request, day)
    if request.htmx:
        return _focus_response(request, day, add_form=form)
    return render(
        request, "reviews/day_plan.html", _plan_context(request, day, add_form=form), status=400
    )


@login_required
@require_POST
def focus_remove(request, pk, focus_pk):
    day = _day_for(request.user, pk, manage=True)
    focus = get_object_or_404(FocusObjective.objects.select_related("day"), pk=focus_pk, day=day)
    services.remove_focus(focus=focus)
    return _focus_response(request, day)


@login_required
@require_POST
def focus_move(request, pk, focus_pk):
    day = _day_for(request.user, pk, manage=True)
    focus = get_object_or_404(FocusObjective.objects.select_related("day"), pk=focus_pk, day=day)
    services.move_focus(focus=focus, up=request.POST.get("direction") == "up")
    return _focus_response(request, day)


@login_required
@require_POST
def session_add(request, pk):
    day = _day_for(request.user, pk, manage=True)
    form = SessionForm(request.POST, day=day)
    if form.is_valid():
        services.add_session(
            day=day,
            starts_at=form.cleaned_data["starts_at"],
            title=form.cleaned_data["title"],
            objectives=list(form.cleaned_data["objectives"]),
        )
        messages.success(request, "Session added to the agenda.")
        return redirect(reverse("reviews:edit", args=[day.pk]) + "#agenda")
    return render(
        request,
        "reviews/day_plan.html",
        _plan_context(request, day, session_form=form),
        status=400,
    )


@login_required
@require_POST
def session_delete(request, pk, session_pk):
    day = _day_for(request.user, pk, manage=True)
    session = get_object_or_404(DaySession, pk=session_pk, day=day)
    services.delete_session(session=session)
    messages.success(request, "Session removed from the agenda.")
    return redirect(reverse("reviews:edit", args=[day.pk]) + "#agenda")


def _detail_context(request, day, **extra):
    today = clock.today()
    previous = services.previous_day(day, viewer=request.user, today=today)
    actions = list(
        Action.objects.filter(day=day)
        .select_related("owner", "team", "objective")
        .order_by("created_at", "pk")
    )
    context = {
        "day": day,
        "today": today,
        "can_manage": permissions.can_manage_day(request.user, day),
        "focus": list(
            FocusObjective.objects.filter(day=day)
            .select_related("objective__lead_team")
            .order_by("position")
        ),
        "sessions": day.sessions.prefetch_related("objectives").order_by("starts_at", "order"),
        "actions": actions,
        "decisions": list(
            day.decisions.select_related("objective", "recorded_by").order_by("at", "pk")
        ),
        "previous": previous,
        "earlier_open": services.earlier_open_actions(day, viewer=request.user, today=today),
        "action_form": ActionForm(day=day),
        "decision_form": DecisionForm(day=day),
        "states": ActionState.choices,
    }
    context.update(extra)
    return context


@login_required
@require_safe
def day_detail(request, pk):
    day = _day_for(request.user, pk)
    return render(request, "reviews/day_detail.html", _detail_context(request, day))


def _captured(request, day, partial, message, **extra):
    """After an action or decision: the re-rendered list and a fresh form with htmx, else a
    message and a redirect back to the list."""
    if request.htmx:
        return _htmx(
            request,
            render(
                request,
                f"reviews/day_detail.html#{partial}",
                _detail_context(request, day, **extra),
            ),
        )
    messages.success(request, message)
    return _htmx(request, redirect(reverse("reviews:detail", args=[day.pk]) + f"#{partial}"))


def _refused(request, day, partial, **extra):
    context = _detail_context(request, day, **extra)
    if request.htmx:
        # 200 so htmx swaps the form with its errors in; the errors say what to fix.
        return _htmx(request, render(request, f"reviews/day_detail.html#{partial}", context))
    return render(request, "reviews/day_detail.html", context, status=400)


@login_required
@require_POST
def action_add(request, pk):
    day = _day_for(request.user, pk, manage=True)
    form = ActionForm(request.POST, day=day)
    if not form.is_valid():
        return _refused(request, day, "actions", action_form=form)
    data = form.cleaned_data
    services.record_action(
        day=day,
        what=data["what"],
        created_by=request.user,
        owner=data["owner"],
        owner_name=data["owner_name"].strip(),
        team=data["team"],
        due_date=data["due_date"],
        objective=data["objective"],
    )
    return _captured(request, day, "actions", "Action added.", just_added=True)


@login_required
@require_POST
def action_update(request, pk, action_pk):
    day = _day_for(request.user, pk, manage=True)
    action = get_object_or_404(Action, pk=action_pk, day=day)
    form = ActionUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose open, done or dropped for the action.")
        return redirect(reverse("reviews:detail", args=[day.pk]) + "#actions")
    with transaction.atomic():
        services.update_action(
            action=action, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
        )
    messages.success(request, f"Action marked {action.get_state_display().lower()}.")
    next_url = request.POST.get("next", "")
    if next_url.startswith("/reviews/") and "//" not in next_url:
        return redirect(next_url)
    return redirect(reverse("reviews:detail", args=[day.pk]) + "#actions")


@login_required
@require_POST
def decision_add(request, pk):
    day = _day_for(request.user, pk, manage=True)
    form = DecisionForm(request.POST, day=day)
    if not form.is_valid():
        return _refused(request, day, "decisions", decision_form=form)
    services.record_decision(
        day=day,
        objective=form.cleaned_data["objective"],
        kind=form.cleaned_data["kind"],
        why=form.cleaned_data["why"],
        recorded_by=request.user,
    )
    return _captured(request, day, "decisions", "Decision recorded.", just_added=True)


@login_required
@require_safe
def pack_pdf(request, pk):
    """A small pack is built here (and cached); a big one is served once a job has built it."""
    day = _day_for(request.user, pk)
    if pack_jobs.is_big(day):
        built = pack_jobs.ready_pack(day, request.user)
        if built is None:
            return redirect("reviews:pack_build", pk=day.pk)
        data = bytes(built.pdf)
    else:
        data, _ = cached_pack_pdf(day, now=clock.now(), viewer=request.user)
    audit("pack_download", obj=day, outcome="downloaded", request=request, format="pdf")
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"review-pack-{day.date:%Y-%m-%d}-{day.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_safe
def pack_html(request, pk):
    from . import web

    day = _day_for(request.user, pk)
    pack = load_pack(day, as_at=clock.now().replace(second=0, microsecond=0), viewer=request.user)
    audit("pack_download", obj=day, outcome="viewed", request=request, format="html")
    return render(request, "reviews/pack.html", web.pack_context(pack))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pack_build(request, pk):
    """A big day's pack: offer to build it as a job (GET), queue the job (POST)."""
    day = _day_for(request.user, pk)
    if not pack_jobs.is_big(day):
        return redirect("reviews:pack_pdf", pk=day.pk)  # built in the request, as ever
    if request.method == "POST":
        build = pack_jobs.request_build(day=day, user=request.user)
        audit("pack_build", obj=day, outcome="queued", request=request)
        return redirect("reviews:pack_build_status", pk=day.pk, build_pk=build.pk)
    context = {
        "day": day,
        "objectives": pack_jobs.objective_count(day),
        "ready": pack_jobs.ready_pack(day, request.user) is not None,
    }
    return render(request, "reviews/pack_build.html", context)


@login_required
@require_safe
def pack_build_status(request, pk, build_pk):
    """Progress of one build, polled by htmx every two seconds until it is ready or has failed."""
    day = _day_for(request.user, pk)
    build = get_object_or_404(PackBuild.objects.defer("pdf"), pk=build_pk, day=day)
    require(permissions.can_follow_pack_build(request.user, build))
    context = {"day": day, "build": build, "state": pack_jobs.state(build)}
    template = "reviews/pack_build_status.html"
    if request.htmx:
        template += "#progress"
    return _htmx(request, render(request, template, context))
