"""The status update form: one team's rating and narrative for one reporting period.

The form checks everything a person can get wrong before anything is saved (rating on the scale,
a reporting month of the plan that has started, a locked month, the narrative rule);
objectives.services.record_status checks again inside its transaction. Asks: one optional box per
other team involved in the objective (``ask_<team id>``), so one update can ask several teams.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from objectives import ratings, services
from objectives.models import Contribution, Period, Team

TEXT_LIMIT = 4000


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "nhsuk-textarea"})


def _text_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        strip=True,
        widget=_textarea(),
        error_messages={
            "max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer; "
            "link to a document for more."
        },
    )


class StatusUpdateForm(forms.Form):
    period = forms.ChoiceField(widget=forms.HiddenInput)
    rating = forms.ChoiceField(label="Delivery confidence", widget=forms.RadioSelect)
    going_well = _text_field("What is going well")
    not_going_well = _text_field("What is not going well")
    risks = _text_field("Risks and issues")

    def __init__(
        self,
        *args,
        contribution: Contribution,
        periods: list[Period],
        other_teams: list[Team],
        can_override_lock: bool,
        scale_points: int = 5,
        **kwargs,
    ):
        kwargs.setdefault("auto_id", f"c{contribution.pk}-%s")
        super().__init__(*args, **kwargs)
        self.contribution = contribution
        self.periods = {str(period.pk): period for period in periods}
        self.other_teams = {str(team.pk): team for team in other_teams}
        self.can_override_lock = can_override_lock
        self.scale = ratings.scale(scale_points)
        latest = contribution.latest_update
        self.previous_rating = latest.rating if latest else None

        plan = contribution.objective.plan
        period_field = self.fields["period"]
        period_field.choices = [(key, period.label) for key, period in self.periods.items()]
        if periods:
            expected = (
                f"Choose a reporting month of plan {plan.label} from {periods[0].label} "
                f"to {periods[-1].label}."
            )
        else:
            expected = "This plan has no open reporting period, so no update can be recorded."
        period_field.error_messages = {"required": expected, "invalid_choice": expected}

        words = [rating.label for rating in self.scale]
        choose = f"Choose a delivery confidence rating: {', '.join(words[:-1])} or {words[-1]}."
        rating_field = self.fields["rating"]
        rating_field.choices = [(rating.value, rating.label) for rating in self.scale]
        rating_field.error_messages = {"required": choose, "invalid_choice": choose}
        if self.previous_rating in {rating.value for rating in self.scale}:
            rating_field.initial = self.previous_rating

        for key, team in self.other_teams.items():
            field = _text_field(f"What you are asking of {team.name}")
            field.widget.attrs["rows"] = 2
            self.fields[f"ask_{key}"] = field

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]

    @property
    def ask_fields(self) -> list:
        """The bound ask boxes, one per other team involved, in the teams' order."""
        return [self[f"ask_{key}"] for key in self.other_teams]

    @property
    def has_asks(self) -> bool:
        """Whether any ask box holds text or an error (the template then shows them open)."""
        return any(bound.value() or bound.errors for bound in self.ask_fields)

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period is not None and period.locked and not self.can_override_lock:
            self.add_error(
                "period",
                f"{period.label} is locked, so updates are closed. Ask a director if this "
                "update must change.",
            )
        rating = data.get("rating")
        has_narrative = bool(data.get("going_well") or data.get("not_going_well"))
        if (
            rating
            and not has_narrative
            and "going_well" not in self.errors
            and services.narrative_required(previous_rating=self.previous_rating, rating=rating)
        ):
            self.add_error("going_well", self.narrative_message(rating))
        return data

    def narrative_message(self, rating: str) -> str:
        word = ratings.label(rating)
        if ratings.is_low_confidence(rating):
            reason = f"{word} always needs a narrative"
        else:
            reason = (
                f"The rating changed from {ratings.label(self.previous_rating)} to {word}, "
                "so it needs a narrative"
            )
        return f"{reason}: say what is going well or what is not going well."

    @property
    def lock_override(self) -> bool:
        period = self.cleaned_data.get("period")
        return bool(period and period.locked and self.can_override_lock)

    @property
    def asks(self) -> list[tuple[Team, str]]:
        return [
            (team, text)
            for key, team in self.other_teams.items()
            if (text := self.cleaned_data.get(f"ask_{key}"))
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put record_status's field errors next to the fields they name."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
