"""Error pages: the NHS.UK look, no stack traces, and a friendly 503 when the database goes away.

A few views that fail on purpose are added to the real URLs for these tests only.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import path, reverse

from config.urls import handler400, handler500  # noqa: F401 (Django reads them from ROOT_URLCONF)
from config.urls import urlpatterns as project_urlpatterns
from objectives import errors

SECRET_DETAIL = "secret-internal-detail-4711"


def boom(request):
    raise RuntimeError(SECRET_DETAIL)


def refuse(request):
    raise PermissionDenied(SECRET_DETAIL)


def lose_the_database(request):
    raise OperationalError(f"server closed the connection unexpectedly {SECRET_DETAIL}")


urlpatterns = [
    *project_urlpatterns,
    path("test-errors/boom/", boom),
    path("test-errors/refuse/", refuse),
    path("test-errors/database/", lose_the_database),
]

pytestmark = pytest.mark.urls(__name__)


def database_gone(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


@pytest.fixture
def quiet_client(db):
    # Like a browser: the response, never the exception.
    return Client(raise_request_exception=False)


def assert_nhs_page(html, heading):
    assert f"<h1>{heading}</h1>" in html
    assert 'class="nhsuk-header' in html
    assert "<strong>OFFICIAL</strong>" in html
    assert "Shared objectives" in html
    assert SECRET_DETAIL not in html
    assert "Traceback" not in html


def test_an_unknown_address_gets_the_page_not_found_page(cast, client_for):
    response = client_for(cast.lead_a).get("/no-such-page/")

    assert response.status_code == 404
    assert_nhs_page(response.content.decode(), "Page not found")


def test_a_missing_objective_gets_the_page_not_found_page(cast, client_for):
    response = client_for(cast.lead_a).get(reverse("objectives:detail", args=[999_999]))

    assert response.status_code == 404
    assert_nhs_page(response.content.decode(), "Page not found")


def test_a_refusal_gets_the_permission_page_naming_who_is_signed_in(cast, client_for):
    response = client_for(cast.lead_a).get("/test-errors/refuse/")

    html = response.content.decode()
    assert response.status_code == 403
    assert_nhs_page(html, "You cannot do that")
    assert "You are signed in as Test " in html


def test_an_error_in_a_view_gets_the_sorry_page_without_a_stack_trace(cast, quiet_client):
    quiet_client.force_login(cast.lead_a)

    response = quiet_client.get("/test-errors/boom/")

    assert response.status_code == 500
    assert_nhs_page(response.content.decode(), "Sorry, there is a problem with the service")


def test_the_sorry_and_unavailable_pages_need_no_database():
    # No `db` fixture: any query while rendering would fail this test.
    sorry = errors.server_error(RequestFactory().get("/"))
    unavailable = errors.database_unavailable()

    assert (sorry.status_code, unavailable.status_code) == (500, 503)
    assert_nhs_page(sorry.content.decode(), "Sorry, there is a problem with the service")
    assert_nhs_page(unavailable.content.decode(), "Sorry, the service is unavailable")


def test_a_bad_host_header_gets_the_bad_request_page(quiet_client):
    response = quiet_client.get("/accounts/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert_nhs_page(response.content.decode(), "Sorry, there is a problem with the request")


def test_a_form_sent_without_its_csrf_token_gets_the_form_expired_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "lead_a", "password": "x"})

    assert response.status_code == 403
    assert_nhs_page(response.content.decode(), "This form has expired")


# --- The database going away ---------------------------------------------------------------------


def test_a_view_that_loses_the_database_gets_the_unavailable_page(cast, quiet_client):
    quiet_client.force_login(cast.lead_a)

    response = quiet_client.get("/test-errors/database/")

    assert (response.status_code, response.headers["Retry-After"]) == (503, "60")
    assert_nhs_page(response.content.decode(), "Sorry, the service is unavailable")


def test_pages_answer_503_while_the_database_is_down(cast, quiet_client):
    quiet_client.force_login(cast.lead_a)
    urls = [
        reverse("objectives:my_work"),
        reverse("objectives:list"),
        reverse("objectives:detail", args=[cast.objective_a.pk]),
        reverse("login"),
    ]

    with connection.execute_wrapper(database_gone):
        responses = [quiet_client.get(url) for url in urls]

    assert [response.status_code for response in responses] == [503, 503, 503, 503]
    for response in responses:
        assert_nhs_page(response.content.decode(), "Sorry, the service is unavailable")


def test_a_save_while_the_database_is_down_gets_503_and_the_service_recovers(cast, quiet_client):
    quiet_client.force_login(cast.lead_a)

    with connection.execute_wrapper(database_gone):
        down = quiet_client.get(reverse("objectives:my_work"))
    back = quiet_client.get(reverse("objectives:my_work"))

    assert (down.status_code, back.status_code) == (503, 200)


def test_the_health_check_reports_the_database_down_and_back(db, client):
    with connection.execute_wrapper(database_gone):
        down = client.get(reverse("healthz"))
    up = client.get(reverse("healthz"))

    assert (down.status_code, down.json()) == (
        503,
        {"status": "error", "database": "unavailable"},
    )
    assert (up.status_code, up.json()) == (200, {"status": "ok", "database": "ok"})


def test_the_health_check_answers_for_itself_even_with_a_session_while_the_database_is_down(
    cast, quiet_client
):
    # A probe (or a person) carrying a session cookie: the session is never read.
    quiet_client.force_login(cast.lead_a)

    with connection.execute_wrapper(database_gone):
        down = quiet_client.get(reverse("healthz"))

    assert (down.status_code, down.headers["Content-Type"], down.json()) == (
        503,
        "application/json",
        {"status": "error", "database": "unavailable"},
    )
