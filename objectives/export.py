"""Export the filtered objectives list as CSV (streamed) or XLSX (openpyxl).

One query for the objectives plus one prefetch of their teams and current views. Text that a
spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return) is
neutralised with a leading apostrophe, in both formats: see `neutralise()`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse

from . import ratings
from .models import Contribution, ContributionRole, Objective

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500

HEADER = [
    "Ref",
    "Title",
    "Plan",
    "Lead team",
    "Lead directorate",
    "Contributing teams",
    "Owner",
    "State",
    "Priority",
    "Delivery date",
    "Shared",
    "Current rating",
    "Each team's current view",
    "Description",
]


def neutralise(value):
    """A string a spreadsheet would treat as a formula gets a leading apostrophe; others pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_queryset():
    """Every objective with what the export shows; the filters narrow it."""
    contributions = Contribution.objects.select_related("team", "latest_update").order_by(
        "-role", "team__name"
    )
    return (
        Objective.objects.select_related("plan", "lead_team__directorate", "owner")
        .prefetch_related(Prefetch("contributions", queryset=contributions))
        .order_by("plan__start_date", "ref")
    )


def row(objective) -> list:
    """One objective as export cells (dates stay dates; XLSX keeps them as real dates)."""
    teams = list(objective.contributions.all())
    contributors = [c.team.name for c in teams if c.role != ContributionRole.LEAD]
    views = [
        f"{c.team.name}: {ratings.label(c.latest_update.rating if c.latest_update else None)}"
        for c in teams
    ]
    owner = objective.owner
    return [
        objective.ref,
        objective.title,
        objective.plan.label,
        objective.lead_team.name,
        objective.lead_team.directorate.name,
        "; ".join(contributors),
        (owner.get_full_name() or owner.username) if owner else "",
        objective.get_state_display(),
        objective.get_priority_display(),
        objective.delivery_date,
        "Yes" if objective.is_shared else "No",
        ratings.label(objective.worst_rating),
        "; ".join(views),
        objective.description,
    ]


def rows(queryset):
    yield HEADER
    for objective in queryset.iterator(chunk_size=CHUNK):
        yield row(objective)


def filename(plan_label: str) -> str:
    return f"objectives-{plan_label.replace('/', '-')}".replace(" ", "-").lower()


class _Echo:
    """A file-like object whose write() hands back the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def _csv_cell(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise("" if value is None else value)


def csv_stream(queryset):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so Excel reads the file as UTF-8
    for cells in rows(queryset):
        yield writer.writerow([_csv_cell(cell) for cell in cells])


def xlsx_bytes(queryset) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Objectives")
    bold = Font(bold=True)
    for index, cells in enumerate(rows(queryset)):
        out = []
        for value in cells:
            if isinstance(value, str):
                # Control characters a worksheet cannot hold (pasted from elsewhere) are dropped
                # rather than failing the whole export.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            if index == 0:
                cell.font = bold
            # openpyxl reads any string starting with "=" as a formula; these never are.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def response(kind: str, queryset, name: str):
    if kind == "csv":
        result = StreamingHttpResponse(csv_stream(queryset), content_type="text/csv; charset=utf-8")
        result["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return result
    result = HttpResponse(
        xlsx_bytes(queryset),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    result["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return result
