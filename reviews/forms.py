"""Forms for planning a collaboration day and capturing actions and decisions on it."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from objectives import permissions
from objectives.models import Objective, Plan, Team

from .models import ActionState, DecisionKind

DATE_HELP = "For example, 28 11 2024"


def _person(user) -> str:
    return user.get_full_name() or user.username


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person(obj)


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.ref} {obj.title}"


class ObjectiveMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.ref} {obj.title}"


class NhsForm(forms.Form):
    """Adds NHS.UK frontend classes and error states to the widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Textarea):
                css = "nhsuk-textarea"
            elif isinstance(widget, forms.Select) and not isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                css = "nhsuk-select"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            else:
                css = "nhsuk-input"
            widget.attrs["class"] = css
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self):
        super().full_clean()
        # Error classes depend on the errors, which exist only now.
        for name in self.errors:
            field = self.fields.get(name)
            if field is None:
                continue
            widget = field.widget
            css = widget.attrs.get("class", "")
            if css and "--error" not in css:
                widget.attrs["class"] = f"{css} {css.split()[0]}--error"
            described = widget.attrs.get("aria-describedby", "")
            error_id = f"id_{self.add_prefix(name)}-error"
            if error_id not in described:
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


class DayForm(NhsForm):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Enter a title for the day, for example 'Winter readiness'"},
    )
    date = forms.DateField(
        help_text="Use the form 2024-11-28",
        error_messages={
            "required": "Enter the date of the day",
            "invalid": "Enter the date as year-month-day, for example 2024-11-28",
        },
    )
    venue = forms.CharField(max_length=200, required=False)
    purpose = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="A sentence or two"
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose the business plan the day reviews"},
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least two participating teams"},
    )
    facilitator = PersonChoiceField(
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name"),
        required=False,
        empty_label="Nobody yet",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Teams already on the day stay allowed, so a director from elsewhere can fix its title.
        self.kept = {team.pk for team in self.initial.get("teams", [])}

    def clean_teams(self):
        teams = self.cleaned_data["teams"]
        if len(teams) < 2:
            raise forms.ValidationError(
                "Choose at least two participating teams: a collaboration day is about shared work"
            )
        refused = [
            team.name
            for team in teams
            if team.pk not in self.kept and not permissions.can_plan_for_team(self.user, team)
        ]
        if refused:
            raise forms.ValidationError(
                f"You cannot plan a day for {', '.join(refused)}: choose teams of your own "
                "directorate, or ask their director"
            )
        return teams


class FocusAddForm(NhsForm):
    prefix = "focus"

    objective = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        error_messages={
            "required": "Choose an objective to add",
            "invalid_choice": "Choose an objective of this day's plan",
        },
    )

    def __init__(self, *args, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(plan=day.plan).order_by("ref")


class SessionForm(NhsForm):
    prefix = "session"

    starts_at = forms.TimeField(
        label="Start time",
        help_text="24-hour clock, for example 09:30",
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter the start time as hours and minutes, for example 09:30",
        },
    )
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter what the session is about"}
    )
    objectives = ObjectiveMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Objectives discussed",
    )

    def __init__(self, *args, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = Objective.objects.filter(
            pk__in=day.focus.values("objective_id")
        ).order_by("ref")


class ActionForm(NhsForm):
    prefix = "action"

    what = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what needs to be done"},
    )
    owner = PersonChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Someone else"
    )
    owner_name = forms.CharField(
        max_length=120,
        required=False,
        label="Or the owner's name",
        help_text="When the owner is not in the list",
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="–")
    due_date = forms.DateField(
        required=False,
        label="Due date",
        help_text="Use the form 2024-12-13",
        error_messages={"invalid": "Enter the due date as year-month-day, for example 2024-12-13"},
    )
    objective = ObjectiveChoiceField(
        queryset=Objective.objects.none(), required=False, empty_label="–"
    )

    def __init__(self, *args, day, **kwargs):
        super().__init__(*args, **kwargs)
        teams = day.teams.all()
        self.fields["team"].queryset = teams.order_by("name")
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__team__in=teams, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["objective"].queryset = Objective.objects.filter(
            pk__in=day.focus.values("objective_id")
        ).order_by("ref")

    def clean(self):
        data = super().clean()
        if not data.get("owner") and not (data.get("owner_name") or "").strip():
            self.add_error("owner", "Choose who owns the action, or type their name")
        return data


class ActionUpdateForm(NhsForm):
    state = forms.ChoiceField(
        choices=ActionState.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose open, done or dropped"},
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (optional)"
    )


class DecisionForm(NhsForm):
    prefix = "decision"

    objective = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        error_messages={
            "required": "Choose the objective the decision is about",
            "invalid_choice": "Choose one of the objectives in focus",
        },
    )
    kind = forms.ChoiceField(
        choices=DecisionKind.choices,
        label="What was decided",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was decided"},
    )
    why = forms.CharField(
        label="Why, in a sentence",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say in a sentence why it was decided"},
    )

    def __init__(self, *args, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(
            pk__in=day.focus.values("objective_id")
        ).order_by("ref")
