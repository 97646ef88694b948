"""Forms for asks between teams: raise one from the objective page, answer one from My work."""

from __future__ import annotations

from django import forms

from objectives.asks import REPLY_MAX
from objectives.models import AskState, Team

TEXT_MAX = 2000


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AskForm(forms.Form):
    from_team = TeamChoiceField(
        label="Asking as",
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a team of this objective you speak for"},
    )
    to_team = TeamChoiceField(
        label="Team you are asking",
        queryset=Team.objects.order_by("name"),
        error_messages={"required": "Choose the team you are asking"},
    )
    text = forms.CharField(
        label="What you need from them",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "nhsuk-textarea"}),
        error_messages={
            "required": "Say what you need from them",
            "max_length": f"Keep the ask to {TEXT_MAX:,} characters; link to a document for more",
        },
    )
    due_date = forms.DateField(
        label="By when (optional)",
        required=False,
        help_text="For example, 2024-12-20",
        error_messages={"invalid": "Enter the date as year-month-day, for example 2024-12-20"},
    )

    def __init__(self, *args, from_teams, involved_ids, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_team"].queryset = from_teams
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "nhsuk-select"
            elif not isinstance(field.widget, forms.Textarea):
                field.widget.attrs["class"] = "nhsuk-input"
        self.involved_ids = set(involved_ids)
        self.today = today

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due is not None and due < self.today:
            raise forms.ValidationError("The date must be today or later")
        return due

    def clean(self):
        data = super().clean()
        if data.get("from_team") and data.get("from_team") == data.get("to_team"):
            self.add_error("to_team", "Choose another team: a team cannot ask itself")
        return data

    @property
    def outside_team(self) -> Team | None:
        """The team asked when it is not involved in the objective: allowed, but worth saying."""
        team = self.cleaned_data.get("to_team")
        return team if team is not None and team.pk not in self.involved_ids else None


class AnswerForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            (AskState.ACCEPTED, "Accept"),
            (AskState.DECLINED, "Decline"),
            (AskState.DONE, "Done"),
        ],
        error_messages={"required": "Choose accept, decline or done"},
    )
    reply = forms.CharField(
        required=False,
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "nhsuk-textarea"}),
        error_messages={
            "max_length": f"Keep the reply to {REPLY_MAX:,} characters; link to a document for more"
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("state") == AskState.DECLINED and not data.get("reply"):
            self.add_error("reply", "Say why you are declining, so the asking team can plan")
        return data
