"""The risk dashboard's table (django-tables2): flagged objectives, most severe first.

Rows are already sorted by the rules' score, so nothing is orderable. django-tables2 gives the
headers and the paging; each row is drawn by templates/objectives/_risk_row.html straight from its
record (as the objectives list does), and the acknowledge view renders that same template alone to
swap one row.
"""

from __future__ import annotations

import django_tables2 as tables

PER_PAGE = 25


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
    back to, and any error on one of its acknowledge forms ({(rule, subject): message}).
    Light on purpose: a row is made for every flagged objective, its flags' details only for the
    rows on the page."""

    __slots__ = ("item", "can_acknowledge", "next_url", "errors", "just_acknowledged")

    def __init__(self, item, *, can_acknowledge, next_url, errors=None, just_acknowledged=None):
        self.item = item
        self.can_acknowledge = can_acknowledge
        self.next_url = next_url
        self.errors = errors or {}
        self.just_acknowledged = just_acknowledged

    @property
    def flags(self) -> list[dict]:
        return [
            {
                "flag": flag,
                "error": self.errors.get(flag.key, ""),
                "dom_id": f"flag-{self.item.objective_id}-{index}",
                "just_acknowledged": flag.key == self.just_acknowledged,
            }
            for index, flag in enumerate(self.item.flags, start=1)
        ]
