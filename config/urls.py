from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from objectives import health

urlpatterns = [
    path("", include("objectives.urls")),
    path("", include("risks.urls")),
    path("", include("objectives.urls_imports")),
    path("reviews/", include("reviews.urls")),
    path("accounts/login/", accounts_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", accounts_views.SignOutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Error pages that need no database (objectives/errors.py); 403 and 404 use Django's own handlers
# with templates/403.html and 404.html.
handler400 = "objectives.errors.bad_request"
handler500 = "objectives.errors.server_error"
