"""The dashboard's table (django-tables2): objectives in danger and to watch, most concerning
first. The order is the concern's own (risks/queries.py), so nothing is orderable; each cell is a
small template beside the page, and on a phone the rows stack as cards (risks.css)."""

from __future__ import annotations

import django_tables2 as tables

from .models import ObjectiveConcern

PER_PAGE = 10  # the first screen shows about five; the rest are a page away


def _cell(label: str) -> dict:
    return {"td": {"data-label": label}}


class ConcernTable(tables.Table):
    objective = tables.TemplateColumn(
        template_name="risks/cells/objective.html",
        verbose_name="Objective",
        attrs=_cell("Objective"),
    )
    level = tables.TemplateColumn(
        template_name="risks/cells/level.html", verbose_name="Concern", attrs=_cell("Concern")
    )
    views = tables.TemplateColumn(
        template_name="risks/cells/views.html",
        verbose_name="Each team's view",
        attrs=_cell("Each team's view"),
    )
    headline = tables.TemplateColumn(
        template_name="risks/cells/reason.html", verbose_name="Why", attrs=_cell("Why")
    )

    class Meta:
        model = ObjectiveConcern
        fields = ()
        sequence = ("objective", "level", "views", "headline")
        orderable = False
        template_name = "risks/_table.html"
        attrs = {"class": "nhsuk-table app-concern-table"}
        row_attrs = {
            "id": lambda record: f"concern-{record.objective_id}",
            "class": lambda record: (
                "app-concern-row app-concern-row--acknowledged"
                if record.acknowledged
                else "app-concern-row"
            ),
        }
        empty_text = "No objective of concern matches these filters."

    caption = "Objectives in danger and to watch, most concerning first"
