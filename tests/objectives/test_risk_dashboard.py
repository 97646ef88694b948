"""The risk dashboard (/risks/) and acknowledging a flag: who may, what they see, filters, the
heatmap, what changed, and a fixed number of queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from objectives import risk_cache, risk_loader
from objectives.models import FlagAcknowledgement
from tests.factories import (
    MilestoneFactory,
    ObjectiveFactory,
    TeamFactory,
    UserFactory,
    add_update,
)

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"risks:dashboard", "risks:acknowledge", "risks:objective_flags"}
DASHBOARD = "/risks/"
MAX_QUERIES = 12


@pytest.fixture(autouse=True)
def fresh_risk_cache():
    # Test databases roll back, so the next test may reuse the same ids with other data.
    risk_cache.clear()
    yield
    risk_cache.clear()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2024, 11, 15, 12, 0), tick=False):
        yield


@pytest.fixture
def flagged(cast):
    """DIG-01 (Digital) Red in October; OPS-01 (Operations) Amber/Red; both owned."""
    for objective, lead in ((cast.objective_a, cast.lead_a), (cast.objective_b, cast.lead_b)):
        objective.owner = lead
        objective.delivery_date = None
        objective.save()
    add_update(cast.objective_a, cast.team_a, 7, "red")
    add_update(cast.objective_b, cast.team_b, 7, "amber_red")
    return cast


def row_id(objective) -> str:
    return f'id="risk-row-{objective.pk}"'


# --- Who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("member_a", 403),
        ("lead_a", 403),
        ("director_a", 200),
        ("director_elsewhere", 200),
        ("org_director", 200),
        ("admin", 200),
    ],
)
def test_only_directors_and_admins_see_the_dashboard(flagged, client_for, who, status):
    response = client_for(flagged.users()[who]).get(reverse("risks:dashboard"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_a_director_sees_only_objectives_involving_their_directorates(flagged, client_for):
    html = client_for(flagged.director_a).get(DASHBOARD).content.decode()
    assert row_id(flagged.objective_a) in html
    assert row_id(flagged.objective_b) not in html
    assert "OPS-01" not in html

    html = client_for(flagged.director_elsewhere).get(DASHBOARD).content.decode()
    assert row_id(flagged.objective_b) in html
    assert row_id(flagged.objective_a) not in html
    assert "DIG-01" not in html


def test_a_director_cannot_filter_their_way_into_another_directorate(flagged, client_for):
    other = flagged.directorate_b.pk
    response = client_for(flagged.director_a).get(DASHBOARD, {"directorate": other})
    html = response.content.decode()
    assert "OPS-01" not in html
    assert "Choose one of the options" in html


def test_a_shared_objective_shows_to_the_directors_of_every_team_involved(flagged, client_for):
    shared = ObjectiveFactory(
        plan=flagged.plan, ref="SHR-01", lead_team=flagged.team_a, contributors=[flagged.team_b]
    )
    add_update(shared, flagged.team_a, 7, "green")
    add_update(shared, flagged.team_b, 7, "amber_red")
    for director in (flagged.director_a, flagged.director_elsewhere):
        html = client_for(director).get(DASHBOARD).content.decode()
        assert row_id(shared) in html


def test_the_organisation_wide_director_sees_everything_most_severe_first(flagged, client_for):
    response = client_for(flagged.org_director).get(DASHBOARD)
    refs = [row.item.ref for row in response.context["rows"]]
    assert refs == ["DIG-01", "OPS-01"]
    assert [row.item.score for row in response.context["rows"]] == [10, 4]


# --- What it shows -------------------------------------------------------------------------------


def test_each_row_shows_the_flags_with_their_explanations(flagged, client_for):
    html = client_for(flagged.director_a).get(DASHBOARD).content.decode()
    assert "Low confidence: NHS 111 online" in html
    assert "NHS 111 online reported Red on 31 October 2024." in html
    assert '<strong class="app-rating rating--red">Red</strong>' in html


def test_the_heatmap_counts_team_views_by_directorate_and_rating(flagged, client_for):
    other = TeamFactory(name="Second digital team", directorate=flagged.directorate_a)
    shared = ObjectiveFactory(
        plan=flagged.plan, ref="SHR-01", lead_team=flagged.team_a, contributors=[other]
    )
    add_update(shared, flagged.team_a, 7, "red")
    response = client_for(flagged.org_director).get(DASHBOARD)
    table = {
        row.directorate: {rating or "none": n for rating, n, _ in row.cells if n}
        for row in response.context["heatmap"]
    }
    assert table == {"Digital": {"red": 2, "none": 1}, "Operations": {"amber_red": 1}}
    assert [row.total for row in response.context["heatmap"]] == [3, 1]
    html = response.content.decode()
    assert '<caption class="nhsuk-table__caption nhsuk-table__caption--s">Team views' in html
    assert '<th scope="row" class="nhsuk-table__header app-heatmap__name">Digital</th>' in html


def test_the_heatmap_of_a_director_has_only_their_directorates(flagged, client_for):
    response = client_for(flagged.director_a).get(DASHBOARD)
    assert [row.directorate for row in response.context["heatmap"]] == ["Digital"]


def test_what_changed_lists_flags_new_since_the_last_period_end_and_those_resolved(
    flagged, client_for
):
    # OPS-01 was Amber/Red on 31 October; on 3 November Operations corrected it to Amber.
    add_update(
        flagged.objective_b,
        flagged.team_b,
        7,
        "amber",
        when=dt.datetime(2024, 11, 3, 12, 0, tzinfo=dt.UTC),
    )
    # DIG-01 has a milestone that fell due on 10 November.
    MilestoneFactory(objective=flagged.objective_a, title="Pilot", due_date=dt.date(2024, 11, 10))
    response = client_for(flagged.org_director).get(DASHBOARD)
    assert response.context["since"] == dt.date(2024, 10, 31)
    assert [(c.item.ref, c.flag.label) for c in response.context["added"]] == [
        ("DIG-01", "Overdue milestones")
    ]
    assert [(c.item.ref, c.flag.label) for c in response.context["resolved"]] == [
        ("OPS-01", "Low confidence: Ambulance flow")
    ]
    html = response.content.decode()
    assert "What changed since 31 October 2024" in html
    assert "1 milestone is overdue: Pilot (due 10 November 2024, NHS 111 online)." in html


# --- Filters -------------------------------------------------------------------------------------


@pytest.fixture
def mixed(flagged):
    """Add a shared, medium-only objective (Amber/Green vs Amber/Red is 2 steps: medium)."""
    shared = ObjectiveFactory(
        plan=flagged.plan,
        ref="SHR-01",
        lead_team=flagged.team_a,
        contributors=[flagged.team_b],
        owner=flagged.lead_a,
        delivery_date=None,
    )
    add_update(shared, flagged.team_a, 7, "amber_green")
    add_update(shared, flagged.team_b, 7, "amber_red")
    flagged.shared = shared
    return flagged


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ({}, ["DIG-01", "SHR-01", "OPS-01"]),
        ({"severity": "high"}, ["DIG-01"]),
        ({"severity": "medium"}, ["SHR-01", "OPS-01"]),
        ({"rule": "divergence"}, ["SHR-01"]),
        ({"shared": "on"}, ["SHR-01"]),
        ({"directorate": "B"}, ["SHR-01", "OPS-01"]),
        ({"team": "A"}, ["DIG-01", "SHR-01"]),
        ({"severity": "low"}, []),
    ],
)
def test_filters_narrow_the_list(mixed, client_for, query, refs):
    ids = {"A": mixed.team_a.pk, "B": mixed.directorate_b.pk}
    query = {k: ids.get(v, v) for k, v in query.items()}
    response = client_for(mixed.org_director).get(DASHBOARD, query)
    assert [row.item.ref for row in response.context["rows"]] == refs


def test_acknowledged_flags_drop_down_the_list_or_can_be_left_out(mixed, client_for):
    FlagAcknowledgement.objects.create(
        objective=mixed.objective_a,
        rule="low_confidence",
        subject="NHS 111 online",
        note="Plan agreed",
        severity_score=4,
        acknowledged_by=mixed.org_director,
    )
    client = client_for(mixed.org_director)
    rows = client.get(DASHBOARD).context["rows"]
    assert [(r.item.ref, r.item.score) for r in rows] == [
        ("SHR-01", 8),
        ("OPS-01", 4),
        ("DIG-01", 0),
    ]
    rows = client.get(DASHBOARD, {"acknowledged": "exclude"}).context["rows"]
    assert [r.item.ref for r in rows] == ["SHR-01", "OPS-01"]


def test_filters_swap_only_the_results_with_htmx(mixed, client_for):
    response = client_for(mixed.org_director).get(
        DASHBOARD, {"severity": "high"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="risk-results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    assert [row.item.ref for row in response.context["rows"]] == ["DIG-01"]


def test_the_full_page_varies_on_htmx_too(mixed, client_for):
    response = client_for(mixed.org_director).get(DASHBOARD)
    assert "HX-Request" in response["Vary"]
    assert "<html" in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_the_dashboard_takes_at_most_twelve_queries(
    cast, client_for, django_assert_max_num_queries, count
):
    other = TeamFactory(directorate=cast.directorate_a)
    for n in range(count):
        objective = ObjectiveFactory(
            plan=cast.plan, ref=f"Q-{n:02d}", lead_team=cast.team_a, contributors=[other]
        )
        add_update(objective, cast.team_a, 7, "red")
        MilestoneFactory(objective=objective)
    client = client_for(cast.director_a)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert len(response.context["rows"]) == count + 1  # and DIG-01


def test_the_dashboard_says_so_when_there_is_no_agreed_plan(client_for, db):
    admin = UserFactory(username="admin", is_superuser=True)
    response = client_for(admin).get(DASHBOARD)
    assert "There is no agreed business plan yet" in response.content.decode()


# --- Acknowledge ---------------------------------------------------------------------------------

NOTE = "Discussed with both leads on 3 Oct; plan agreed"


def ack_url(objective) -> str:
    return reverse("risks:acknowledge", args=[objective.pk])


def ack_data(**overrides):
    data = {
        "rule": "low_confidence",
        "subject": "NHS 111 online",
        "note": NOTE,
        "next": "/risks/?severity=high",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("lead_a", 403),
        ("member_a", 403),
        ("director_elsewhere", 403),
        ("director_a", 302),
        ("org_director", 302),
        ("admin", 302),
    ],
)
def test_only_directors_over_the_objective_may_acknowledge(flagged, client_for, who, status):
    response = client_for(flagged.users()[who]).post(ack_url(flagged.objective_a), ack_data())
    assert response.status_code == status
    assert FlagAcknowledgement.objects.count() == (1 if status == 302 and who != "anonymous" else 0)


def test_acknowledging_needs_a_post(flagged, client_for):
    response = client_for(flagged.director_a).get(ack_url(flagged.objective_a))
    assert response.status_code == 405


def test_acknowledging_a_missing_objective_is_not_found(flagged, client_for):
    response = client_for(flagged.director_a).post("/risks/999999/acknowledge/", ack_data())
    assert response.status_code == 404


def test_an_acknowledgement_stores_the_note_and_evidence_and_redirects_back(flagged, client_for):
    response = client_for(flagged.director_a).post(
        ack_url(flagged.objective_a), ack_data(), follow=True
    )
    assert response.redirect_chain == [("/risks/?severity=high", 302)]
    ack = FlagAcknowledgement.objects.get()
    assert (ack.rule, ack.subject, ack.note, ack.severity_score) == (
        "low_confidence",
        "NHS 111 online",
        NOTE,
        4,
    )
    assert ack.evidence == {
        "team": "NHS 111 online",
        "rating": "red",
        "reported_on": "2024-10-31",
        "period": "October 2024",
    }
    assert ack.acknowledged_by == flagged.director_a
    html = response.content.decode()
    assert "Acknowledged “Low confidence: NHS 111 online” on DIG-01." in html
    assert "Acknowledged by" in html and NOTE in html


def test_a_note_is_required_and_the_error_is_shown_next_to_it(flagged, client_for):
    response = client_for(flagged.director_a).post(ack_url(flagged.objective_a), ack_data(note=" "))
    html = response.content.decode()
    assert response.status_code == 200
    assert FlagAcknowledgement.objects.count() == 0
    assert 'class="nhsuk-error-summary"' in html
    assert '<span class="nhsuk-error-message" id="note-error">' in html
    assert "Enter a note saying what was agreed" in html


def test_with_htmx_a_missing_note_comes_back_in_the_row(flagged, client_for):
    response = client_for(flagged.director_a).post(
        ack_url(flagged.objective_a), ack_data(note=""), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<tr class="nhsuk-table__row app-risk-row" {row_id(flagged.objective_a)}'[:40]
    )
    assert row_id(flagged.objective_a) in html
    assert "nhsuk-error-message" in html
    assert "Enter a note saying what was agreed" in html


def test_with_htmx_the_row_comes_back_acknowledged_and_the_list_reloads(flagged, client_for):
    response = client_for(flagged.director_a).post(
        ack_url(flagged.objective_a), ack_data(), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger-After-Settle"] == "risksChanged"
    assert row_id(flagged.objective_a) in html
    assert "(acknowledged)" in html
    assert "Acknowledged by Test" in html
    assert FlagAcknowledgement.objects.count() == 1


def test_a_flag_that_is_no_longer_raised_cannot_be_acknowledged(flagged, client_for):
    response = client_for(flagged.director_a).post(
        ack_url(flagged.objective_a), ack_data(rule="divergence", subject="")
    )
    assert FlagAcknowledgement.objects.count() == 0
    assert "This flag is no longer raised" in response.content.decode()


def test_an_unsafe_next_address_is_ignored(flagged, client_for):
    response = client_for(flagged.director_a).post(
        ack_url(flagged.objective_a), ack_data(next="https://evil.example/")
    )
    assert response["Location"] == "/risks/"


def test_a_lapsed_acknowledgement_is_shown_with_its_date(flagged, client_for):
    FlagAcknowledgement.objects.create(
        objective=flagged.objective_a,
        rule="low_confidence",
        subject="NHS 111 online",
        note="Plan agreed",
        severity_score=3,  # acknowledged when it was Amber/Red
        acknowledged_by=flagged.director_a,
    )
    FlagAcknowledgement.objects.update(
        acknowledged_at=dt.datetime(2024, 10, 3, 9, 0, tzinfo=dt.UTC)
    )
    html = client_for(flagged.director_a).get(DASHBOARD).content.decode()
    assert "Acknowledgement lapsed: evidence worse since 3 Oct" in html


# --- One objective's flags (detail page and My work) ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 200), ("lead_b", 200), ("director_elsewhere", 200)],
)
def test_everyone_who_may_read_an_objective_may_read_its_flags(flagged, client_for, who, status):
    url = reverse("risks:objective_flags", args=[flagged.objective_a.pk])
    response = client_for(flagged.users()[who]).get(url)
    assert response.status_code == status


def test_the_flags_of_a_missing_objective_are_not_found(flagged, client_for):
    response = client_for(flagged.outsider).get("/risks/objectives/999999/")
    assert response.status_code == 404


def test_the_detail_page_loads_its_flags_with_htmx_and_links_to_them_without(flagged, client_for):
    client = client_for(flagged.lead_a)
    url = reverse("risks:objective_flags", args=[flagged.objective_a.pk])
    detail = client.get(reverse("objectives:detail", args=[flagged.objective_a.pk]))
    assert f'hx-get="{url}" hx-trigger="load"' in detail.content.decode()

    fragment = client.get(url, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section class="app-objective-flags" id="risk-flags"')
    assert "Low confidence: NHS 111 online" in html
    assert "NHS 111 online reported Red on 31 October 2024." in html
    assert "HX-Request" in fragment["Vary"]

    page = client.get(url).content.decode()
    assert f"<h1>{flagged.objective_a.title}</h1>" in page
    assert "NHS 111 online reported Red on 31 October 2024." in page


def test_an_objective_without_flags_says_so(flagged, client_for):
    objective = ObjectiveFactory(
        plan=flagged.plan, lead_team=flagged.team_a, owner=flagged.lead_a, delivery_date=None
    )
    add_update(objective, flagged.team_a, 7, "green")
    url = reverse("risks:objective_flags", args=[objective.pk])
    html = client_for(flagged.lead_a).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "No risk flags: none of the rules finds this objective at risk today." in html


def test_my_work_flags_show_the_count_the_worst_and_each_explanation(flagged):
    flags = risk_loader.flags_for_objective(flagged.objective_a)
    html = render_to_string(
        "objectives/_my_work_flags.html", {"flags": flags, "objective": flagged.objective_a}
    )
    assert "1 risk flag, the worst high: Low confidence: NHS 111 online" in html
    assert "NHS 111 online reported Red on 31 October 2024." in html


def test_rows_drawn_once_still_carry_each_requests_token_and_address(flagged, client_for):
    from objectives.views import risks as views

    client = client_for(flagged.director_a)
    first = client.get(DASHBOARD, {"severity": "high"}).content.decode()
    second = client.get(DASHBOARD, {"rule": "low_confidence"}).content.decode()

    assert any(item is not None for item, _ in views._ROWS.values())  # the row was kept
    for html, address in (
        (first, "/risks/?severity=high"),
        (second, "/risks/?rule=low_confidence"),
    ):
        row = html.split(row_id(flagged.objective_a))[1].split("</tr>")[0]
        assert f'<input type="hidden" name="next" value="{address}">' in row
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
        assert len(token) == 64
        assert views._CSRF_MARK not in row and views._NEXT_MARK not in row


@pytest.mark.parametrize("count", [1, 30])
def test_the_dashboard_stays_within_twelve_queries_when_patched_and_when_warm(
    cast, client_for, django_assert_max_num_queries, django_assert_num_queries, count
):
    other = TeamFactory(directorate=cast.directorate_a)
    made = []
    for n in range(count):
        objective = ObjectiveFactory(
            plan=cast.plan, ref=f"Q-{n:02d}", lead_team=cast.team_a, contributors=[other]
        )
        add_update(objective, cast.team_a, 7, "red")
        made.append(objective)
    client = client_for(cast.director_a)
    client.get(DASHBOARD)  # evaluated whole, and cached
    for objective in made:
        add_update(objective, other, 7, "amber_red")

    with django_assert_max_num_queries(MAX_QUERIES):
        patched = client.get(DASHBOARD)
    # Warm: the session and user, the director's scope, one query for the plan and fingerprint,
    # and the session save (three in tests).
    with django_assert_num_queries(7):
        warm = client.get(DASHBOARD)

    assert [r.item.ref for r in patched.context["rows"]] == [
        r.item.ref for r in warm.context["rows"]
    ]
    assert len(warm.context["rows"]) == count + 1  # and DIG-01
    # The new Amber/Red views were patched in: each Q objective now has two low-confidence flags.
    first = next(r.item for r in warm.context["rows"] if r.item.ref == "Q-00")
    assert [f.rule for f in first.flags].count("low_confidence") == 2
