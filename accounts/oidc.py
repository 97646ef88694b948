"""Sign-in with the organisation's account: OpenID Connect through mozilla-django-oidc.

The library runs the authorisation code flow: it sends the browser to the provider with a state,
a nonce and a PKCE challenge kept in the session, checks the state when the browser comes back,
swaps the code (with the PKCE verifier) for tokens and checks the ID token's signature against
the provider's published keys and its nonce. This module adds what it leaves to us:

- the provider's endpoints come from OIDC_ISSUER's discovery document, fetched when first needed
  and kept in the cache for OIDC_DISCOVERY_SECONDS, so nothing is fetched when Django starts;
- the ID token's audience (our client id), issuer, expiry and issue time are checked too (the
  library checks only the signature, the expiry when present, and the nonce, which
  `verify_token` still checks, naming each failure);
- a person is whoever the ID token says (Microsoft Entra ID's userinfo endpoint belongs to Graph
  and leaves out `preferred_username`), matched to a user by email without regard to case, or by
  `preferred_username`/`upn` when the token has no email;
- an unknown person is refused (`SignInRefused`) unless OIDC_CREATE_USERS is on, and then gets a
  user with no team.

Every refusal raises `SignInRefused` with a reason from REASONS; accounts/views.py shows the page
and writes the audit line.
"""

from __future__ import annotations

from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

BACKEND_PATH = "accounts.oidc.OrganisationBackend"
# Clocks on two machines never agree exactly; a minute either way is the usual allowance.
LEEWAY_SECONDS = 60

# Reason -> what the person is told. The audit line records the reason.
REASONS = {
    "unknown_person": "There is no account here for {identity}.",
    "no_email": "Your organisation's sign-in did not say who you are (no email address).",
    "ambiguous": "More than one account here has the email address {identity}.",
    "inactive": "The account for {identity} has been switched off.",
    "state": "This sign-in did not start in this browser, or it was already used.",
    "nonce": "The sign-in answer was not the one this browser asked for.",
    "signature": "The sign-in answer was not signed by your organisation's sign-in service.",
    "audience": "The sign-in answer was meant for another service.",
    "issuer": "The sign-in answer came from a different sign-in service.",
    "expired": "The sign-in answer had expired.",
    "token": "The sign-in answer could not be checked.",
    "provider": "Your organisation's sign-in service refused or did not answer.",
    "cancelled": "The sign-in was cancelled or refused by your organisation's sign-in service.",
}


class SignInRefused(Exception):
    def __init__(self, reason: str, *, identity: str = "", detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.identity = identity
        self.detail = detail

    @property
    def message(self) -> str:
        return REASONS[self.reason].format(identity=self.identity or "you")


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def is_organisation_sign_in(request, credentials=None) -> bool:
    """True for the organisation sign-in's callback, which axes leaves alone
    (AXES_WHITELIST_CALLABLE): axes guards local passwords only."""
    return request.path == reverse("accounts:oidc_callback")


def signed_in_here(request) -> bool:
    """Whether the session was started by the organisation's sign-in."""
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH


# --- The provider's published configuration ----------------------------------------------------


def provider_configuration() -> dict:
    """OIDC_ISSUER's discovery document. Raises requests.RequestException or ValueError."""
    issuer = settings.OIDC_ISSUER
    key = f"oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer asked for.
            raise ValueError(f"The discovery document names issuer {document.get('issuer')!r}")
        cache.set(key, document, settings.OIDC_DISCOVERY_SECONDS)
    return document


# Settings the library reads -> the discovery document's names for them.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def setting(name: str, *default):
    """The library's settings: endpoints from discovery, the rest from Django's settings."""
    if name in DISCOVERED:
        return provider_configuration().get(DISCOVERED[name], *default)
    if name == "OIDC_CREATE_USER":
        return settings.OIDC_CREATE_USERS
    return import_from_settings(name, *default)


def end_session_url(request) -> str | None:
    """Where to send the browser to sign out of the provider too, or None when it offers no way
    (or the session was started with a local password)."""
    if not enabled() or not signed_in_here(request):
        return None
    try:
        endpoint = provider_configuration().get("end_session_endpoint")
    except (requests.RequestException, ValueError):
        return None  # signing out of this app must work while the provider is down
    if not endpoint:
        return None
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        query["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(query)}"


# --- Who is who --------------------------------------------------------------------------------


def claimed_email(claims: dict) -> str:
    """The email address the provider vouches for: `email`, else Entra's `preferred_username` or
    `upn` (each a user principal name, which in an NHS tenant is the person's email address)."""
    email = (claims.get("email") or "").strip()
    if email:
        return email
    for name in ("preferred_username", "upn"):
        value = (claims.get(name) or "").strip()
        if "@" in value:
            return value
    return ""


def names_from(claims: dict) -> tuple[str, str]:
    given, family = claims.get("given_name") or "", claims.get("family_name") or ""
    if not (given or family) and claims.get("name"):
        given, _, family = str(claims["name"]).strip().rpartition(" ")
        if not given:
            given, family = family, ""
    return str(given)[:150], str(family)[:150]


class OrganisationBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, configured by discovery; see the module docstring."""

    def __init__(self, *args, **kwargs):
        # The library's __init__ reads every endpoint at once; Django makes a backend for each
        # sign-in and each request's session, so ours reads them only when a sign-in needs them.
        self.UserModel = get_user_model()

    get_settings = staticmethod(setting)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: setting("OIDC_OP_USER_ENDPOINT", None))

    def authenticate(self, request, **kwargs):
        # Only the callback signs anyone in this way; a password form never reaches the provider.
        if not enabled() or request is None or not is_organisation_sign_in(request):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:  # the token or keys request failed
            raise SignInRefused("provider", detail=str(error)[:200]) from None

    def get_user(self, user_id):
        # The library's get_user skips the is_active check; a leaver's session must end.
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        """The library's check, with a reason for each way it can fail."""
        if not token:
            raise SignInRefused("token", detail="no ID token in the token response")
        try:
            key = self.retrieve_matching_jwk(token)
        except (jwt.PyJWTError, SuspiciousOperation, KeyError) as error:
            raise SignInRefused("token", detail=str(error)[:200]) from None
        payload = self.get_payload_data(token, key)
        if payload.get("nonce") != kwargs.get("nonce"):
            raise SignInRefused("nonce", identity=claimed_email(payload))
        return payload

    def get_payload_data(self, token, key):
        """Signature, audience, issuer, expiry and issue time."""
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidSignatureError as error:
            raise SignInRefused("signature", detail=str(error)) from None
        except jwt.ExpiredSignatureError as error:
            raise SignInRefused("expired", detail=str(error)) from None
        except jwt.InvalidAudienceError as error:
            raise SignInRefused("audience", detail=str(error)) from None
        except jwt.InvalidIssuerError as error:
            raise SignInRefused("issuer", detail=str(error)) from None
        except jwt.PyJWTError as error:
            raise SignInRefused("token", detail=str(error)) from None

    def get_userinfo(self, access_token, id_token, payload):
        # The verified ID token says who this is; see the module docstring.
        return payload

    def verify_claims(self, claims):
        if not claimed_email(claims):
            raise SignInRefused("no_email", identity=str(claims.get("sub", ""))[:100])
        return True

    def filter_users_by_claims(self, claims):
        email = claimed_email(claims)
        users = self.UserModel.objects.filter(email__iexact=email)
        if len(users) > 1:
            raise SignInRefused("ambiguous", identity=email)
        return users

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            raise SignInRefused("unknown_person", identity=claimed_email(payload))
        if not user.is_active:
            raise SignInRefused("inactive", identity=claimed_email(payload))
        return user

    def create_user(self, claims):
        """A user with no team and no password, named as the provider names them."""
        email = claimed_email(claims)
        username = email.lower()[:150]
        if self.UserModel.objects.filter(username=username).exists():
            raise SignInRefused("ambiguous", identity=email)
        first_name, last_name = names_from(claims)
        with transaction.atomic():
            user = self.UserModel(
                username=username, email=email, first_name=first_name, last_name=last_name
            )
            user.set_unusable_password()
            user.save()
        return user
