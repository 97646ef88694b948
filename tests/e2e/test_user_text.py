"""Whatever people type cannot break a page: one unbroken word as long as each field holds
(10,000 characters of narrative, a 250-character title) wraps inside the window, and a
right-to-left override character in a name reverses only that name, not the text after it."""

import datetime as dt

import pytest
from django.urls import reverse

from reviews import services as review_services
from reviews.models import Action
from tests.e2e.conftest import sign_in
from tests.factories import MilestoneFactory, ObjectiveFactory, TeamFactory, add_update

pytestmark = pytest.mark.django_db(transaction=True)

WORD = "W" * 10_000
RIGHT_TO_LEFT_OVERRIDE = "\u202e"

# Where the text after the user's text starts, against where the user's text (the <bdi>) ends.
TEXT_AFTER_THE_NAME = """summary => {
  const name = summary.querySelector('bdi');
  const after = document.createRange();
  after.setStartAfter(name);
  after.setEndAfter(summary.lastChild);
  return after.getBoundingClientRect().left - name.getBoundingClientRect().right;
}"""


@pytest.fixture(autouse=True)
def november(settings):
    settings.TODAY = dt.date(2024, 11, 15)


def test_a_10000_character_word_in_every_text_field_leaves_each_page_inside_the_window(
    cast, live_server, browser
):
    team = TeamFactory(name="T" * 120, directorate=cast.directorate_a)
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="LONG-01",
        title="L" * 250,
        description=WORD,
        stakeholders=WORD,
        expected_outcome=WORD,
        impact_enhance=WORD,
        lead_team=cast.team_a,
        contributors=[team],
    )
    add_update(objective, cast.team_a, 7, "amber", author=cast.lead_a, text=WORD)
    MilestoneFactory(objective=objective, title="M" * 250)
    day = review_services.create_day(
        title="D" * 200,
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a, team],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
        venue="V" * 200,
        purpose=WORD,
    )
    review_services.add_focus(day=day, objective=objective)
    Action.objects.create(day=day, what=WORD, owner_name="O" * 120, team=team)
    urls = [
        reverse("objectives:my_work"),
        reverse("objectives:list"),
        reverse("objectives:detail", args=[objective.pk]),
        reverse("reviews:list"),
        reverse("reviews:detail", args=[day.pk]),
        reverse("reviews:edit", args=[day.pk]),
        reverse("reviews:pack_html", args=[day.pk]),
    ]
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, cast.lead_a)
    wider = {}
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            wider[(width, url)] = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
    context.close()

    assert wider == dict.fromkeys(wider, 0)


def test_a_right_to_left_override_in_a_team_name_reverses_only_the_name(cast, live_server, page):
    cast.team_a.name = f"Digital {RIGHT_TO_LEFT_OVERRIDE}front door"
    cast.team_a.save()
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    sign_in(page, live_server, cast.lead_a)

    page.goto(f"{live_server.url}{reverse('objectives:detail', args=[cast.objective_a.pk])}")
    summary = page.locator("#history .nhsuk-details__summary-text").first

    assert summary.inner_text() == (
        f"Digital {RIGHT_TO_LEFT_OVERRIDE}front door (lead team): 1 update"
    )
    # Read left to right: the name, then " (lead team): 1 update" after it, not before.
    assert summary.evaluate(TEXT_AFTER_THE_NAME) >= 0
