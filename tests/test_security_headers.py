"""Security headers and cookies with the production settings (config/settings.py
PRODUCTION_SECURITY), on a sample of pages; and no template that a strict CSP would break."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import add_update

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data: https://assets.nhs.uk",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
EXPECTED_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def production(settings):
    for name, value in django_settings.PRODUCTION_SECURITY.items():
        setattr(settings, name, value)
    settings.DEBUG = False
    return settings


def parse_csp(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return dict(directives)


def security_headers(response) -> dict[str, str]:
    return {name: response.headers.get(name) for name in EXPECTED_HEADERS}


def sample_pages(cast):
    return {
        "login": (None, reverse("login")),
        "my work": (cast.lead_a, reverse("objectives:my_work")),
        "list": (cast.lead_a, reverse("objectives:list")),
        "detail": (cast.lead_a, reverse("objectives:detail", args=[cast.objective_a.pk])),
        "healthz": (None, reverse("healthz")),
    }


def test_every_sampled_page_sends_every_security_header(cast, client_for, production):
    add_update(cast.objective_a, cast.team_a, 1, "amber")
    seen = {}
    for name, (user, url) in sample_pages(cast).items():
        response = client_for(user).get(url, secure=True)
        seen[name] = (
            response.status_code,
            security_headers(response),
            parse_csp(response.headers["Content-Security-Policy"]),
        )

    assert seen == dict.fromkeys(seen, (200, EXPECTED_HEADERS, EXPECTED_CSP))


def test_the_sampled_pages_carry_no_inline_script_style_or_event_handler(
    cast, client_for, production
):
    add_update(cast.objective_a, cast.team_a, 1, "amber")
    offending = {}
    for name, (user, url) in sample_pages(cast).items():
        html = client_for(user).get(url, secure=True).content.decode()
        found = inline_code(html)
        if found:
            offending[name] = found

    assert offending == {}


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(db, client, production):
    login = client.get(reverse("login"))
    health = client.get(reverse("healthz"))

    assert (login.status_code, login.headers["Location"]) == (
        301,
        "https://testserver/accounts/login/",
    )
    assert health.status_code == 200


def test_session_and_csrf_cookies_are_host_prefixed_secure_and_scoped_to_the_whole_site(
    cast, client, production
):
    page = client.get(reverse("login"), secure=True)
    csrf_token = page.cookies["__Host-csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": "lead_a", "password": "demo-password-123", "csrfmiddlewaretoken": csrf_token},
        secure=True,
    )

    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    csrf = response.cookies["__Host-csrftoken"]
    assert {
        "secure": session["secure"],
        "httponly": session["httponly"],
        "path": session["path"],
        "domain": session["domain"],
        "samesite": session["samesite"],
        "max-age": session["max-age"],
    } == {
        "secure": True,
        "httponly": True,
        "path": "/",
        "domain": "",
        "samesite": "Lax",
        "max-age": 8 * 60 * 60,
    }
    assert (csrf["secure"], csrf["path"], csrf["domain"]) == (True, "/", "")


def test_a_session_lasts_while_used_and_ends_after_a_working_day_idle(cast, client_for):
    start = dt.datetime(2024, 11, 15, 8, 0, tzinfo=dt.UTC)
    my_work = reverse("objectives:my_work")
    with time_machine.travel(start, tick=False) as clock:
        client = client_for(cast.lead_a)
        clock.move_to(start + dt.timedelta(hours=7, minutes=59))
        after_almost_a_day = client.get(my_work).status_code
        clock.move_to(start + dt.timedelta(hours=15, minutes=58))
        after_another_almost_a_day = client.get(my_work).status_code
        clock.move_to(start + dt.timedelta(hours=24))
        after_a_day_idle = client.get(my_work)

    assert (after_almost_a_day, after_another_almost_a_day) == (200, 200)
    assert (after_a_day_idle.status_code, after_a_day_idle.headers["Location"]) == (
        302,
        "/accounts/login/?next=/",
    )


# --- Templates ----------------------------------------------------------------------------------

INLINE_PATTERNS = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "htmx hx-on (needs eval)": re.compile(r"<[^>]*\s(data-)?hx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def inline_code(html: str) -> list[str]:
    # <script type="application/json"> (json_script) is data, not code: a strict CSP allows it.
    html = re.sub(r'<script[^>]*type="application/json"[^>]*>.*?</script>', "", html, flags=re.S)
    # Template tags and variables ({% with only=… %}) are not markup.
    html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", html, flags=re.S)
    return [name for name, pattern in INLINE_PATTERNS.items() if pattern.search(html)]


def test_no_template_has_inline_script_style_or_event_handler():
    offending = {
        str(path.relative_to(TEMPLATES_DIR)): found
        for path in sorted(TEMPLATES_DIR.rglob("*.html"))
        if (found := inline_code(path.read_text()))
    }

    assert offending == {}
