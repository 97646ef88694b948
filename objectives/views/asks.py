"""Asks between teams: raise one from the objective page; answer or withdraw one from My work or
the objective page. With htmx an answer re-renders the ask in place; without it, a message and
a redirect back to where the person was."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from objectives import asks, clock, permissions
from objectives.forms.asks import AnswerForm, AskForm
from objectives.models import Ask, Contribution, Team
from objectives.permissions import require


def _ask_for(pk) -> Ask:
    return get_object_or_404(
        Ask.objects.select_related("objective", "from_team", "to_team", "asked_by", "answered_by"),
        pk=pk,
    )


def _back(request, ask: Ask):
    """Where the person came from (a path on this site), else My work."""
    wanted = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    if wanted.startswith("/") and safe:
        return redirect(wanted)
    return redirect("objectives:my_work")


def _answered(request, ask: Ask, message: str, *, form=None):
    if request.htmx:
        ask.can_answer = permissions.can_answer_ask(request.user, ask)
        ask.can_withdraw = permissions.can_withdraw_ask(request.user, ask)
        response = render(
            request,
            "objectives/_ask.html",
            {
                "ask": ask,
                "today": clock.today(),
                "answer_form": form,
                "message": message,
                "next": request.POST.get("next", ""),
            },
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    if form is not None:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(request, message)
    return _back(request, ask)


@login_required
@require_http_methods(["GET", "POST"])
def ask_create(request, pk):
    user = request.user
    objective = permissions.get_objective_for_user(user, pk)
    involved = list(
        Contribution.objects.filter(objective=objective)
        .select_related("team")
        .order_by("role", "team__name")
    )
    speaks_for = [c.team.pk for c in involved if permissions.can_raise_ask(user, c.team)]
    require(bool(speaks_for))
    form = AskForm(
        request.POST if request.method == "POST" else None,
        from_teams=Team.objects.filter(pk__in=speaks_for).order_by("name"),
        involved_ids=[c.team_id for c in involved],
        today=clock.today(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        asks.raise_ask(
            objective=objective,
            from_team=data["from_team"],
            to_team=data["to_team"],
            text=data["text"],
            due_date=data["due_date"],
            asked_by=user,
        )
        note = ""
        if form.outside_team:
            note = f" Note that {form.outside_team.name} is not involved in {objective.ref}."
        messages.success(request, f"Your ask is with {data['to_team'].name}.{note}")
        return redirect(objective.get_absolute_url() + "#asks")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "objectives/ask_form.html", {"objective": objective, "form": form}, status=status
    )


@login_required
@require_POST
def ask_answer(request, pk):
    ask = _ask_for(pk)
    require(permissions.can_answer_ask(request.user, ask))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _answered(request, ask, "", form=form)
    state, reply = form.cleaned_data["state"], form.cleaned_data["reply"]
    if asks.answer_ask(ask=ask, state=state, reply=reply, by=request.user):
        message = f"Ask from {ask.from_team.name} marked {ask.get_state_display().lower()}."
    else:
        message = f"This ask is already {ask.get_state_display().lower()}; nothing changed."
    return _answered(request, ask, message)


@login_required
@require_POST
def ask_withdraw(request, pk):
    ask = _ask_for(pk)
    require(permissions.can_withdraw_ask(request.user, ask))
    if asks.withdraw_ask(ask=ask, by=request.user):
        message = f"Ask of {ask.to_team.name} withdrawn."
    else:
        message = f"This ask is already {ask.get_state_display().lower()}; nothing changed."
    return _answered(request, ask, message)
