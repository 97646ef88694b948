"""The strict Content-Security-Policy in a real browser: pages and htmx work, nothing is blocked.

htmx is configured in base.html (meta htmx-config) with eval and its injected indicator styles off;
Chromium reports any inline script, style or eval the policy blocks as a console error.
"""

import pytest
from django.urls import reverse

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# NHS.UK frontend's CSS names its web font on assets.nhs.uk; the policy allows no outside host,
# so the browser falls back to Arial, as NHS.UK's font stack intends.
ALLOWED_BLOCKS = ("https://assets.nhs.uk/fonts/",)


def watch_csp(page):
    blocked = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text and not any(host in text for host in ALLOWED_BLOCKS):
            blocked.append(text)

    page.on("console", on_console)
    return blocked


def test_pages_load_with_nothing_blocked_by_the_content_security_policy(cast, live_server, page):
    blocked = watch_csp(page)
    page.goto(f"{live_server.url}{reverse('login')}")
    sign_in(page, live_server, cast.lead_a)
    for url in (
        reverse("objectives:my_work"),
        reverse("objectives:list"),
        reverse("objectives:detail", args=[cast.objective_a.pk]),
    ):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")

    assert blocked == []


def test_htmx_runs_under_the_policy_without_eval_or_injected_styles(cast, live_server, page):
    blocked = watch_csp(page)
    sign_in(page, live_server, cast.lead_a)

    config = page.evaluate(
        "() => ({allowEval: htmx.config.allowEval,"
        " includeIndicatorStyles: htmx.config.includeIndicatorStyles,"
        " styleElements: document.querySelectorAll('style').length})"
    )

    assert config == {"allowEval": False, "includeIndicatorStyles": False, "styleElements": 0}
    assert blocked == []


def test_the_policy_really_blocks_inline_script(cast, live_server, page):
    blocked = watch_csp(page)
    sign_in(page, live_server, cast.lead_a)

    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )

    assert page.evaluate("() => window.injected === true") is False
    assert len(blocked) == 1
