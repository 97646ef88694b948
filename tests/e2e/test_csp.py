"""The strict Content-Security-Policy in a real browser: pages and htmx work, nothing is blocked.

htmx is configured in base.html (meta htmx-config) with eval and its injected indicator styles off;
Chromium reports any inline script, style or eval the policy blocks as a console error.
"""

import pytest
from django.urls import reverse

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def watch_csp(page):
    blocked = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text:
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


def test_every_kind_of_page_loads_with_nothing_blocked(cast, live_server, page, settings):
    import datetime as dt

    from reviews import services
    from tests.factories import MeasureFactory, add_update

    settings.TODAY = dt.date(2024, 11, 15)
    add_update(cast.objective_a, cast.team_a, 7, "red")
    measure = MeasureFactory(objective=cast.objective_a, name="Calls answered", unit="%")
    day = services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a],
        facilitator=cast.director_a,
        created_by=cast.director_a,
        venue="Leeds",
    )
    services.add_focus(day=day, objective=cast.objective_a)
    blocked = watch_csp(page)
    sign_in(page, live_server, cast.director_a)
    for url in (
        reverse("objectives:update_status", args=[cast.objective_a.pk, cast.team_a.pk]),
        reverse("objectives:edit", args=[cast.objective_a.pk]),
        reverse("objectives:measure", args=[measure.pk]),
        reverse("risks:dashboard"),
        reverse("risks:objective_flags", args=[cast.objective_a.pk]),
        reverse("reviews:list"),
        reverse("reviews:create"),
        reverse("reviews:detail", args=[day.pk]),
        reverse("reviews:edit", args=[day.pk]),
        reverse("reviews:pack_html", args=[day.pk]),
        reverse("imports:start"),
        reverse("imports:next_year"),
        "/no-such-page/",
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
