"""Error pages that work when nothing else does.

400, 500 and 503 render with a fixed context and no request: no context processor runs, so no
database query, no session and no user is needed to say sorry. 403 and 404 use Django's own
handlers with templates/403.html and 404.html, which do show who is signed in.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

DATABASE_ERRORS = (OperationalError, InterfaceError)


def minimal_context() -> dict:
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "PROTECTIVE_MARKING": settings.PROTECTIVE_MARKING,
    }


def database_unavailable() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html", minimal_context()), status=503)
    response["Retry-After"] = "60"
    return response


def bad_request(request, exception=None):
    return HttpResponse(render_to_string("400.html", minimal_context()), status=400)


def server_error(request):
    # Called inside Django's exception handler, so the error being handled is still current.
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable()
    return HttpResponse(render_to_string("500.html", minimal_context()), status=500)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: usually a page left open too long."""
    request.audit_reason = "csrf"
    context = {**minimal_context(), "csrf_failed": True}
    return HttpResponse(render_to_string("403.html", context), status=403)
