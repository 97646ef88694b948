"""Nothing a signed-in person sees stays in the browser's cache: every answer to them says
`Cache-Control: private, no-store`, whatever it is (page, htmx partial, PDF and HTML pack, CSV and
XLSX exports, redirect, refusal). Static files keep their long cache.
"""

import datetime as dt

import pytest
from django.urls import reverse

from reviews import services as review_services
from tests.factories import add_update
from tests.test_http_methods import METHODS
from tests.urlcoverage import all_url_names

pytestmark = pytest.mark.django_db

NEVER_CACHED = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def day(cast):
    add_update(cast.objective_a, cast.team_a, 7, "amber", author=cast.lead_a)
    day = review_services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )
    review_services.add_focus(day=day, objective=cast.objective_a)
    return day


def test_every_url_answers_a_signed_in_person_with_no_store(cast, client_for):
    """Every URL pattern, with ids that need not exist: a 404, 405 or redirect is private too."""
    client = client_for(cast.admin)
    seen = {}
    for name in sorted(all_url_names()):
        if name.startswith("admin:") or name in ("login", "logout"):
            continue
        arguments, methods = METHODS[name]
        method = "GET" if "GET" in methods else "POST"
        response = client.generic(method, reverse(name, args=arguments))
        seen[name] = directives(response)

    assert seen == dict.fromkeys(seen, NEVER_CACHED)


@pytest.mark.parametrize(
    ("what", "content_type"),
    [
        ("page", "text/html; charset=utf-8"),
        ("htmx partial", "text/html; charset=utf-8"),
        ("PDF pack", "application/pdf"),
        ("HTML pack", "text/html; charset=utf-8"),
        ("CSV export", "text/csv; charset=utf-8"),
        (
            "XLSX export",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "plan export",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_each_kind_of_content_is_private_and_never_stored(
    what, content_type, cast, client_for, day
):
    client = client_for(cast.lead_a)
    url, headers = {
        "page": (reverse("objectives:detail", args=[cast.objective_a.pk]), {}),
        "htmx partial": (reverse("objectives:list") + "?q=DIG", {"HX-Request": "true"}),
        "PDF pack": (reverse("reviews:pack_pdf", args=[day.pk]), {}),
        "HTML pack": (reverse("reviews:pack_html", args=[day.pk]), {}),
        "CSV export": (reverse("objectives:export") + "?format=csv", {}),
        "XLSX export": (reverse("objectives:export") + "?format=xlsx", {}),
        "plan export": (reverse("imports:export", args=[cast.plan.pk]), {}),
    }[what]
    if what == "plan export":
        client = client_for(cast.admin)

    response = client.get(url, headers=headers)

    assert (response.status_code, response["Content-Type"], directives(response)) == (
        200,
        content_type,
        NEVER_CACHED,
    )


def test_static_files_keep_their_cache_for_a_signed_in_person(cast, client_for, settings):
    # As in production: whitenoise answers static files before any other middleware runs.
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "whitenoise.middleware.WhiteNoiseMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    settings.WHITENOISE_USE_FINDERS = True
    settings.STATIC_ROOT = None  # served from static/ by the finders, as in development
    settings.WHITENOISE_MAX_AGE = 3600
    client = client_for(cast.lead_a)

    response = client.get("/static/css/app.css")

    assert (response.status_code, directives(response)) == (200, {"max-age=3600", "public"})
