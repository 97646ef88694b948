"""The objective detail page: every section, marking milestones done, permissions, query counts."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from objectives.models import (
    Actor,
    ActorKind,
    Dependency,
    Milestone,
    ObjectiveRevision,
    Period,
    Priority,
    State,
)
from objectives.views.browse import objective_detail
from tests.factories import (
    MeasureFactory,
    MilestoneFactory,
    ObjectiveFactory,
    ReadingFactory,
    TeamFactory,
    UserFactory,
    add_update,
    ask_in,
)

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"objectives:detail", "objectives:milestone_done"}

TODAY = dt.date(2024, 11, 15)


@pytest.fixture(autouse=True)
def today(settings):
    settings.TODAY = TODAY


@pytest.fixture
def shared(cast):
    owner = UserFactory(username="owner", first_name="Olu", last_name="Owens")
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-02",
        title="Shared records",
        description="Records that follow the patient.",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        owner=owner,
        stakeholders="Integrated care boards (want earlier warning)",
        expected_outcome="Records in use by March 2025",
        delivery_date=dt.date(2025, 3, 31),
        priority=Priority.HIGH,
        state=State.IN_PROGRESS,
        theme="Urgent care",
        impact_enhance="Continuity of care",
        impact_mutate="A national record",
    )
    Actor.objects.create(objective=objective, kind=ActorKind.PATIENTS, description="Patient panel")
    return objective


def page(client, objective) -> str:
    response = client.get(reverse("objectives:detail", args=[objective.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


def squash(html: str) -> str:
    """Whitespace between tags and runs of spaces collapsed, so assertions read like the page;
    without what only changes how it is laid out or read aloud: the column names a phone shows in
    each cell, <bdi> around user text and ARIA table roles."""
    html = re.sub(r'<span class="app-stack__heading" aria-hidden="true">[^<]*</span>', "", html)
    html = re.sub(r' role="(table|rowgroup|row|columnheader|rowheader|cell)"', "", html)
    html = html.replace("<bdi>", "").replace("</bdi>", "")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


# --- Overview -----------------------------------------------------------------------------------


def test_the_overview_shows_teams_commitments_people_and_the_impact_reflection(
    cast, client_for, shared
):
    overview = squash(section(page(client_for(cast.outsider), shared), "overview"))

    assert '<p class="app-prewrap">Records that follow the patient.</p>' in overview
    for key, value in [
        ("Lead team", 'NHS 111 online <span class="app-muted">(Digital)</span>'),
        ("Owner", "Olu Owens"),
        ("Delivery date", "31 March 2025"),
        ("State", "In progress"),
        ("Priority", "High"),
        ("Theme", "Urgent care"),
    ]:
        assert (
            f'<dt class="nhsuk-summary-list__key">{key}</dt>'
            f'<dd class="nhsuk-summary-list__value">{value}</dd>'
        ) in overview
    assert "Integrated care boards (want earlier warning)</dd>" in overview
    assert "Records in use by March 2025</dd>" in overview
    assert (
        '<td class="nhsuk-table__cell">Ambulance flow</td>'
        '<td class="nhsuk-table__cell">Contributing team</td>'
        '<td class="nhsuk-table__cell app-prewrap">Ambulance flow commitment</td>'
    ) in overview
    assert "<li><strong>Patients and public</strong>: Patient panel</li>" in overview
    assert (
        '<dt class="nhsuk-summary-list__key">What will be enhanced?</dt>'
        '<dd class="nhsuk-summary-list__value app-prewrap">Continuity of care</dd>'
    ) in overview
    assert (
        '<dt class="nhsuk-summary-list__key">What will be restored?</dt>'
        '<dd class="nhsuk-summary-list__value app-prewrap"><span class="app-muted">Not answered '
        "yet</span></dd>"
    ) in overview


def test_a_missing_objective_is_404(cast, client_for):
    response = client_for(cast.outsider).get(reverse("objectives:detail", args=[999999]))

    assert response.status_code == 404


# --- Current views and history ------------------------------------------------------------------


def test_each_teams_current_view_is_shown_side_by_side(cast, client_for, shared):
    author = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    add_update(shared, cast.team_a, 6, "amber", author=author, text="Steady progress")

    views = squash(section(page(client_for(cast.outsider), shared), "views"))

    assert (
        '<h3 class="nhsuk-card__heading nhsuk-heading-s">NHS 111 online <span class="app-muted">'
        "(lead team)</span></h3>"
        '<p><strong class="app-rating rating--amber">Amber</strong></p>'
        '<p class="nhsuk-body-s"><span class="app-due">Not yet reported for November 2024</span>'
        '</p><p class="app-muted nhsuk-body-s">For September 2024, by Priya Shah on 30 September '
        "2024</p>"
    ) in views
    assert '<p class="app-prewrap nhsuk-body-s">Steady progress</p>' in views
    assert (
        '<p><strong class="app-rating rating--none">Not reported</strong></p>'
        '<p class="app-muted nhsuk-body-s">Ambulance flow has not reported on this objective yet.'
    ) in views


def grid_cells(html: str) -> dict[str, list[str]]:
    """Each team's row of the rating grid: a word per month, April first."""
    grid = squash(section(html, "ratings"))
    rows = re.findall(r'<th scope="row" class="app-grid__team">(.*?)</th>(.*?)</tr>', grid)
    return {
        re.sub(r"<[^>]+>", "", team): [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(
                r'<span class="app-grid__cell-month"[^>]*>\w+</span>(.*?)</td>', cells
            )
        ]
        for team, cells in rows
    }


def test_the_rating_grid_shows_each_teams_months_and_what_is_not_reported(cast, client_for, shared):
    for month, rating in [(1, "green"), (2, "green"), (3, "amber"), (7, "amber_red")]:
        add_update(shared, cast.team_a, month, rating)
    add_update(shared, cast.team_a, 3, "red", when=at(2024, 7, 2))  # June, corrected
    add_update(shared, cast.team_a, 8, "red")  # November, today's month
    add_update(shared, cast.team_b, 7, "green")  # October: not yet November

    html = page(client_for(cast.outsider), shared)

    to_come = ["To come"] * 4
    assert grid_cells(html) == {
        "NHS 111 online (lead)": [
            *["Green", "Green", "Red", "Not reported", "Not reported", "Not reported"],
            *["Amber/Red", "Red", *to_come],
        ],
        "Ambulance flow": [*["Not reported"] * 6, "Green", "Not yet reported", *to_come],
    }
    assert "<p>Not yet reported for November 2024: Ambulance flow.</p>" in squash(
        section(html, "ratings")
    )


def test_the_rating_grid_cells_carry_their_rating_colour(cast, client_for, shared):
    add_update(shared, cast.team_a, 1, "amber_green")

    grid = squash(section(page(client_for(cast.outsider), shared), "ratings"))

    assert (
        '<td class="app-grid__cell app-grid__cell--reported rating--amber_green">'
        '<span class="app-grid__cell-month" aria-hidden="true">Apr</span> Amber/<wbr>Green</td>'
    ) in grid
    assert (
        '<td class="app-grid__cell app-grid__cell--due app-grid__cell--current">'
        '<span class="app-grid__cell-month" aria-hidden="true">Nov</span> Not yet reported</td>'
    ) in grid


def update_links(html: str) -> list[str]:
    return re.findall(r'href="/objectives/\d+/teams/(\d+)/update/"', html)


@pytest.mark.parametrize(
    ("name", "teams"),
    [
        ("lead_a", ["a"]),
        ("lead_b", ["b"]),
        ("member_a", []),
        ("director_a", ["a"]),
        ("org_director", ["a", "b"]),
        ("admin", ["a", "b"]),
        ("outsider", []),
    ],
)
def test_the_update_link_shows_only_for_teams_the_user_may_update(
    cast, client_for, shared, name, teams
):
    html = page(client_for(cast.users()[name]), shared)

    team_ids = {"a": str(cast.team_a.pk), "b": str(cast.team_b.pk)}
    assert update_links(html) == [team_ids[team] for team in teams]


def test_the_history_shows_rating_changes_corrections_and_lock_overrides(cast, client_for, shared):
    Period.objects.filter(plan=cast.plan, month__lte=2).update(locked=True)
    priya = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    first = add_update(shared, cast.team_a, 1, "amber", author=priya, when=at(2024, 4, 30))
    june = add_update(shared, cast.team_a, 3, "amber_red", text="Late", when=at(2024, 6, 30))
    correction = add_update(shared, cast.team_a, 1, "amber_green", when=at(2024, 7, 5))

    history = squash(section(page(client_for(cast.outsider), shared), "history"))

    items = re.findall(r'<li class="app-timeline__item" id="update-(\d+)">', history)
    assert items == [str(correction.pk), str(june.pk), str(first.pk)]
    assert (
        "NHS 111 online, June 2024: "
        '<strong class="app-rating rating--amber">Amber</strong>'
        '<span aria-hidden="true">→</span><span class="nhsuk-u-visually-hidden"> changed to</span>'
        '<strong class="app-rating rating--amber_red">Amber/Red</strong></h3>'
    ) in history
    assert "<strong>Not going well:</strong> Late" in history
    assert (
        "NHS 111 online, April 2024: "
        '<strong class="app-rating rating--amber">Amber</strong>'
        '<span aria-hidden="true">→</span><span class="nhsuk-u-visually-hidden"> changed to</span>'
        '<strong class="app-rating rating--amber_green">Amber/Green</strong></h3>'
    ) in history
    assert (
        '<span class="nhsuk-tag nhsuk-tag--yellow app-timeline__tag">Correction</span> corrects '
        "the April 2024 update made on 30 April 2024 by Priya Shah, which said "
        '<strong class="app-rating rating--amber">Amber</strong>'
    ) in history
    assert history.count("Lock override</span> made after April 2024 was locked") == 2
    assert history.count("Correction</span>") == 1


def at(year, month, day):
    return timezone.make_aware(dt.datetime(year, month, day, 12, 0))


def test_the_history_is_folded_per_team_and_newest_first(cast, client_for, shared):
    april = add_update(shared, cast.team_a, 1, "green")
    may = add_update(shared, cast.team_b, 2, "amber")
    june = add_update(shared, cast.team_a, 3, "amber")

    history = squash(section(page(client_for(cast.outsider), shared), "history"))

    folds = re.findall(
        r'<details class="nhsuk-details app-history" id="history-team-(\d+)">', history
    )
    summaries = re.findall(r'<span class="nhsuk-details__summary-text">([^<]+)</span>', history)
    assert folds == [str(cast.team_a.pk), str(cast.team_b.pk)]
    assert summaries == [
        "NHS 111 online (lead team): 2 updates",
        "Ambulance flow (contributing team): 1 update",
    ]
    assert re.findall(r'id="update-(\d+)"', history) == [str(june.pk), str(april.pk), str(may.pk)]


def test_a_teams_history_is_paged_twelve_updates_at_a_time(cast, client_for, shared):
    updates = [add_update(shared, cast.team_a, month, "amber") for month in range(1, 9)]
    updates += [
        add_update(shared, cast.team_a, month, "green", when=at(2024, 12, month))
        for month in range(1, 7)
    ]  # six corrections: fourteen updates in all, the corrections newest
    client = client_for(cast.outsider)
    url = reverse("objectives:detail", args=[shared.pk])

    first = squash(section(page(client, shared), "history"))
    second_page = client.get(f"{url}?history={cast.team_a.pk}&page=2").content.decode()
    second = squash(section(second_page, "history"))

    newest_first = [str(update.pk) for update in reversed(updates)]
    assert re.findall(r'id="update-(\d+)"', first) == newest_first[:12]
    assert (
        f'<a href="?history={cast.team_a.pk}&amp;page=2#history-team-{cast.team_a.pk}">'
        "Older updates"
    ) in first
    assert re.findall(r'id="update-(\d+)"', second) == newest_first[12:]
    assert "Newest first: updates 13 to 14 of 14." in second
    assert f'id="history-team-{cast.team_a.pk}" open>' in second
    assert "Older updates" not in second


def test_the_history_shows_what_a_team_asked_of_another(cast, client_for, shared):
    update = add_update(shared, cast.team_a, 1, "amber")
    ask_in(update, cast.team_b, "Share handover data <weekly>")

    history = squash(section(page(client_for(cast.outsider), shared), "history"))

    assert "<strong>Asks Ambulance flow:</strong> Share handover data &lt;weekly&gt;</p>" in history


# --- Milestones ---------------------------------------------------------------------------------


def test_overdue_milestones_are_marked_using_todays_date(cast, client_for, shared):
    MilestoneFactory(objective=shared, title="Beta", due_date=dt.date(2024, 11, 14))
    MilestoneFactory(objective=shared, title="Live", due_date=dt.date(2024, 11, 15))
    MilestoneFactory(
        objective=shared,
        title="Discovery",
        due_date=dt.date(2024, 6, 30),
        done_date=dt.date(2024, 6, 27),
    )

    milestones = squash(section(page(client_for(cast.outsider), shared), "milestones"))

    statuses = re.findall(
        r'<td class="nhsuk-table__cell">([^<]+)</td><td class="nhsuk-table__cell">[^<]*</td>'
        r'<td class="nhsuk-table__cell app-nowrap">[^<]+</td><td class="nhsuk-table__cell"> ?'
        r'(<strong class="nhsuk-tag[^"]*">[^<]+</strong>)',
        milestones,
    )
    assert statuses == [
        ("Discovery", '<strong class="nhsuk-tag nhsuk-tag--green">Done</strong>'),
        ("Beta", '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>'),
        ("Live", '<strong class="nhsuk-tag nhsuk-tag--grey">Not done</strong>'),
    ]


def test_the_mark_done_button_shows_for_whoever_may_mark_the_milestone(cast, client_for, shared):
    milestone = MilestoneFactory(objective=shared, team=cast.team_b)
    button = f'action="/milestones/{milestone.pk}/done/"'

    shown = {
        name
        for name, user in cast.users().items()
        if user.is_authenticated and button in page(client_for(user), shared)
    }

    assert shown == {
        "lead_a",
        "lead_b",
        "director_a",
        "director_elsewhere",
        "org_director",
        "admin",
    }


def done_url(milestone):
    return reverse("objectives:milestone_done", args=[milestone.pk])


def test_marking_done_with_htmx_swaps_the_row(cast, client_for, shared):
    milestone = MilestoneFactory(objective=shared, title="Beta", due_date=dt.date(2024, 9, 30))

    response = client_for(cast.lead_a).post(done_url(milestone), headers={"HX-Request": "true"})

    milestone.refresh_from_db()
    assert milestone.done_date == TODAY
    html = squash(response.content.decode())
    assert html.startswith(f'<tr class="nhsuk-table__row" id="milestone-{milestone.pk}">')
    assert (
        '<td class="nhsuk-table__cell" data-autofocus><strong class="nhsuk-tag nhsuk-tag--green">'
        'Done</strong><span class="app-nowrap">15 Nov 2024</span></td>'
    ) in html
    assert "Mark done" not in html
    assert "HX-Request" in response["Vary"]


def test_marking_done_without_javascript_redirects_back_with_a_message(cast, client_for, shared):
    milestone = MilestoneFactory(objective=shared, title="Beta")
    client = client_for(cast.member_a)

    response = client.post(done_url(milestone))

    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{shared.pk}/#milestones"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Marked “Beta” done."]
    assert Milestone.objects.get(pk=milestone.pk).done_date == TODAY


def test_marking_a_done_milestone_again_keeps_its_date(cast, client_for, shared):
    milestone = MilestoneFactory(objective=shared, title="Beta", done_date=dt.date(2024, 9, 1))

    response = client_for(cast.lead_a).post(done_url(milestone))

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["“Beta” was already done."]
    assert Milestone.objects.get(pk=milestone.pk).done_date == dt.date(2024, 9, 1)


@pytest.mark.parametrize("name", ["lead_b", "director_elsewhere", "outsider"])
def test_people_outside_the_responsible_team_cannot_mark_it_done(cast, client_for, name):
    milestone = MilestoneFactory(objective=cast.objective_a, team=cast.team_a)

    response = client_for(cast.users()[name]).post(done_url(milestone))

    assert response.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).done_date is None


def test_marking_done_needs_sign_in_a_post_and_a_real_milestone(cast, client, client_for):
    milestone = MilestoneFactory(objective=cast.objective_a)

    anonymous = client.post(done_url(milestone))
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next=/milestones/{milestone.pk}/done/"
    signed_in = client_for(cast.lead_a)
    assert signed_in.get(done_url(milestone)).status_code == 405
    assert signed_in.post(reverse("objectives:milestone_done", args=[999999])).status_code == 404
    assert Milestone.objects.get(pk=milestone.pk).done_date is None


# --- Measures, dependencies, revisions, edit link -----------------------------------------------


def test_measures_are_shown_with_their_readings(cast, client_for, shared):
    measure = MeasureFactory(objective=shared, name="Calls answered in 60 seconds")
    ReadingFactory(measure=measure, date=dt.date(2024, 9, 30), value=61.5)

    measures = section(page(client_for(cast.outsider), shared), "measures")

    assert "Calls answered in 60 seconds" in measures
    assert "61.5" in measures


def test_dependencies_are_shown_both_ways_with_links(cast, client_for, shared):
    Dependency.objects.create(objective=shared, depends_on=cast.objective_b, need="Waiting lists")
    Dependency.objects.create(objective=cast.objective_a, depends_on=shared, need="Records")

    dependencies = squash(section(page(client_for(cast.outsider), shared), "dependencies"))

    needs, needed_by = dependencies.split("<h3>What needs this</h3>")
    assert f'<a href="/objectives/{cast.objective_b.pk}/">OPS-01 ' in needs
    assert "Needs: Waiting lists" in needs
    assert f'<a href="/objectives/{cast.objective_a.pk}/">DIG-01 ' in needed_by
    assert "Needs: Records" in needed_by


def test_revisions_show_each_change_with_before_after_and_who(cast, client_for, shared):
    editor = UserFactory(username="editor", first_name="Eddie", last_name="Tor")
    ObjectiveRevision.objects.create(
        objective=shared,
        user=editor,
        changes={"state": ["Not started", "In progress"], "theme": ["", "Urgent care"]},
    )

    revisions = squash(section(page(client_for(cast.outsider), shared), "revisions"))

    assert "Eddie Tor, " in revisions
    assert (
        '<th scope="row" class="nhsuk-table__header app-revision__field">State</th>'
        '<td class="nhsuk-table__cell app-prewrap">Not started</td>'
        '<td class="nhsuk-table__cell app-prewrap">In progress</td>'
    ) in revisions
    assert (
        '<th scope="row" class="nhsuk-table__header app-revision__field">Theme (optional)</th>'
        '<td class="nhsuk-table__cell app-prewrap"><span class="app-muted">(empty)</span></td>'
        '<td class="nhsuk-table__cell app-prewrap">Urgent care</td>'
    ) in revisions


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("lead_a", True),
        ("member_a", False),
        ("lead_b", False),
        ("director_a", True),
        ("director_elsewhere", True),  # oversees Ambulance flow, a contributing team
        ("org_director", True),
        ("admin", True),
        ("outsider", False),
    ],
)
def test_the_edit_link_shows_for_people_who_may_edit(cast, client_for, shared, name, shown):
    html = page(client_for(cast.users()[name]), shared)

    assert (f'href="/objectives/{shared.pk}/edit/"' in html) is shown


# --- Query counts -------------------------------------------------------------------------------


def _busy_objective(cast, related):
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="BUSY-01",
        lead_team=cast.team_a,
        contributors=[TeamFactory() for _ in range(related % 4)] + [cast.team_b],
    )
    for n in range(related):
        other = ObjectiveFactory(plan=cast.plan, ref=f"OTHER-{n:02d}", lead_team=cast.team_b)
        Dependency.objects.create(objective=other, depends_on=objective, need="Data")
        MilestoneFactory(objective=objective, team=cast.team_b if n % 2 else cast.team_a)
        Actor.objects.create(objective=objective, kind=ActorKind.OTHER, description=f"Actor {n}")
        ObjectiveRevision.objects.create(objective=objective, changes={"theme": ["", str(n)]})
    for month in range(1, min(related, 7) + 1):
        update = add_update(objective, cast.team_a, month, "amber")
        add_update(objective, cast.team_b, month, "green")
        ask_in(update, cast.team_b, "Help")
    measure = MeasureFactory(objective=objective)
    for n in range(related):
        ReadingFactory(measure=measure, value=50 + n % 5)
    return objective


# Each user's queries, the same however much the objective holds: the page's ten, and what
# permissions.py asks to know who they are (their teams and directorates; for an admin, less).
QUERIES = {"director_a": 12, "lead_a": 12, "outsider": 12, "admin": 11}


@pytest.mark.parametrize("related", [1, 30])
@pytest.mark.parametrize("name", ["director_a", "lead_a", "outsider", "admin"])
def test_the_page_loads_in_twelve_queries_at_most_however_much_it_shows(
    cast, django_assert_num_queries, related, name
):
    """The page's own queries, for a user not seen before (no permission answers cached). Signing
    in costs every request the same few queries on top (session and user)."""
    objective = _busy_objective(cast, related)
    request = RequestFactory().get(f"/objectives/{objective.pk}/")
    request.user = type(cast.users()[name]).objects.get(pk=cast.users()[name].pk)
    request.htmx = HtmxDetails(request)

    with django_assert_num_queries(QUERIES[name]):
        response = objective_detail(request, pk=objective.pk)

    assert response.status_code == 200


def test_a_whole_request_runs_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    objective = _busy_objective(cast, 30)
    client = client_for(cast.director_a)

    with django_assert_max_num_queries(17):  # 12 for the page, 5 for the session and the user
        page(client, objective)


def test_a_new_objective_with_nothing_recorded_yet_reads_well(cast, client_for):
    html = squash(page(client_for(cast.outsider), cast.objective_a))

    assert "No team has reported on this objective yet." in html
    assert "No milestones yet." in html
    assert "This objective depends on no other." in html
    assert "No other objective depends on this one." in html
    assert "No edits since the objective was created." in html
