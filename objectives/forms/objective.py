"""Editing an objective's own fields, with the version it was loaded at (optimistic locking).

The form carries the `version` it was loaded at and, signed, the values it was loaded with
(`loaded`). The view saves with `UPDATE … WHERE pk = … AND version = …`. When someone else saved
first, `merge_after_conflict()` compares three sets of values — as loaded, as saved now, as
submitted — so the form can be shown again holding both the other person's changes and the user's
own, with the fields both changed listed side by side: nothing either of them typed is lost.

`field_changes()` describes what an edit changed as {field: [before, after]} in the words a person
reads (display strings for choices and dates, people by name), for ObjectiveRevision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import models

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
LOADED_SALT = "objectives.forms.objective.loaded"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class ObjectiveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)
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
            self.initial["loaded"] = sign_loaded(self.instance)
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
            if name not in self.fields or name in ("version", "loaded"):
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


# --- Someone else saved first -------------------------------------------------------------------


def raw(value):
    """A value as the form posts it and as it is compared: people by id, dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def raw_values(values: dict) -> dict:
    return {name: raw(values.get(name)) for name in EDITABLE_FIELDS}


def sign_loaded(objective: Objective) -> str:
    """The objective's values as the form is loaded, signed so they come back unchanged."""
    return signing.dumps(raw_values(current_values(objective)), salt=LOADED_SALT, compress=True)


def read_loaded(token: str) -> dict | None:
    """The values a form was loaded with, or None when missing or tampered with."""
    try:
        loaded = signing.loads(token or "", salt=LOADED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(loaded, dict) or set(loaded) != set(EDITABLE_FIELDS):
        return None
    return loaded


@dataclass
class Difference:
    """A field the other person changed: its label, its value now and, when the user changed it
    too (to something else), the user's value; `yours` is None when the user left it alone."""

    label: str
    theirs: str
    yours: str | None


def merge_after_conflict(
    *, loaded: dict | None, current: dict, submitted: dict
) -> tuple[list[Difference], set[str]]:
    """What the other person changed, and which fields keep the user's input.

    `current` and `submitted` map field names to values (model instances, dates, …); `loaded` is
    what `read_loaded` returned. Without it (an old or tampered form) every field that differs is
    listed and every field keeps the user's input.
    """
    now, mine = raw_values(current), raw_values(submitted)
    differences, keep_mine = [], set()
    for name in EDITABLE_FIELDS:
        if loaded is None:
            they_changed = now[name] != mine[name]
            i_changed = True
        else:
            they_changed = now[name] != loaded[name]
            i_changed = mine[name] != loaded[name]
        if i_changed:
            keep_mine.add(name)
        if they_changed:
            yours = display(name, submitted.get(name)) if i_changed else None
            if yours is not None and now[name] == mine[name]:
                yours = None  # both made the same change: nothing to choose between
            differences.append(
                Difference(field_label(name), display(name, current.get(name)), yours)
            )
    return differences, keep_mine


def field_label(name: str) -> str:
    form_label = ObjectiveForm.Meta.labels.get(name)
    if form_label:
        return form_label
    label = str(Objective._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]
