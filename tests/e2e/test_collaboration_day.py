"""A facilitator captures an action inline on the day; the day page and the HTML pack pass axe."""

import datetime as dt

import pytest

from objectives.models import Role
from reviews import services
from reviews.models import Action
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    UserFactory,
    add_update,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def day(cast):
    team_c = TeamFactory(name="Directory of Services", directorate=cast.directorate_a)
    MembershipFactory(user=UserFactory(username="lead_c"), team=team_c, role=Role.LEAD)
    shared = ObjectiveFactory(
        plan=cast.plan,
        ref="UEC-01",
        title="Increase uptake",
        lead_team=cast.team_a,
        contributors=[team_c],
    )
    add_update(shared, cast.team_a, 6, "amber", author=cast.lead_a, text="Going fine")
    measure = MeasureFactory(objective=shared, name="Uptake", unit="%", is_main=True)
    for n in range(14):  # a control chart and its readings table in the HTML pack
        ReadingFactory(
            measure=measure, date=dt.date(2023, 9, 1) + dt.timedelta(days=31 * n), value=60 + n % 3
        )
    return services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a, team_c],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )


def test_a_facilitator_captures_an_action_inline_and_keeps_typing(live_server, page, cast, day):
    sign_in(page, live_server, cast.lead_a)
    page.goto(f"{live_server.url}/reviews/{day.pk}/")
    page.fill("#id_action-what", "Share the supplier plan")
    page.fill("#id_action-owner_name", "Priya Shah")
    page.click("text=Add action")
    page.wait_for_selector("#action-list >> text=Share the supplier plan")
    assert page.input_value("#id_action-what") == ""
    assert page.evaluate("document.activeElement.id") == "id_action-what"
    assert page.url == f"{live_server.url}/reviews/{day.pk}/"  # no full page load
    assert Action.objects.get().what == "Share the supplier plan"


def test_the_day_page_and_the_html_pack_are_accessible(live_server, page, cast, day):
    sign_in(page, live_server, cast.lead_a)
    page.goto(f"{live_server.url}/reviews/{day.pk}/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/{day.pk}/pack/")
    assert page.locator(".app-pack__objective svg[role=img]").count() == 1
    assert page.locator(".app-pack__readings tbody tr").count() == 14
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/{day.pk}/edit/")
    assert_accessible(page)
