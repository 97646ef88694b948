"""The acknowledge form: a director's note on one open finding of one objective."""

from __future__ import annotations

from django import forms

NOTE_LIMIT = 2000


class AcknowledgeForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note",
        max_length=NOTE_LIMIT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "class": "nhsuk-textarea"}),
        error_messages={
            "required": "Enter a note saying what was agreed, for example "
            "“discussed with both leads on 3 Oct; plan agreed”.",
            "max_length": f"The note must be {NOTE_LIMIT:,} characters or fewer.",
        },
    )

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.found = None

    def clean_finding(self):
        pk = self.cleaned_data["finding"]
        self.found = self.objective.findings.filter(pk=pk, resolved_at__isnull=True).first()
        if self.found is None:
            raise forms.ValidationError(
                "This finding no longer holds: the objective has changed since the page was "
                "loaded. Reload the page to see its findings now."
            )
        return pk
