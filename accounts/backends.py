"""Local passwords: Django's model backend, switched off for all but superusers by LOCAL_LOGIN."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from objectives.permissions import can_use_password


class LocalPasswordBackend(ModelBackend):
    """With LOCAL_LOGIN=false only superusers (the break-glass administrator) may use a password.

    Django's model backend asks `user_can_authenticate` both when a password is checked and when a
    session is read back, so switching LOCAL_LOGIN off also ends password sessions already open.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and can_use_password(user)
