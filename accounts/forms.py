"""Sign-in and password forms: Django's own, told about LOCAL_LOGIN and about email."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from objectives.permissions import can_use_password

# Email that goes nowhere a person reads: password reset is not offered with these.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
PASSWORDS_OFF = (
    "Passwords are switched off here except for administrators. Sign in with your "
    "organisation account."
)


def password_reset_offered() -> bool:
    return settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.LOCAL_LOGIN:
            # The same words whether the name or the password was wrong, or passwords are off
            # for this person: nothing here tells anyone which accounts are administrators.
            self.error_messages = {**self.error_messages, "invalid_login": PASSWORDS_OFF}


class NhsInputs:
    """NHS.UK frontend's input style on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "nhsuk-input"


class ChangeForm(NhsInputs, PasswordChangeForm):
    pass


class NewPasswordForm(NhsInputs, SetPasswordForm):
    pass


class ResetForm(NhsInputs, PasswordResetForm):
    """Sends a reset link only to people who may use a password here (see can_use_password)."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        return (user for user in super().get_users(email) if can_use_password(user))
