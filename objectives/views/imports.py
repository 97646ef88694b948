"""Plan import pages: upload -> preview -> confirm; the template; export; start next year.

Who: uploading, previewing, confirming and starting next year are for directors and admins
(permissions.can_import_plan); which objectives an import may touch is checked row by row against
the importer's directorates (permissions.can_import_objective, in importing/matching.py). The
template holds no data, so anyone signed in may download it. An export holds only the objectives
the person may view (permissions.can_view_objective, which today lets every signed-in person read
every objective), so anyone signed in may export.

Between upload and confirm the uploaded file is kept in the database (models.PendingImport, see
docs/decisions.md), under a random token that belongs to its uploader and is recorded in their
session: a token that is not yours and in your session is a 404. Any app server can therefore
answer the confirm step. The preview is rebuilt from the stored bytes when the page is shown and
again, inside the import's transaction, when it is confirmed, so what is imported is what was
just validated against the database as it is then. Uploads are deleted on confirm, when a session
holds more than a few, and after a day.

Which sheet is read as which can be chosen on the preview when several fit: the choice travels
as `sheet-<Kind>` in the preview's query string and the confirm form, never in server memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from objectives import permissions
from objectives.audit import audit
from objectives.forms.imports import ACCEPT, NextYearForm, UploadForm, default_plan_label
from objectives.importing import columns, next_year, plan_export, plan_import, template
from objectives.models import PendingImport, Plan, PlanStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "plan_imports"
KEEP_PER_SESSION = 5
KEEP_FOR = dt.timedelta(hours=24)
SHOWN_ROWS = 200  # rows listed per group on the preview; the counts are always complete
SHOWN_PROBLEMS = 500
SHEET_NAME_MAX = 31  # Excel's limit on a sheet name


# --- Keeping the upload between steps ------------------------------------------------------------


def _sweep() -> None:
    PendingImport.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()


def _session_tokens(request) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


def _save_upload(request, data: bytes, *, plan: str, name: str) -> PendingImport:
    _sweep()
    upload = PendingImport.objects.create(
        token=secrets.token_urlsafe(24),
        owner=request.user,
        file_name=name,
        plan_label=plan,
        data=data,
    )
    tokens = [*_session_tokens(request), upload.token]
    dropped, tokens = tokens[:-KEEP_PER_SESSION], tokens[-KEEP_PER_SESSION:]
    PendingImport.objects.filter(token__in=dropped).delete()
    request.session[SESSION_KEY] = tokens
    return upload


def _load_upload(request, token: str) -> PendingImport:
    if token not in _session_tokens(request):
        raise Http404("No such upload in this session")
    upload = PendingImport.objects.filter(
        token=token, owner=request.user, created_at__gte=timezone.now() - KEEP_FOR
    ).first()
    if upload is None:
        raise Http404("The upload has expired")
    upload.data = bytes(upload.data)  # PostgreSQL hands back a memoryview
    return upload


def _drop_upload(request, token: str) -> None:
    PendingImport.objects.filter(token=token, owner=request.user).delete()
    request.session[SESSION_KEY] = [t for t in _session_tokens(request) if t != token]


def _chosen_sheets(params) -> dict[str, str]:
    """kind -> sheet name from `sheet-Objectives=Plan 24-25` parameters; others are ignored."""
    chosen = {}
    for spec in columns.SHEETS:
        value = params.get(f"sheet-{spec.name}", "")
        if value and len(value) <= SHEET_NAME_MAX:
            chosen[spec.name] = value
    return chosen


class _LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stops storing an upload once it passes IMPORT_MAX_BYTES (the rest is read and dropped)."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.request.import_upload_too_large = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


# --- Pages --------------------------------------------------------------------------------------


def _render(request, template_name: str, context: dict, *, status: int = 200):
    name = f"{template_name}#page" if request.htmx else template_name
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _limits() -> dict:
    return {
        "accept": ACCEPT,
        "max_size": plan_import.reading.megabytes(settings.IMPORT_MAX_BYTES),
        "max_rows": settings.IMPORT_MAX_ROWS,
    }


def _start_context(request, form) -> dict:
    plans = list(Plan.objects.order_by("-start_date"))
    return {"form": form, "plans": plans, **_limits()}


@csrf_exempt  # the handler must be set before CSRF reads the body; _start checks CSRF itself
@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    permissions.require(permissions.can_import_plan(request.user))
    if request.method == "POST":
        # AttributeError: something read the body already; the form still checks the size.
        with contextlib.suppress(AttributeError):
            request.upload_handlers = [_LimitedUploadHandler(request)]
    return _start(request)


@csrf_protect
def _start(request):
    if request.method != "POST":
        form = UploadForm(initial={"plan": default_plan_label()})
        return _render(request, "objectives/import.html", _start_context(request, form))
    form = UploadForm(
        request.POST,
        request.FILES,
        too_large=getattr(request, "import_upload_too_large", False),
    )
    if not form.is_valid():
        return _render(request, "objectives/import.html", _start_context(request, form))
    name = os.path.basename(form.cleaned_data["file"].name or "the file")[:120]
    label = form.cleaned_data["plan"]
    upload = _save_upload(request, form.data_bytes, plan=label, name=name)
    url = reverse("imports:preview", args=[upload.token])
    if request.htmx:
        # Show the preview straight away (the indicator stays up while it is built) and put its
        # address in the location bar.
        response = _preview_response(request, upload, chosen={})
        response["HX-Push-Url"] = url
        return response
    return redirect(url, permanent=False)


def _preview_context(preview: plan_import.Preview, upload: PendingImport, chosen: dict) -> dict:
    context = {
        "preview": preview,
        "token": upload.token,
        "file_name": upload.file_name,
        "plan_label": preview.plan_label or upload.plan_label,
        "problems": preview.problems[:SHOWN_PROBLEMS],
        "hidden_problems": max(0, len(preview.problems) - SHOWN_PROBLEMS),
        "sheets": list(preview.sheets.values()),
        "shown_rows": SHOWN_ROWS,
        "shown_rows_slice": f":{SHOWN_ROWS}",
        "shown_rows_negative": -SHOWN_ROWS,
        "notices": preview.notices,
        "sheet_choices": [
            {
                "kind": kind,
                "field": f"sheet-{kind}",
                "titles": titles,
                "read": preview.sheets_read.get(kind, ""),
            }
            for kind, titles in preview.sheet_choices.items()
        ],
        "chosen": [(f"sheet-{kind}", title) for kind, title in preview.sheets_read.items()],
        **_limits(),
    }
    if not preview.ok:
        # A way forward from a file that can't be imported: upload the corrected one here.
        context["upload_form"] = UploadForm(initial={"plan": context["plan_label"]})
    return context


def _preview_response(request, upload, *, chosen, extra=None, status=200):
    preview = plan_import.build_preview(
        upload.data,
        plan_label=upload.plan_label,
        name=upload.file_name,
        author=request.user,
        chosen=chosen,
    )
    context = _preview_context(preview, upload, chosen) | (extra or {})
    return _render(request, "objectives/import_preview.html", context, status=status)


@login_required
@require_GET
def preview(request, token):
    permissions.require(permissions.can_import_plan(request.user))
    upload = _load_upload(request, token)
    return _preview_response(request, upload, chosen=_chosen_sheets(request.GET))


@login_required
@require_POST
def confirm(request, token):
    permissions.require(permissions.can_import_plan(request.user))
    upload = _load_upload(request, token)
    chosen = _chosen_sheets(request.POST)
    try:
        result = plan_import.import_plan(
            upload.data,
            plan_label=upload.plan_label,
            user=request.user,
            name=upload.file_name,
            chosen=chosen,
        )
    except DatabaseError:
        return _preview_response(
            request,
            upload,
            chosen=chosen,
            extra={
                "apply_failed": "Nothing was imported: the database refused the change, perhaps "
                "because someone changed the plan at the same moment. Check the preview and try "
                "again."
            },
            status=409,
        )
    if not result.ok:
        audit("plan_import", outcome="refused", request=request, file=upload.file_name)
        context = _preview_context(result, upload, chosen) | {"confirm_refused": True}
        return _render(request, "objectives/import_preview.html", context)
    _drop_upload(request, token)
    audit(
        "plan_import", obj=result.plan, outcome="imported", request=request, file=upload.file_name
    )
    messages.success(
        request,
        f"Imported {upload.file_name} into plan {result.plan.label}: {result.summary}.",
    )
    target = reverse("imports:start")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_GET
def template_download(request):
    # Anyone signed in: the template holds the column guide and team names, no plan data.
    permissions.require(request.user.is_active)
    response = HttpResponse(template.build_template(points=settings.RATING_SCALE), XLSX)
    response["Content-Disposition"] = 'attachment; filename="business-plan-template.xlsx"'
    return response


@login_required
@require_GET
def export(request, plan_id):
    plan = get_object_or_404(Plan, pk=plan_id)
    # Every objective in the export passes permissions.can_view_objective (see plan_export).
    permissions.require(request.user.is_active)
    response = HttpResponse(plan_export.export_plan(plan, user=request.user), XLSX)
    filename = plan_export.export_filename(plan)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def start_next_year(request):
    permissions.require(permissions.can_import_plan(request.user))
    plans = list(Plan.objects.order_by("-start_date"))
    source_id = request.POST.get("source") or request.GET.get("source")
    source = None
    if source_id:
        try:
            source = get_object_or_404(Plan, pk=int(source_id))
        except ValueError:
            raise Http404("No such plan") from None
    elif plans:
        source = next((p for p in plans if p.status != PlanStatus.CLOSED), plans[0])
    form = None
    if source is not None:
        form = NextYearForm(request.POST or None, source=source)
        if request.method == "POST" and form.is_valid():
            try:
                result = next_year.carry_over(
                    source=source,
                    label=form.cleaned_data["label"],
                    objective_ids=form.cleaned_data["objectives"],
                )
            except next_year.CarryOverError as error:
                form.add_error("label", str(error))
            else:
                audit(
                    "plan_carry_over",
                    obj=result.plan,
                    outcome="copied",
                    request=request,
                    source=source.label,
                    objectives=len(result.objectives),
                )
                messages.success(
                    request,
                    f"Copied {len(result.objectives)} objectives from plan {source.label} into "
                    f"plan {result.plan.label} ({result.plan.get_status_display().lower()}), "
                    f"with {result.measures} measures and {result.dependencies} dependencies. "
                    "No status updates were copied.",
                )
                return redirect("imports:start")
    context = {"plans": plans, "source": source, "form": form}
    return _render(request, "objectives/import_next_year.html", context)
