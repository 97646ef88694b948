"""Editing an objective's own fields, with the version it was loaded at (optimistic locking).

The view saves with `UPDATE … WHERE pk = … AND version = …`; `field_changes()` describes what an
edit changed as {field: [before, after]} in the words a person reads (display strings for choices
and dates), for ObjectiveRevision and for the "someone else saved" comparison.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model

from objectives.models import Objective

EDITABLE_FIELDS = [
    "title",
    "description",
    "owner",
    "stakeholders",
    "expected_outcome",
    "delivery_date",
    "priority",
    "state",
    "theme",
    "impact_enhance",
    "impact_restore",
    "impact_replace",
    "impact_mutate",
]

EMPTY = ""


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class ObjectiveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    owner = OwnerChoiceField(
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username"),
        required=False,
        empty_label="No owner yet",
        help_text="The person accountable for the objective.",
    )
    delivery_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For example, 31/03/2025.",
        error_messages={"invalid": "Enter the delivery date as a real date, like 31/03/2025."},
    )

    class Meta:
        model = Objective
        fields = EDITABLE_FIELDS
        labels = {
            "title": "Title",
            "description": "Description",
            "stakeholders": "Stakeholders and what they expect",
            "expected_outcome": "Expected outcome",
            "priority": "Priority",
            "state": "State",
            "theme": "Theme (optional)",
        }
        error_messages = {
            "title": {"required": "Enter a title for the objective."},
            "priority": {"invalid_choice": "Choose a priority: High, Medium or Low."},
            "state": {"invalid_choice": "Choose a state from the list."},
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "stakeholders": forms.Textarea(attrs={"rows": 3}),
            "expected_outcome": forms.Textarea(attrs={"rows": 3}),
            "impact_enhance": forms.Textarea(attrs={"rows": 2}),
            "impact_restore": forms.Textarea(attrs={"rows": 2}),
            "impact_replace": forms.Textarea(attrs={"rows": 2}),
            "impact_mutate": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.fields["owner"].error_messages["invalid_choice"] = (
            "Choose the owner from the list of people."
        )
        self.fields["delivery_date"].widget.format = "%Y-%m-%d"
        for name, field in self.fields.items():
            widget = field.widget
            base = {
                forms.Textarea: "nhsuk-textarea",
                forms.Select: "nhsuk-select",
                forms.HiddenInput: "",
            }.get(type(widget), "nhsuk-input")
            if base:
                widget.attrs["class"] = base
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{name}-hint"

    def full_clean(self):
        super().full_clean()
        # Mark the fields in error the NHS.UK way, and point them at their message.
        for name in self.errors:
            if name not in self.fields or name == "version":
                continue
            attrs = self.fields[name].widget.attrs
            if attrs.get("class"):
                attrs["class"] += f" {attrs['class']}--error"
            attrs["aria-describedby"] = " ".join(
                filter(None, [attrs.get("aria-describedby"), f"{name}-error"])
            )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Enter a title for the objective.")
        return title

    def new_values(self) -> dict:
        """Field name -> the value to store, from the cleaned data."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


def display(name: str, value) -> str:
    """A field's value as a person reads it: choice labels, dates in words, people by name."""
    if value is None or value == "":
        return EMPTY
    field = Objective._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if name == "owner":
        return value.get_full_name() or value.username
    return str(value)


def field_changes(before: dict, after: dict) -> dict[str, list[str]]:
    """{field: [before, after]} for the fields whose value differs, as display strings."""
    changes = {}
    for name in EDITABLE_FIELDS:
        old, new = before.get(name), after.get(name)
        if _same(old, new):
            continue
        changes[name] = [display(name, old), display(name, new)]
    return changes


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    return a == b


def current_values(objective: Objective) -> dict:
    return {name: getattr(objective, name) for name in EDITABLE_FIELDS}


def field_label(name: str) -> str:
    form_label = ObjectiveForm.Meta.labels.get(name)
    if form_label:
        return form_label
    label = str(Objective._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]
