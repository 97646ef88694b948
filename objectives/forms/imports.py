"""Forms for the plan import: upload a spreadsheet, and start next year.

The upload form checks what can be checked the moment a file arrives — its size, that its content
is CSV or XLSX (not its name), that an XLSX won't unpack into more than the limit — so a wrong file
is refused next to the field. Reading every row happens on the preview page.
"""

from __future__ import annotations

from django import forms
from django.conf import settings

from objectives.importing import reading
from objectives.importing.next_year import CarryOverError, check_target, next_label, unfinished
from objectives.models import Plan, PlanStatus
from objectives.plans import normalise_label

# What the file picker offers: the formats reading.py reads (.txt is Excel's "Unicode Text", the
# UTF-16 tab-separated format). The server decides by content, never by name.
ACCEPT = (
    ".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "text/csv,text/plain"
)


def plan_label_error(label: str) -> str | None:
    try:
        label = normalise_label(label)
    except ValueError as error:
        return f"{error}."
    plan = Plan.objects.filter(label=label).first()
    if plan is not None and plan.status == PlanStatus.CLOSED:
        return f"Plan {label} is closed; choose a plan that is still open."
    return None


def default_plan_label() -> str:
    plan = Plan.objects.exclude(status=PlanStatus.CLOSED).order_by("-start_date").first()
    return plan.label if plan else ""


class UploadForm(forms.Form):
    plan = forms.CharField(
        label="Plan",
        max_length=20,
        strip=True,
        error_messages={
            "required": "Enter the plan's financial year, e.g. 2024/25",
            "max_length": "Enter the plan's financial year in the form 2024/25",
        },
        widget=forms.TextInput(
            attrs={"class": "nhsuk-input nhsuk-input--width-10", "spellcheck": "false"}
        ),
    )
    file = forms.FileField(
        label="Spreadsheet",
        error_messages={
            "required": "Choose the spreadsheet to upload (XLSX or CSV)",
            "empty": "The file you chose is empty; choose the spreadsheet with the plan",
        },
        widget=forms.ClearableFileInput(
            attrs={
                "class": "nhsuk-file-upload",
                "accept": ACCEPT,
            }
        ),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.data_bytes = b""

    def clean_plan(self):
        label = self.cleaned_data["plan"]
        if error := plan_label_error(label):
            raise forms.ValidationError(error)
        return normalise_label(label)

    def clean(self):
        if self.too_large:
            # The upload handler stopped reading at the limit, so the file field is empty.
            self.errors.pop("file", None)
            self.add_error("file", self.size_message())
        return super().clean()

    def size_message(self) -> str:
        return (
            f"The file is larger than {reading.megabytes(settings.IMPORT_MAX_BYTES)}; remove "
            "sheets other than Objectives, Milestones and Measures, or split the plan"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(self.size_message())
        data = upload.read()
        try:
            reading.sniff(data, name="The file")
        except reading.UnreadableFile as error:
            raise forms.ValidationError(str(error)) from None
        self.data_bytes = data
        return upload


class NextYearForm(forms.Form):
    """Which unfinished objectives of `source` to carry into which plan."""

    label = forms.CharField(
        label="New plan",
        max_length=7,
        strip=True,
        error_messages={"required": "Enter the new plan's financial year, e.g. 2025/26"},
        widget=forms.TextInput(
            attrs={"class": "nhsuk-input nhsuk-input--width-10", "spellcheck": "false"}
        ),
    )
    objectives = forms.TypedMultipleChoiceField(
        label="Objectives to carry over",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one objective to carry over",
            "invalid_choice": "Tick only objectives listed here; the list may have changed, so "
            "check it again",
        },
    )

    def __init__(self, *args, source: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.candidates = list(unfinished(source))
        self.fields["objectives"].choices = [(o.pk, f"{o.ref} {o.title}") for o in self.candidates]
        self.fields["label"].initial = next_label(source)
        self.fields["objectives"].initial = [o.pk for o in self.candidates]

    def clean(self):
        cleaned = super().clean()
        label, chosen = cleaned.get("label"), cleaned.get("objectives")
        if label and chosen:
            refs = [o.ref for o in self.candidates if o.pk in set(chosen)]
            try:
                check_target(label, self.source, refs)
            except CarryOverError as error:
                self.add_error("label", str(error))
        return cleaned
