from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path(
        "oidc/start/",
        login_not_required(views.OrganisationSignInView.as_view()),
        name="oidc_start",
    ),
    path(
        "oidc/callback/",
        login_not_required(views.OrganisationCallbackView.as_view()),
        name="oidc_callback",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        views.auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        login_not_required(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        login_not_required(views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        login_not_required(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        login_not_required(views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
