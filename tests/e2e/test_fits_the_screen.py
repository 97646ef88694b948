"""What a person sees at phone, tablet, laptop and desktop widths: on every main page, and with
each htmx state opened, every visible link, button and form control lies inside the window and
can be clicked without scrolling sideways, and the page itself does not overflow.

One browser and one dataset serve every page at every width. To cover a new page, add a `Screen`
to `screens()`; `opened` is what a person does after the page loads (open an inline form, submit
one) before the page is checked again. With E2E_SCREENSHOTS=<folder> set, the test also saves a
full-page screenshot of each screen at each width there, to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import pprint
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from objectives.models import Role
from reviews import services as review_services
from tests.e2e.conftest import sign_in
from tests.factories import (
    DirectorshipFactory,
    MeasureFactory,
    MembershipFactory,
    MilestoneFactory,
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    UserFactory,
    add_update,
    contribution,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (390, 768, 1024, 1366)
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary"
LONG_TITLE = "Joined-up urgent and emergency care across every integrated care board in England"

# Each visible control: where it lies, and how a failure names it. A control 1px or less across is
# visually hidden text for screen readers (nhsuk-u-visually-hidden, the skip link until focused).
CONTROL_BOXES = """elements => elements.map(element => {
  const box = element.getBoundingClientRect();
  const label = (element.innerText || element.value || element.getAttribute('aria-label')
                 || element.id || element.name || '').trim().replace(/\\s+/g, ' ');
  return {
    shown: element.checkVisibility({visibilityProperty: true}) && box.width > 1 && box.height > 1,
    left: box.left, right: box.right, disabled: element.disabled === true,
    name: `${element.tagName.toLowerCase()} "${label.slice(0, 50)}"`,
  };
})"""


@dataclass(frozen=True)
class Screen:
    name: str
    url: str
    # page -> bool: opens a state on the loaded page (an htmx form, a menu); False when the page at
    # this width has no such state (no "More" menu on a wide screen): nothing new to check
    opened: Callable | None = None


@pytest.fixture(autouse=True)
def november(settings):
    settings.TODAY = dt.date(2024, 11, 15)


def seed(cast):
    """Shared objectives with long titles, views that disagree, milestones, a measure with its
    chart, and a collaboration day facilitated by lead_a, who leads team A and, as a director of
    its directorate, has every link in the header."""
    DirectorshipFactory(user=cast.lead_a, directorate=cast.directorate_a)
    team_c = TeamFactory(name="Directory of Services", directorate=cast.directorate_a)
    MembershipFactory(user=UserFactory(username="lead_c"), team=team_c, role=Role.LEAD)
    objectives = []
    for n in range(4):
        shared = ObjectiveFactory(
            plan=cast.plan,
            ref=f"UEC-{n:02d}",
            title=LONG_TITLE,
            lead_team=cast.team_a,
            contributors=[cast.team_b, team_c],
        )
        add_update(shared, cast.team_a, 7, "red", author=cast.lead_a)
        add_update(shared, cast.team_b, 7, "green")
        add_update(shared, team_c, 6, "amber_red")
        MilestoneFactory(
            objective=shared,
            title="Integrated care boards agree the shared escalation protocol",
            due_date=dt.date(2024, 9, 30),
        )
        objectives.append(shared)
    measure = MeasureFactory(objective=objectives[0], name="Uptake", unit="%", is_main=True)
    for n in range(14):
        ReadingFactory(
            measure=measure, date=dt.date(2023, 9, 1) + dt.timedelta(days=31 * n), value=60 + n % 3
        )
    day = review_services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a, cast.team_b, team_c],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
        venue="Leeds",
    )
    for shared in objectives[:2]:
        review_services.add_focus(day=day, objective=shared)
    return objectives, measure, day


def open_status_form(row_id: str) -> Callable:
    def opened(page):
        page.locator(f"#{row_id}").get_by_role("link", name="Update").first.click()
        page.wait_for_selector(f"#{row_id}-form")
        return True

    return opened


def open_the_header_menu(page):
    """On a narrow screen NHS.UK's script moves the links that do not fit under "More"."""
    more = page.get_by_role("button", name="Browse More")
    if not more.is_visible():
        return False
    more.click()
    page.locator(".nhsuk-header__drop-down:not(.nhsuk-header__drop-down--hidden)").wait_for()
    return True


def submit_empty_action(page):
    page.get_by_role("button", name="Add action").click()
    page.wait_for_selector("#actions .nhsuk-error-summary")
    return True


def add_an_action(page):
    page.fill("#id_action-what", "Share the supplier plan with every integrated care board")
    page.fill("#id_action-owner_name", "Priya Shah")
    page.get_by_role("button", name="Add action").click()
    page.get_by_role("status").filter(has_text="Action added.").wait_for(state="attached")
    return True


def screens(cast, objectives, measure, day) -> list[Screen]:
    row_id = f"status-c{contribution(objectives[0], cast.team_a).pk}"
    my_work = reverse("objectives:my_work")
    detail = reverse("objectives:detail", args=[objectives[0].pk])
    day_url = reverse("reviews:detail", args=[day.pk])
    return [
        Screen("My work", my_work),
        Screen("My work, header menu open", my_work, open_the_header_menu),
        Screen("My work, update form open", my_work, open_status_form(row_id)),
        Screen("Objectives", reverse("objectives:list")),
        Screen("Objective", detail),
        Screen("Measure", reverse("objectives:measure", args=[measure.pk])),
        Screen("Collaboration days", reverse("reviews:list")),
        Screen("A day", day_url),
        Screen("A day, action refused", day_url, submit_empty_action),
        Screen("A day, action added", day_url, add_an_action),
        Screen("Planning the day", reverse("reviews:edit", args=[day.pk])),
        Screen("The day's pack", reverse("reviews:pack_html", args=[day.pk])),
    ]


def problems_on(page) -> list[str]:
    """What a person would trip over on the page as it stands."""
    found = []
    width = page.viewport_size["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth") - width
    if overflow > 0:
        found.append(f"the page is {overflow}px wider than the window")
    controls = page.locator(CONTROLS)
    for index, box in enumerate(controls.evaluate_all(CONTROL_BOXES)):
        if not box["shown"]:
            continue
        if box["left"] < 0 or box["right"] > width + 0.5:
            found.append(f"{box['name']} lies at x={box['left']:.0f}..{box['right']:.0f}")
            continue
        if box["disabled"]:  # shown, in place, and not meant to be clicked ("Move up" on the first)
            continue
        try:
            controls.nth(index).click(trial=True, timeout=1_500)
        except Exception as error:  # Playwright's TimeoutError or "not attached"
            why = " | ".join(str(error).splitlines()[-3:])  # the end of Playwright's call log
            found.append(f"{box['name']} cannot be clicked: {why}")
        if page.evaluate("window.scrollX") != 0:
            found.append(f"{box['name']} is reached only by scrolling sideways")
            page.evaluate("window.scrollTo(0, window.scrollY)")
    return found


def test_every_control_fits_the_window_and_can_be_clicked_at_every_width(
    cast, live_server, browser
):
    screens_to_check = screens(cast, *seed(cast))
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, cast.lead_a)
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for screen in screens_to_check:
            page.goto(f"{live_server.url}{screen.url}")
            if screen.opened and not screen.opened(page):
                continue
            if folder := os.environ.get("E2E_SCREENSHOTS"):
                slug = re.sub(r"[^a-z0-9]+", "-", screen.name.lower())
                page.screenshot(path=f"{folder}/{width}-{slug}.png", full_page=True)
            found = problems_on(page)
            if found:
                problems[f"{width}px {screen.name}"] = found
    context.close()

    assert problems == {}, pprint.pformat(problems, width=100)
