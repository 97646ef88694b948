"""The acknowledge form: a director's note on one flag of one objective."""

from __future__ import annotations

from django import forms

from objectives import risk

NOTE_LIMIT = 2000


class AcknowledgeForm(forms.Form):
    rule = forms.ChoiceField(choices=list(risk.RULES.items()), widget=forms.HiddenInput)
    subject = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
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
