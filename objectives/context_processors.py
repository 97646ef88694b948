from django.conf import settings

from . import permissions


def service(request):
    user = getattr(request, "user", None)
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "PROTECTIVE_MARKING": settings.PROTECTIVE_MARKING,
        "can_view_risks": bool(user and user.is_authenticated and permissions.can_view_risks(user)),
        "can_import_plan": bool(
            user and user.is_authenticated and permissions.can_import_plan(user)
        ),
    }
