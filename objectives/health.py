from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_GET

# Answered by objectives.middleware.HealthCheckMiddleware; config/urls.py names it too.
PATH = "/healthz"


@login_not_required
@never_cache
@xframe_options_deny  # answered before XFrameOptionsMiddleware would add it
@require_GET
def healthz(request):
    """200 when the app can run a query against its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
