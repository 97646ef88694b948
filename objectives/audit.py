"""The audit trail: one JSON line per security-relevant event, on the logger named "audit".

Each line says when (UTC), what (`event`), who (`user`, `user_id`), on what (`object`), how it
ended (`outcome`) and, for web requests, from where (`ip`, `method`, `path`), plus any details the
caller adds. Sign-ins, failed sign-ins, sign-outs and lock-outs are recorded from Django's and
axes' signals (`connect_signals`, called by the app config); refusals (403) by
`objectives.middleware.AuditRefusalsMiddleware`; the rest by one-line calls where they happen:

    audit("lock_override", user=request.user, obj=update, outcome="saved", request=request)
    audit("plan_import", user=request.user, obj=plan, outcome="imported", request=request, rows=n)
    audit("flag_acknowledged", user=request.user, obj=objective, outcome="acknowledged",
          request=request, rule=flag.rule)
    audit("pack_download", user=request.user, obj=day, outcome="downloaded", request=request)

Where the lines go is set by LOGGING in config/settings.py (stderr, or AUDIT_LOG_FILE). This
module is imported while logging is configured, before the apps are ready: no model imports at the
top.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

logger = logging.getLogger("audit")

# Long enough for any real username or path; short enough that nobody can flood a log line.
MAX_TEXT = 200


def audit(event: str, *, user=None, obj=None, outcome: str, request=None, **details) -> None:
    """Write one audit line. `user` may be a User, an AnonymousUser, a username string or None."""
    entry = {
        "event": event,
        "outcome": outcome,
        **_user_fields(user if user is not None else getattr(request, "user", None)),
        "object": _object_fields(obj),
    }
    if request is not None:
        entry.update(_request_fields(request))
    if details:
        entry["details"] = details
    logger.info(event, extra={"audit": entry})


def _clip(value) -> str:
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _user_fields(user) -> dict:
    if user is None:
        return {"user": None, "user_id": None}
    if isinstance(user, str):
        return {"user": _clip(user), "user_id": None}
    if not getattr(user, "is_authenticated", False):
        return {"user": None, "user_id": None}
    return {"user": _clip(user.get_username()), "user_id": user.pk}


def _object_fields(obj) -> dict | None:
    if obj is None:
        return None
    meta = getattr(obj, "_meta", None)
    kind = meta.label_lower if meta is not None else type(obj).__name__
    return {"type": kind, "id": getattr(obj, "pk", None), "label": _clip(obj)}


def _request_fields(request) -> dict:
    from .security import client_ip

    return {
        "ip": client_ip(request),
        "method": request.method,
        "path": _clip(request.path),
    }


class JsonFormatter(logging.Formatter):
    """Any log record as one line of JSON; audit records carry their fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        entry = getattr(record, "audit", None)
        if entry is not None:
            line.update(entry)
        else:
            line["message"] = record.getMessage()
            if record.exc_info:
                line["exception"] = self.formatException(record.exc_info)
        # default=str: dates, decimals and lazy strings in details; json escapes control
        # characters and newlines, so a hostile username cannot forge a second line.
        return json.dumps(line, default=str, ensure_ascii=False)


# --- Sign-in events from signals ----------------------------------------------------------------


# The backend that signs people in with their organisation account (accounts/oidc.py).
ORGANISATION_BACKEND = "accounts.oidc.OrganisationBackend"


def _route(backend_path) -> str:
    """How someone signed in: "organisation" (their organisation account) or "password"."""
    return "organisation" if backend_path == ORGANISATION_BACKEND else "password"


def _logged_in(sender, request, user, **kwargs):
    route = _route(getattr(user, "backend", None))
    audit("login", user=user, outcome="success", request=_real_request(request), route=route)


def _logged_out(sender, request, user, **kwargs):
    if user is None:  # signing out when not signed in
        return
    from django.contrib.auth import BACKEND_SESSION_KEY

    route = _route(request.session.get(BACKEND_SESSION_KEY) if request is not None else None)
    audit("logout", user=user, outcome="success", request=_real_request(request), route=route)


def _login_failed(sender, credentials, request=None, **kwargs):
    if "username" not in credentials:
        # An organisation sign-in (it carries a nonce, not a name): accounts/views.py records
        # each of its refusals with the reason.
        return
    # Django has already masked the password in `credentials`; keep only the name typed.
    audit(
        "login_failed",
        user=str(credentials.get("username") or ""),
        outcome="refused",
        request=_real_request(request),
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    audit(
        "lockout",
        user=str(username or ""),
        outcome="locked_out",
        request=_real_request(request),
    )


def _real_request(request):
    # The test client's force_login() signs in with a bare HttpRequest that has no method or path.
    return request if request is not None and getattr(request, "method", None) else None


def connect_signals() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth import signals

    signals.user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_lockout")
