"""The dashboard's filters (django-filter): concern level, directorate, rule, shared only,
acknowledged. Each narrows the stored concerns in the database, so the page costs the same few
queries whatever is chosen."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from objectives.models import Contribution

from .models import Concern, Finding, Rule


class ConcernFilter(django_filters.FilterSet):
    concern = django_filters.ChoiceFilter(
        field_name="level",
        label="Concern",
        empty_label="In danger and watch",
        choices=[(Concern.IN_DANGER, "In danger"), (Concern.WATCH, "Watch")],
    )
    directorate = django_filters.ChoiceFilter(
        label="Directorate involved", empty_label="Any directorate", method="filter_directorate"
    )
    rule = django_filters.ChoiceFilter(
        label="Finding", empty_label="Any finding", choices=Rule.choices, method="filter_rule"
    )
    shared = django_filters.BooleanFilter(
        field_name="objective__is_shared",
        label="Shared objectives only",
        widget=forms.CheckboxInput,
        method="filter_shared",
    )
    acknowledged = django_filters.ChoiceFilter(
        field_name="acknowledged",
        label="Acknowledged",
        empty_label="Include acknowledged",
        choices=[("no", "Hide acknowledged"), ("only", "Only acknowledged")],
        method="filter_acknowledged",
    )

    def __init__(self, *args, directorates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["directorate"].extra["choices"] = [
            (str(pk), name) for pk, name in directorates
        ]

    def filter_directorate(self, queryset, name, value):
        teams = Contribution.objects.filter(
            objective_id=OuterRef("objective_id"), team__directorate_id=value
        )
        return queryset.filter(Exists(teams))

    def filter_rule(self, queryset, name, value):
        found = Finding.objects.filter(
            objective_id=OuterRef("objective_id"), rule=value, resolved_at__isnull=True
        )
        return queryset.filter(Exists(found))

    def filter_shared(self, queryset, name, value):
        return queryset.filter(objective__is_shared=True) if value else queryset

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(acknowledged=(value == "only"))

    @property
    def is_narrowed(self) -> bool:
        return self.is_bound and any(
            self.form.cleaned_data.get(name) for name in self.filters if self.form.is_valid()
        )
