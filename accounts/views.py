"""Sign-in and sign-out pages, by password or by the organisation's account, and passwords.

The organisation sign-in's views are mozilla-django-oidc's, reading their settings through
accounts.oidc.setting (endpoints from discovery). Every refusal shows a page that says why and
what to do, with status 403, and writes one audit line ("login_failed", route "organisation").
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from objectives.audit import audit
from objectives.permissions import can_use_password, require

from . import oidc
from .forms import ChangeForm, NewPasswordForm, ResetForm, SignInForm, password_reset_offered


def sign_in_context() -> dict:
    return {
        "organisation_sign_in": oidc.enabled(),
        "local_login": settings.LOCAL_LOGIN,
        "password_reset": password_reset_offered() and settings.LOCAL_LOGIN,
    }


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | sign_in_context()


class SignOutView(auth_views.LogoutView):
    """Ends this app's session and, after an organisation sign-in, the provider's where it offers
    an end-session endpoint (the browser goes there, then back to the sign-in page)."""

    def post(self, request, *args, **kwargs):
        provider_url = oidc.end_session_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response


def refuse(request, reason: str, *, identity: str = "", detail: str = ""):
    refusal = oidc.SignInRefused(reason, identity=identity)
    audit(
        "login_failed",
        user=identity or None,
        outcome="refused",
        request=request,
        route="organisation",
        reason=reason,
        **({"detail": detail} if detail else {}),
    )
    request.audit_recorded = True  # the refusals middleware need not add a second line
    context = {"refusal": refusal, "unknown": reason == "unknown_person"} | sign_in_context()
    return render(request, "accounts/sign_in_refused.html", context, status=403)


class OrganisationSignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a state, a nonce and a PKCE challenge."""

    get_settings = staticmethod(oidc.setting)

    def __init__(self, **kwargs):
        # The library reads the provider's endpoints here; ours reads them in get(), where a
        # provider that does not answer can be shown as a page.
        View.__init__(self, **kwargs)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_OP_AUTH_ENDPOINT = property(lambda self: oidc.setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Sign-in with an organisation account is not set up here")
        try:
            return super().get(request)
        except (requests.RequestException, ValueError) as error:
            return refuse(request, "provider", detail=str(error)[:200])


class OrganisationCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; the library checks state, then signs in."""

    get_settings = staticmethod(oidc.setting)

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Sign-in with an organisation account is not set up here")
        try:
            return super().get(request)
        except oidc.SignInRefused as refusal:
            return refuse(request, refusal.reason, identity=refusal.identity, detail=refusal.detail)
        except SuspiciousOperation as error:  # the state is not one this session started
            return refuse(request, "state", detail=str(error))
        except (requests.RequestException, ValueError) as error:  # discovery failed
            return refuse(request, "provider", detail=str(error)[:200])

    def login_failure(self):
        if self.request.GET.get("error"):
            detail = self.request.GET.get("error_description") or self.request.GET["error"]
            return refuse(self.request, "cancelled", detail=detail[:200])
        return refuse(self.request, "state")


# --- Passwords ----------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(can_use_password(request.user))
        return super().dispatch(request, *args, **kwargs)


class PasswordResetMixin:
    """Reset by email only when email goes somewhere and passwords are in use."""

    def dispatch(self, request, *args, **kwargs):
        if not (password_reset_offered() and settings.LOCAL_LOGIN):
            raise Http404("Password reset by email is not offered here")
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(PasswordResetMixin, auth_views.PasswordResetView):
    form_class = ResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        audit("password_reset_requested", outcome="sent", request=self.request)
        return super().form_valid(form)


class PasswordResetDoneView(PasswordResetMixin, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(PasswordResetMixin, auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, request, *args, **kwargs):
        # Django's view answers an invalid link before it looks at the method; look first.
        if request.method.lower() not in self.http_method_names or not hasattr(
            self, request.method.lower()
        ):
            return self.http_method_not_allowed(request, *args, **kwargs)
        response = super().dispatch(request, *args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 404  # "This link does not work": used, expired or forged
        return response


class PasswordResetCompleteView(PasswordResetMixin, auth_views.PasswordResetCompleteView):
    pass
