"""The admin page for importing the staff directory: upload -> preview -> confirm.

Admins only (permissions.can_import_people): a full import can switch accounts off. The file
waits in the database (accounts.models.DirectoryUpload) under a random token tied to the
uploader; the preview is rebuilt when shown and again, inside the import's transaction, when
confirmed.
"""

from __future__ import annotations

import os
import secrets

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from objectives.audit import audit
from objectives.importing.reading import megabytes
from objectives.permissions import can_import_people, require

from .models import DirectoryUpload
from .people_import import build_preview, import_people

SHOWN_LINES = 200  # per heading; the counts are always complete


class UploadForm(forms.Form):
    file = forms.FileField(label="Staff-directory export (CSV or Excel .xlsx)")
    full = forms.BooleanField(
        required=False,
        label="This file is the whole directory: switch off everyone not in it",
        help_text="Switched-off people keep their history and can be switched on again. "
        "Superusers are never switched off.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {megabytes(upload.size)}; the most accepted is "
                f"{megabytes(settings.IMPORT_MAX_BYTES)}."
            )
        return upload


@admin.register(DirectoryUpload)
class DirectoryImportAdmin(admin.ModelAdmin):
    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.upload_view),
                name="accounts_people_import",
            ),
            path(
                "import/<slug:token>/",
                self.admin_site.admin_view(self.preview_view),
                name="accounts_people_import_preview",
            ),
        ] + super().get_urls()

    def has_module_permission(self, request):
        return can_import_people(request.user)

    def has_view_permission(self, request, obj=None):
        return can_import_people(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:accounts_people_import")

    def _render(self, request, context, status=200):
        context = self.admin_site.each_context(request) | {"title": "Import people"} | context
        return render(request, "admin/accounts/people_import.html", context, status=status)

    def upload_view(self, request):
        require(can_import_people(request.user))
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            DirectoryUpload.sweep()
            upload = DirectoryUpload.objects.create(
                token=secrets.token_urlsafe(24),
                uploaded_by=request.user,
                file_name=os.path.basename(form.cleaned_data["file"].name or "the file")[:120],
                data=form.cleaned_data["file"].read(),
                full=form.cleaned_data["full"],
            )
            return redirect("admin:accounts_people_import_preview", upload.token)
        return self._render(request, {"form": form, "max_rows": settings.PEOPLE_IMPORT_MAX_ROWS})

    def preview_view(self, request, token):
        require(can_import_people(request.user))
        upload = get_object_or_404(DirectoryUpload, token=token, uploaded_by=request.user)
        data, options = bytes(upload.data), {"full": upload.full, "name": upload.file_name}
        if request.method != "POST":
            return self._render(request, self._preview_context(build_preview(data, **options)))
        try:
            result = import_people(data, **options)
        except DatabaseError:
            context = self._preview_context(build_preview(data, **options)) | {
                "apply_failed": "Nothing was imported: the database refused the change, perhaps "
                "because someone changed people or teams at the same moment. Check the preview "
                "and try again."
            }
            return self._render(request, context, status=409)
        if not result.applied:
            audit("people_import", outcome="refused", request=request, file=upload.file_name)
            return self._render(request, self._preview_context(result))
        upload.delete()
        audit(
            "people_import",
            outcome="imported",
            request=request,
            file=upload.file_name,
            full=upload.full,
            summary=result.summary,
        )
        messages.success(request, f"Imported {upload.file_name}: {result.summary}.")
        return redirect(reverse("admin:accounts_people_import"))

    def _preview_context(self, preview) -> dict:
        return {
            "preview": preview,
            "changes": [
                (h, lines[:SHOWN_LINES], len(lines)) for h, lines in preview.changes.items()
            ],
        }
