"""The risk dashboard's table (django-tables2): flagged objectives, most severe first.

Rows are already sorted by the rules' score, so nothing is orderable. django-tables2 gives the
headers and the paging (50 a page, swapped by htmx, real links without JavaScript); each row is
drawn by templates/objectives/_risk_row.html straight from its record (as the objectives list
does), and the acknowledge view renders that same template alone to swap one row.
"""

from __future__ import annotations

import django_tables2 as tables

from objectives.forms.risks import flag_value

PER_PAGE = 50


class RiskTable(tables.Table):
    ref = tables.Column("Ref", empty_values=())
    title = tables.Column("Objective", empty_values=())
    lead_team = tables.Column("Lead team", empty_values=())
    teams = tables.Column("Each team's view", empty_values=())
    flags = tables.Column("Flags", empty_values=())
    score = tables.Column("Score", empty_values=())
    acknowledged = tables.Column("Acknowledged", empty_values=())

    class Meta:
        template_name = "objectives/_risk_table.html"
        orderable = False
        attrs = {"class": "nhsuk-table app-risk-table"}
        empty_text = "No objective matches these filters."

    def __init__(self, data, *, caption: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption


class RiskRow:
    """One row: the evaluated objective, whether the user may acknowledge its flags, where to come
    back to, and the row's acknowledge form state: an ``error`` for the flag ``selected`` (rule,
    subject) with the ``note`` as typed, or the flag ``just_acknowledged``.

    Light on purpose: a row is made for every flagged objective, its flags' details only for the
    rows on the page. Each row has one acknowledge form (a select names the flag) rather than one
    per flag, which keeps a page of 50 rows to a fraction of the size."""

    __slots__ = (
        "item",
        "can_acknowledge",
        "next_url",
        "error",
        "selected",
        "note",
        "just_acknowledged",
        "html",
    )

    def __init__(
        self,
        item,
        *,
        can_acknowledge,
        next_url,
        error="",
        selected=None,
        note="",
        just_acknowledged=None,
    ):
        self.item = item
        self.can_acknowledge = can_acknowledge
        self.next_url = next_url
        self.error = error
        self.selected = selected
        self.note = note
        self.just_acknowledged = just_acknowledged
        self.html = ""  # the row already drawn (views.risks.row_html), else drawn by the table

    @property
    def dom_id(self) -> str:
        return f"ack-{self.item.objective_id}"

    @property
    def flags(self) -> list[dict]:
        return [
            {
                "flag": flag,
                "dom_id": f"flag-{self.item.objective_id}-{index}",
                "just_acknowledged": flag.key == self.just_acknowledged,
            }
            for index, flag in enumerate(self.item.flags, start=1)
        ]

    @property
    def open_flags(self) -> list[dict]:
        """The flags that may be acknowledged (not acknowledged, or lapsed), most severe first;
        the one the form comes back about (else the first) selected."""
        choices = [flag for flag in self.item.flags if not flag.is_acknowledged]
        selected = self.selected if any(f.key == self.selected for f in choices) else None
        return [
            {
                "flag": flag,
                "value": flag_value(flag),
                "selected": flag.key == selected if selected else index == 0,
            }
            for index, flag in enumerate(choices)
        ]
