"""The objectives list: filters, sorting, paging, htmx partials, bad input and query counts."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from objectives.models import PlanStatus, State
from objectives.plans import create_plan
from objectives.views.browse import objective_list
from tests.factories import (
    DirectorateFactory,
    ObjectiveFactory,
    TeamFactory,
    UserFactory,
    add_update,
)

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"objectives:list"}

LIST = "/objectives/"


def refs(response) -> list[str]:
    """The refs of the rows on the page, in order."""
    return re.findall(r'<td role="cell" class="[^"]*\bapp-ref\b[^"]*">([^<]+)</td>', html(response))


def html(response) -> str:
    return response.content.decode()


def vary(response) -> list[str]:
    return [header.strip() for header in response["Vary"].split(",")]


def get(client, query="", **headers):
    return client.get(LIST + query, headers=headers)


# --- What a row shows ---------------------------------------------------------------------------


def test_each_row_shows_every_teams_current_rating_side_by_side(cast, client_for):
    team_c = TeamFactory(name="Clinical safety", directorate=cast.directorate_b)
    shared = ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-02",
        title="Shared thing",
        lead_team=cast.team_a,
        contributors=[cast.team_b, team_c],
        state=State.IN_PROGRESS,
    )
    add_update(shared, cast.team_a, 1, "green")
    add_update(shared, cast.team_b, 1, "amber_red")

    page = html(get(client_for(cast.lead_b)))

    row = page[page.index('<td role="cell" class="app-nowrap app-ref nhsuk-table__cell">DIG-02<') :]
    row = row[: row.index("</tr>")]
    heading = '<span class="app-stack__heading" aria-hidden="true">{}</span>'.format
    views = "Each team&#x27;s current view"
    assert row == (
        '<td role="cell" class="app-nowrap app-ref nhsuk-table__cell">DIG-02</td>\n'
        '<td role="cell" class="app-objective-table__title nhsuk-table__cell">'
        f'<a href="/objectives/{shared.pk}/">Shared thing</a></td>\n'
        f'<td role="cell" class="nhsuk-table__cell">{heading("Lead team")}NHS 111 online</td>\n'
        f'<td role="cell" class="nhsuk-table__cell">{heading(views)}<ul class="app-team-views">'
        '<li><strong class="app-rating rating--green">Green</strong>\n'
        "<span><bdi>NHS 111 online</bdi> (lead)</span></li>"
        '<li><strong class="app-rating rating--amber_red">Amber/Red</strong>\n'
        "<span><bdi>Ambulance flow</bdi></span></li>"
        '<li><strong class="app-rating rating--none">Not reported</strong>\n'
        "<span><bdi>Clinical safety</bdi></span></li></ul>\n</td>\n"
        f'<td role="cell" class="nhsuk-table__cell">{heading("Worst current rating")}'
        '<strong class="app-rating rating--amber_red">Amber/Red</strong>\n</td>\n'
        f'<td role="cell" class="nhsuk-table__cell">{heading("State")}In progress</td>\n'
        '<td role="cell" class="app-nowrap nhsuk-table__cell">'
        f"{heading('Delivery')}31 Mar 2025</td>\n"
    )


def test_the_list_says_how_many_objectives_match_and_offers_them_for_download(cast, client_for):
    page = html(get(client_for(cast.outsider), "?shared=on&q=DIG"))

    assert '<p class="nhsuk-body nhsuk-u-margin-bottom-2" id="results-count">No objectives' in page
    assert 'href="/objectives/export/?format=csv&amp;shared=on&amp;q=DIG"' in page
    assert 'href="/objectives/export/?format=xlsx&amp;shared=on&amp;q=DIG"' in page


def test_the_count_names_the_rows_shown(cast, client_for):
    page = html(get(client_for(cast.outsider)))

    assert "Showing 1 to 2 of 2 objectives" in page


# --- Filters ------------------------------------------------------------------------------------


def test_by_default_the_list_shows_the_latest_agreed_plan(cast, client_for):
    create_plan(2025, status=PlanStatus.DRAFT)
    older = create_plan(2023)
    ObjectiveFactory(plan=older, ref="OLD-01", lead_team=cast.team_a)

    response = get(client_for(cast.outsider))

    assert refs(response) == ["DIG-01", "OPS-01"]
    assert f'<option value="{cast.plan.pk}" selected>2024/25</option>' in html(response)


def test_a_chosen_plan_or_all_plans(cast, client_for):
    older = create_plan(2023)
    ObjectiveFactory(plan=older, ref="OLD-01", lead_team=cast.team_a)
    client = client_for(cast.outsider)

    chosen = get(client, f"?plan={older.pk}")
    every = get(client, "?plan=all")

    assert refs(chosen) == ["OLD-01"]
    assert 'nhsuk-u-visually-hidden">Objectives in plan 2023/24</caption>' in html(chosen)
    assert refs(every) == ["DIG-01", "OPS-01", "OLD-01"]  # by plan, then ref
    assert 'nhsuk-u-visually-hidden">Objectives in all plans</caption>' in html(every)


def test_the_directorate_filter_finds_objectives_any_of_its_teams_lead_or_contribute_to(
    cast, client_for
):
    ObjectiveFactory(
        plan=cast.plan, ref="OPS-02", lead_team=cast.team_b, contributors=[cast.team_a]
    )

    response = get(client_for(cast.outsider), f"?directorate={cast.directorate_a.pk}")

    assert refs(response) == ["DIG-01", "OPS-02"]


def test_the_team_filter_finds_objectives_the_team_leads_or_contributes_to(cast, client_for):
    ObjectiveFactory(
        plan=cast.plan, ref="OPS-02", lead_team=cast.team_b, contributors=[cast.team_a]
    )
    ObjectiveFactory(plan=cast.plan, ref="OPS-03", lead_team=cast.team_b)

    response = get(client_for(cast.outsider), f"?team={cast.team_a.pk}")

    assert refs(response) == ["DIG-01", "OPS-02"]


def test_the_rating_filter_reads_the_worst_of_the_teams_views(cast, client_for):
    shared = ObjectiveFactory(
        plan=cast.plan, ref="DIG-02", lead_team=cast.team_a, contributors=[cast.team_b]
    )
    add_update(shared, cast.team_a, 1, "green")
    add_update(shared, cast.team_b, 1, "amber")
    add_update(cast.objective_b, cast.team_b, 1, "green")
    client = client_for(cast.outsider)

    assert refs(get(client, "?rating=amber")) == ["DIG-02"]
    assert refs(get(client, "?rating=green")) == ["OPS-01"]
    assert refs(get(client, "?rating=not_reported")) == ["DIG-01"]


def test_amber_red_or_worse_finds_amber_red_and_red(cast, client_for):
    for ref, rating in [("A-1", "amber"), ("A-2", "amber_red"), ("A-3", "red"), ("A-4", "green")]:
        objective = ObjectiveFactory(plan=cast.plan, ref=ref, lead_team=cast.team_a)
        add_update(objective, cast.team_a, 1, rating)

    response = get(client_for(cast.outsider), "?rating=amber_red_or_worse")

    assert refs(response) == ["A-2", "A-3"]


def test_shared_only_leaves_out_single_team_objectives(cast, client_for):
    ObjectiveFactory(
        plan=cast.plan, ref="OPS-02", lead_team=cast.team_b, contributors=[cast.team_a]
    )

    response = get(client_for(cast.outsider), "?shared=on")

    assert refs(response) == ["OPS-02"]
    assert 'name="shared" type="checkbox" value="on" checked' in html(response)


def test_the_state_filter(cast, client_for):
    ObjectiveFactory(plan=cast.plan, ref="OPS-02", lead_team=cast.team_b, state=State.PAUSED)

    assert refs(get(client_for(cast.outsider), "?state=paused")) == ["OPS-02"]


def test_search_looks_in_ref_title_and_description_for_every_word(cast, client_for):
    ObjectiveFactory(plan=cast.plan, ref="MAT-01", title="Maternity notes", lead_team=cast.team_a)
    ObjectiveFactory(
        plan=cast.plan,
        ref="MAT-02",
        title="Something else",
        description="Digital maternity records",
        lead_team=cast.team_a,
    )
    client = client_for(cast.outsider)

    assert refs(get(client, "?q=maternity")) == ["MAT-01", "MAT-02"]
    assert refs(get(client, "?q=maternity+digital")) == ["MAT-02"]
    assert refs(get(client, "?q=ops-0")) == ["OPS-01"]


def test_filters_combine(cast, client_for):
    shared = ObjectiveFactory(
        plan=cast.plan, ref="OPS-02", lead_team=cast.team_b, contributors=[cast.team_a]
    )
    add_update(shared, cast.team_a, 1, "red")
    single = ObjectiveFactory(plan=cast.plan, ref="OPS-03", lead_team=cast.team_b)
    add_update(single, cast.team_b, 1, "red")

    response = get(client_for(cast.director_a), "?shared=on&rating=amber_red_or_worse")

    assert refs(response) == ["OPS-02"]


def test_the_team_select_groups_teams_by_directorate_and_keeps_the_choice(cast, client_for):
    page = html(get(client_for(cast.outsider), f"?team={cast.team_b.pk}"))

    assert (
        '<option value="">All teams</option>'
        f'<optgroup label="Digital"><option value="{cast.team_a.pk}">NHS 111 online</option>'
        "</optgroup>"
        f'<optgroup label="Operations"><option value="{cast.team_b.pk}" selected>Ambulance flow'
        "</option></optgroup>"
    ) in page


# --- Bad input ----------------------------------------------------------------------------------


def test_unknown_filter_values_are_shown_as_errors_and_ignored(cast, client_for):
    response = get(client_for(cast.outsider), "?team=999999&rating=purple&state=x&plan=abc")

    page = html(response)
    assert response.status_code == 200
    assert refs(response) == ["DIG-01", "OPS-01"]
    assert "Some filters could not be used" in page
    assert (
        '<li><a href="#id_team">Choose a team from the list; &#x27;999999&#x27; is not one of '
        "them.</a></li>"
    ) in page
    assert (
        '<span class="nhsuk-error-message" id="rating-error"><span class="nhsuk-u-visually-hidden">'
        "Error:</span> Choose a rating from the list; &#x27;purple&#x27; is not one of them.</span>"
    ) in page
    assert "Choose a state from the list; &#x27;x&#x27; is not one of them." in page
    assert "Choose a plan from the list; &#x27;abc&#x27; is not one of them." in page


def test_a_search_that_is_too_long_is_refused_with_its_length(cast, client_for):
    response = get(client_for(cast.outsider), "?q=" + "x" * 201)

    assert "Search for at most 200 characters (you typed 201)." in html(response)
    assert refs(response) == ["DIG-01", "OPS-01"]


def test_an_unknown_sort_column_falls_back_to_ref_order(cast, client_for):
    assert refs(get(client_for(cast.outsider), "?sort=password")) == ["DIG-01", "OPS-01"]


# --- Sorting and paging -------------------------------------------------------------------------


def test_sorting_by_rating_puts_the_worst_first_when_descending(cast, client_for):
    for ref, rating in [("A-1", "amber"), ("A-2", "red"), ("A-3", "green")]:
        objective = ObjectiveFactory(plan=cast.plan, ref=ref, lead_team=cast.team_a)
        add_update(objective, cast.team_a, 1, rating)
    client = client_for(cast.outsider)

    response = get(client, "?sort=-worst_rating")

    assert refs(response) == ["A-2", "A-1", "A-3", "DIG-01", "OPS-01"]
    assert 'aria-sort="descending"' in html(response)
    assert refs(get(client, "?sort=worst_rating")) == ["DIG-01", "OPS-01", "A-3", "A-1", "A-2"]


def test_sorting_by_state_follows_the_lifecycle(cast, client_for):
    ObjectiveFactory(plan=cast.plan, ref="A-1", lead_team=cast.team_a, state=State.CLOSED)
    ObjectiveFactory(plan=cast.plan, ref="A-2", lead_team=cast.team_a, state=State.IN_PROGRESS)

    response = get(client_for(cast.outsider), "?sort=state")

    assert refs(response) == ["DIG-01", "OPS-01", "A-2", "A-1"]


def test_sort_links_keep_the_filters_and_go_back_to_the_first_page(cast, client_for):
    page = html(get(client_for(cast.outsider), "?shared=on&page=2&sort=ref"))

    assert (
        '<a href="?shared=on&amp;sort=-ref" hx-get="?shared=on&amp;sort=-ref">Ref<span '
        'class="nhsuk-u-visually-hidden"> (sorted ascending; select to sort descending)</span></a>'
    ) in page


def test_fifty_rows_a_page_and_a_link_to_the_next(cast, client_for):
    for n in range(53):
        ObjectiveFactory(plan=cast.plan, ref=f"BULK-{n:02d}", lead_team=cast.team_a)
    client = client_for(cast.outsider)

    first = get(client)
    second = get(client, "?page=2")

    assert len(refs(first)) == 50
    assert '<a class="nhsuk-pagination__link nhsuk-pagination__link--next" href="?page=2"' in html(
        first
    )
    assert refs(second) == ["BULK-50", "BULK-51", "BULK-52", "DIG-01", "OPS-01"]
    assert "Showing 51 to 55 of 55 objectives" in html(second)


def test_a_page_past_the_end_shows_the_last_page(cast, client_for):
    for n in range(53):
        ObjectiveFactory(plan=cast.plan, ref=f"BULK-{n:02d}", lead_team=cast.team_a)
    client = client_for(cast.outsider)

    assert refs(get(client, "?page=99")) == ["BULK-50", "BULK-51", "BULK-52", "DIG-01", "OPS-01"]
    assert refs(get(client, "?page=nonsense"))[:2] == ["BULK-00", "BULK-01"]
    assert refs(get(client, "?page=-3"))[:2] == ["BULK-00", "BULK-01"]


# --- htmx ---------------------------------------------------------------------------------------


def test_with_htmx_only_the_results_are_sent_and_responses_vary_on_hx_request(cast, client_for):
    client = client_for(cast.outsider)

    full = get(client, "?shared=on")
    partial = get(client, "?sort=-ref", **{"HX-Request": "true"})

    assert "<html" in html(full)
    assert "HX-Request" in vary(full)
    assert html(partial).startswith('\n<div id="objective-results"')
    assert "<html" not in html(partial)
    assert "HX-Request" in vary(partial)
    assert refs(partial) == ["OPS-01", "DIG-01"]


def test_the_partial_updates_the_forms_sort_and_the_announced_count(cast, client_for):
    partial = html(get(client_for(cast.outsider), "?sort=-ref", **{"HX-Request": "true"}))

    assert (
        '<input type="hidden" id="filter-sort" name="sort" value="-ref" hx-swap-oob="true">'
    ) in partial
    assert '<p id="results-status" hx-swap-oob="innerHTML">Showing 1 to 2 of 2 objectives' in (
        partial
    )


def test_a_history_restore_gets_the_whole_page(cast, client_for):
    response = get(
        client_for(cast.outsider),
        "?shared=on",
        **{"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in html(response)


def test_the_filter_form_works_without_javascript_and_swaps_the_table_with_it(cast, client_for):
    page = html(get(client_for(cast.outsider)))

    assert '<form method="get" action="/objectives/" class="app-filters"' in page
    assert 'hx-get="/objectives/" hx-target="#objective-results"' in page
    assert 'hx-push-url="true"' in page
    assert '<button class="nhsuk-button nhsuk-button--secondary' in page


# --- Permissions and query counts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["lead_a", "member_a", "director_a", "director_elsewhere", "org_director", "admin", "outsider"],
)
def test_every_signed_in_person_sees_every_objective(cast, client_for, name):
    response = get(client_for(cast.users()[name]))

    assert response.status_code == 200
    assert refs(response) == ["DIG-01", "OPS-01"]


def test_signing_in_is_required(cast, client):
    response = get(client, "?shared=on")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/objectives/%3Fshared%3Don"


def _many_objectives(cast, count):
    directorate = DirectorateFactory()
    for n in range(count):
        teams = [TeamFactory(directorate=directorate) for _ in range(n % 3)]
        objective = ObjectiveFactory(
            plan=cast.plan, ref=f"Q-{n:02d}", lead_team=cast.team_a, contributors=teams
        )
        add_update(objective, cast.team_a, 1, "amber")


@pytest.mark.parametrize("count", [1, 30])
def test_the_page_loads_in_six_queries_however_many_rows(cast, django_assert_num_queries, count):
    """The page's own queries: plans, teams, count, rows, their teams' views, and the directorships
    the layout asks about. Signing in costs every request the same few queries on top (session
    and user), counted in the next test."""
    _many_objectives(cast, count)
    user = UserFactory(username="fresh")  # no permission answers cached yet
    request = RequestFactory().get(LIST, {"rating": "amber", "sort": "-worst_rating"})
    request.user = user
    request.htmx = HtmxDetails(request)

    with django_assert_num_queries(6):
        response = objective_list(request)

    assert len(refs(response)) == count


@pytest.mark.parametrize("count", [1, 30])
def test_a_whole_request_runs_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries, count
):
    _many_objectives(cast, count)
    client = client_for(cast.director_a)

    with django_assert_max_num_queries(11):  # 6 for the page, 5 for the session and the user
        get(client)
    with django_assert_max_num_queries(11):
        get(client, "?team=1", **{"HX-Request": "true"})


def test_the_nav_marks_the_list_as_the_current_page(cast, client_for):
    page = html(get(client_for(cast.outsider)))

    assert f'href="{reverse("objectives:list")}" aria-current="page">Objectives</a>' in page
