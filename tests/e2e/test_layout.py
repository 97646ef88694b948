"""The base layout in a real browser: sign in, the NHS.UK header, skip link and marking."""

import pytest

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_signs_in_and_lands_on_my_work(cast, live_server, page):
    sign_in(page, live_server, cast.lead_a)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "My work"
    assert page.locator("footer .app-protective-marking").inner_text() == "OFFICIAL"
    assert page.locator(".nhsuk-header__service-name").inner_text() == "Shared objectives"


def test_a_wrong_password_is_refused_on_the_page(cast, live_server, page):
    sign_in(page, live_server, cast.lead_a, password="wrong")
    assert page.url == f"{live_server.url}/accounts/login/"
    assert (
        "Please enter a correct username and password"
        in page.locator(".nhsuk-error-summary").inner_text()
    )


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches(cast, live_server, page):
    sign_in(page, live_server, cast.lead_a)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def test_login_and_my_work_have_no_accessibility_violations(cast, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    sign_in(page, live_server, cast.lead_a)
    assert_accessible(page)


@pytest.mark.parametrize("width", [390, 760, 1024, 1100, 1263, 1400])
def test_pages_fit_the_window_with_the_page_edges_kept(cast, live_server, browser, width):
    """Nothing runs off the right of a phone, tablet or laptop screen: the 1200px container keeps
    NHS.UK's edges below 1264px, and a wide table scrolls inside its own container."""
    import datetime as dt

    from django.urls import reverse

    from reviews import services
    from tests.factories import MilestoneFactory, ObjectiveFactory, add_update

    for n in range(3):
        shared = ObjectiveFactory(
            plan=cast.plan,
            ref=f"SHR-{n:02d}",
            title="Joined-up urgent and emergency care across every integrated care board",
            lead_team=cast.team_a,
            contributors=[cast.team_b],
            delivery_date=dt.date(2025, 3, 31),
        )
        add_update(shared, cast.team_a, 7, "red")
        add_update(shared, cast.team_b, 7, "green")
        MilestoneFactory(
            objective=shared,
            title="Integrated care boards agree the shared escalation protocol",
            due_date=dt.date(2024, 9, 30),
        )
    day = services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a, cast.team_b],
        facilitator=cast.director_a,
        created_by=cast.director_a,
        venue="Leeds",
    )
    services.add_focus(day=day, objective=shared)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, cast.director_a)
    fits = {}
    for url in (
        reverse("objectives:my_work"),
        reverse("objectives:list"),
        reverse("objectives:detail", args=[shared.pk]),
        reverse("risks:dashboard"),
        reverse("reviews:pack_html", args=[day.pk]),
    ):
        page.goto(f"{live_server.url}{url}")
        fits[url] = page.evaluate(
            "() => [document.documentElement.scrollWidth - window.innerWidth,"
            " Math.round(document.querySelector('main').parentElement"
            ".getBoundingClientRect().left)]"
        )
    context.close()

    # NHS.UK's edges: 16px on small screens, 32px from 769px wide; centred once the 1200px fits.
    edge = 16 if width < 769 else 32 if width < 1264 else (width - 1200) // 2
    assert fits == dict.fromkeys(fits, [0, edge])
