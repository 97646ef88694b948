"""Middleware for faults, refusals and privacy: the health check answered before anything reads
the database, a friendly 503 when the database goes away, an audit line for every 403, and no copy
of a signed-in page left in a browser's cache."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.utils.cache import add_never_cache_headers

from . import errors, health
from .audit import audit

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answers /healthz before the session and sign-in middleware: with a session cookie, they
    read the session from the database before any view runs, so while the database was down a
    probe that carried one got the HTML 503 page instead of the health check's JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == health.PATH:
            return health.healthz(request)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A view that loses its database mid-request answers 503 "service unavailable", not 500.

    The transaction it was in is rolled back by the database, so nothing half-saved remains.
    Errors raised outside a view (a session save, say) reach `errors.server_error`, which gives
    the same page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("Database unavailable at %s", request.path, exc_info=exception)
            return errors.database_unavailable()
        return None


class AuditRefusalsMiddleware:
    """One audit line for every 403: permission refusals from views and CSRF failures alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view that wrote its own, more telling line (a refused organisation sign-in) says so.
        if response.status_code == 403 and not getattr(request, "audit_recorded", False):
            audit(
                "permission_denied",
                outcome="refused",
                request=request,
                reason=getattr(request, "audit_reason", "permission"),
            )
        return response


class PrivatePagesMiddleware:
    """Every response to a signed-in person says `Cache-Control: private, no-store` (with
    `no-cache, must-revalidate, max-age=0` and an Expires in the past): pages, htmx partials, review
    packs and exports alike. Their content is OFFICIAL; on a shared computer, a copy in the
    browser's cache would outlive sign-out (the back button, or the cache folder, would show it).

    One place for all of them rather than a decorator per view, so a new view cannot forget it.
    Static files never reach it: whitenoise answers them first, with their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
