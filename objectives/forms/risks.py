"""The acknowledge form: a director's note on one flag of one objective.

The flag is named either by ``flag`` ("rule|subject", the dashboard's one form per row, where a
select lists the row's flags) or by ``rule`` and ``subject`` (hidden fields, the page shown when a
form without JavaScript comes back with an error).
"""

from __future__ import annotations

from django import forms

from objectives import risk

NOTE_LIMIT = 2000
SUBJECT_LIMIT = 120


def flag_value(flag: risk.Flag) -> str:
    """What the form sends for ``flag``: rule names never hold "|", so the first one splits."""
    return f"{flag.rule}|{flag.subject}"


class AcknowledgeForm(forms.Form):
    flag = forms.CharField(required=False, max_length=SUBJECT_LIMIT + 40)
    rule = forms.ChoiceField(
        choices=list(risk.RULES.items()), required=False, widget=forms.HiddenInput
    )
    subject = forms.CharField(required=False, max_length=SUBJECT_LIMIT, widget=forms.HiddenInput)
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

    def clean(self):
        data = super().clean()
        chosen = data.get("flag") or ""
        if chosen:
            rule, _, subject = chosen.partition("|")
            if rule not in risk.RULES or len(subject) > SUBJECT_LIMIT:
                self.add_error("flag", "Choose one of the flags listed.")
            else:
                data["rule"], data["subject"] = rule, subject
        elif not data.get("rule") and "rule" not in self.errors:
            self.add_error("flag", "Choose which flag to acknowledge.")
        return data

    @property
    def key(self) -> tuple[str, str]:
        """(rule, subject) as sent, valid or not: to find the flag the form was about."""
        chosen = self.data.get("flag") or ""
        if chosen:
            rule, _, subject = chosen.partition("|")
            return rule, subject
        return self.data.get("rule", ""), self.data.get("subject", "")
