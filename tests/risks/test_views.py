"""The directors' dashboard, acknowledging, the CSV export, and findings on the objective page
and My work: all read the stored findings."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from risks import services
from risks.models import Concern, DashboardVisit, Finding, FlagAcknowledgement, ObjectiveConcern
from tests.factories import ObjectiveFactory, TeamFactory, add_update

pytestmark = pytest.mark.django_db
DASHBOARD = "/risks/"
PERMISSION_COVERED_URLS = {
    "risks:dashboard",
    "risks:export",
    "risks:acknowledge",
    "risks:objective_flags",
    "risks:my_work_flags",
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2024, 11, 15, 12, 0), tick=False):
        yield


@pytest.fixture
def world(cast):
    """DIG-01 (Digital, team A) Red for two months: in danger. OPS-01 (Operations, team B)
    Amber/Red: watch. SHR-01 shared by both, each Green: fine."""
    cast.objective_a.owner = cast.lead_a
    cast.objective_a.save()
    cast.objective_b.owner = cast.lead_b
    cast.objective_b.save()
    add_update(cast.objective_a, cast.team_a, 6, "red")
    add_update(cast.objective_a, cast.team_a, 7, "red")
    add_update(cast.objective_b, cast.team_b, 7, "amber_red")
    shared = ObjectiveFactory(
        plan=cast.plan, ref="SHR-01", lead_team=cast.team_a, contributors=[cast.team_b]
    )
    shared.owner = cast.lead_a
    shared.save()
    add_update(shared, cast.team_a, 7, "green")
    add_update(shared, cast.team_b, 7, "green")
    cast.shared = shared
    services.refresh_plan(cast.plan, now=timezone.make_aware(dt.datetime(2024, 11, 2, 9)))
    return cast


def refs(response):
    return [row.record.objective.ref for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("lead_a", 403),
        ("member_a", 403),
        ("director_a", 200),
        ("org_director", 200),
        ("admin", 200),
    ],
)
def test_only_directors_and_admins_see_the_dashboard(world, client_for, who, status):
    response = client_for(world.users()[who]).get(DASHBOARD)
    assert response.status_code == status


def test_the_dashboard_lists_in_danger_before_watch_with_the_reason(world, client_for):
    response = client_for(world.org_director).get(DASHBOARD)

    assert refs(response) == ["DIG-01", "OPS-01"]
    html = response.content.decode()
    assert "NHS 111 online says Red for October 2024 (31 October 2024), Red for 2 months" in html
    summary = response.context["summary"]
    assert (summary.in_danger, summary.watch, summary.total) == (1, 1, 3)


def test_a_director_sees_only_objectives_involving_their_directorates(world, client_for):
    response = client_for(world.director_a).get(DASHBOARD)
    assert refs(response) == ["DIG-01"]
    assert [row.directorate for row in response.context["heatmap"]] == ["Digital"]


def test_a_shared_objective_shows_to_the_directors_of_every_team_involved(world, client_for):
    add_update(world.shared, world.team_b, 7, "red")
    services.refresh([world.shared.pk])

    assert "SHR-01" in refs(client_for(world.director_a).get(DASHBOARD))
    assert "SHR-01" in refs(client_for(world.director_elsewhere).get(DASHBOARD))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("concern=2", ["DIG-01"]),
        ("concern=1", ["OPS-01"]),
        ("rule=low_confidence", ["DIG-01", "OPS-01"]),
        ("rule=silence", []),
        ("shared=true", []),
        ("acknowledged=only", []),
    ],
)
def test_filters_narrow_the_list(world, client_for, query, expected):
    response = client_for(world.org_director).get(f"{DASHBOARD}?{query}")
    assert refs(response) == expected


def test_a_director_cannot_filter_their_way_into_another_directorate(world, client_for):
    other = str(world.directorate_b.pk)
    response = client_for(world.director_a).get(f"{DASHBOARD}?directorate={other}")
    # Not one of the choices: the filter is refused and only their own objectives show.
    assert refs(response) == ["DIG-01"]
    assert "Choose one of the options" in response.content.decode()


def test_the_heatmap_counts_objectives_of_concern_by_directorate_and_links_to_them(
    world, client_for
):
    response = client_for(world.org_director).get(DASHBOARD)
    heatmap = [(r.directorate, r.in_danger, r.watch) for r in response.context["heatmap"]]
    assert heatmap == [("Digital", 1, 0), ("Operations", 0, 1)]
    assert (
        f'href="?directorate={world.directorate_a.pk}&amp;concern=2"' in response.content.decode()
    )


def test_what_changed_and_the_month_by_month_counts_come_from_the_history(world, client_for):
    # Raised on 2 November; the last month ended on 31 October.
    response = client_for(world.org_director).get(DASHBOARD)

    changes = [(c.ref, c.words) for c in response.context["history"].changes]
    assert changes == [("OPS-01", "now watch"), ("DIG-01", "now in danger")]
    months = response.context["history"].months
    assert [(end.isoformat(), d, w) for end, d, w in months[-2:]] == [
        ("2024-10-31", 0, 0),
        ("2024-11-15", 1, 1),
    ]
    assert 'role="img"' in response.content.decode()


def test_what_changed_since_the_directors_previous_visit(world, client_for):
    client = client_for(world.org_director)
    client.get(DASHBOARD)
    with time_machine.travel(dt.datetime(2024, 11, 15, 15, 0), tick=False):
        add_update(world.shared, world.team_b, 7, "red")
        services.refresh([world.shared.pk])
        response = client.get(f"{DASHBOARD}?since=visit")

    assert response.context["since_visit"] is True
    assert [(c.ref, c.words) for c in response.context["history"].changes] == [
        ("SHR-01", "now watch")
    ]
    visit = DashboardVisit.objects.get(user=world.org_director)
    assert visit.previous_at == timezone.make_aware(dt.datetime(2024, 11, 15, 12, 0))
    assert visit.last_at == timezone.make_aware(dt.datetime(2024, 11, 15, 15, 0))


def test_filters_swap_only_the_results_with_htmx(world, client_for):
    response = client_for(world.org_director).get(
        f"{DASHBOARD}?concern=1", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.startswith('\n<div id="risk-results"')
    assert "<h1>" not in html
    assert response["Vary"] == "HX-Request, Cookie"


@pytest.mark.parametrize("objectives", [1, 3])
def test_the_dashboard_makes_seven_queries_of_its_own_however_many_rows(
    world, client_for, objectives
):
    for n in range(objectives):
        extra = ObjectiveFactory(plan=world.plan, ref=f"EXT-{n}", lead_team=world.team_a)
        add_update(extra, world.team_a, 7, "amber_red")
    services.refresh_plan(world.plan)
    client = client_for(world.org_director)
    client.get(DASHBOARD)  # the session, user and directorships are the same on every page

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{DASHBOARD}?rule=low_confidence")

    # Leaving out the session and the signed-in user (middleware) and the permission checks.
    skip = ("django_session", 'FROM "auth_user"', "objectives_directorship", "SAVEPOINT")
    own = [q["sql"] for q in queries.captured_queries if not any(s in q["sql"] for s in skip)]
    assert len(refs(response)) == 2 + objectives
    assert len(own) == 7, "\n\n".join(own)


def test_the_dashboard_says_so_when_there_is_no_agreed_plan(client_for, cast):
    cast.plan.status = "draft"
    cast.plan.save()
    response = client_for(cast.org_director).get(DASHBOARD)
    assert "There is no agreed business plan yet" in response.content.decode()


# --- Acknowledging ---------------------------------------------------------------------------


def ack_url(objective):
    return reverse("risks:acknowledge", args=[objective.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 403), ("lead_a", 403), ("director_elsewhere", 403)],
)
def test_only_directors_over_the_objective_may_acknowledge(world, client_for, who, status):
    finding = Finding.objects.get(objective=world.objective_a)
    response = client_for(world.users()[who]).post(
        ack_url(world.objective_a), {"finding": finding.pk, "note": "Seen"}
    )
    assert response.status_code == status
    assert FlagAcknowledgement.objects.count() == 0


def test_an_acknowledgement_drops_the_objective_below_the_unacknowledged(
    world, client_for, django_capture_on_commit_callbacks
):
    finding = Finding.objects.get(objective=world.objective_a)
    client = client_for(world.org_director)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ack_url(world.objective_a),
            {"finding": finding.pk, "note": "Recovery plan agreed 3 Nov", "next": "/risks/?a=1"},
        )

    assert response.status_code == 302
    assert response["Location"] == "/risks/?a=1"
    ack = FlagAcknowledgement.objects.get()
    assert (ack.rule, ack.subject, ack.note, ack.level) == (
        "low_confidence",
        "NHS 111 online",
        "Recovery plan agreed 3 Nov",
        Concern.IN_DANGER,
    )
    assert ObjectiveConcern.objects.get(objective=world.objective_a).acknowledged is True
    assert refs(client.get(DASHBOARD)) == ["OPS-01", "DIG-01"]


def test_with_htmx_the_results_come_back_with_the_message(
    world, client_for, django_capture_on_commit_callbacks
):
    finding = Finding.objects.get(objective=world.objective_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.org_director).post(
            ack_url(world.objective_b),
            {"finding": finding.pk, "note": "Discussed", "next": "/risks/"},
            headers={"HX-Request": "true"},
        )
    html = response.content.decode()
    assert html.startswith('\n<div id="risk-results"')
    assert "Acknowledged “Low confidence: Ambulance flow” on OPS-01." in html


def test_a_note_is_required_and_the_error_is_shown_next_to_it(world, client_for):
    finding = Finding.objects.get(objective=world.objective_b)
    client = client_for(world.org_director)

    page = client.post(ack_url(world.objective_b), {"finding": finding.pk, "note": " "})
    fragment = client.post(
        ack_url(world.objective_b),
        {"finding": finding.pk, "note": "", "next": "/risks/"},
        headers={"HX-Request": "true"},
    )

    assert "Enter a note saying what was agreed" in page.content.decode()
    assert f'id="note-{finding.pk}-error"' in fragment.content.decode()
    assert FlagAcknowledgement.objects.count() == 0


def test_a_finding_that_no_longer_holds_cannot_be_acknowledged(world, client_for):
    finding = Finding.objects.get(objective=world.objective_b)
    Finding.objects.filter(pk=finding.pk).update(resolved_at=timezone.now())
    response = client_for(world.org_director).post(
        ack_url(world.objective_b), {"finding": finding.pk, "note": "Seen"}
    )
    assert "This finding no longer holds" in response.content.decode()
    assert FlagAcknowledgement.objects.count() == 0


def test_an_unsafe_next_address_is_ignored(world, client_for):
    finding = Finding.objects.get(objective=world.objective_b)
    response = client_for(world.org_director).post(
        ack_url(world.objective_b),
        {"finding": finding.pk, "note": "Seen", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/risks/"


# --- Export, objective page, My work -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("lead_a", 403), ("outsider", 403), ("admin", 200)]
)
def test_only_directors_and_admins_export_the_list(world, client_for, who, status):
    assert client_for(world.users()[who]).get("/risks/export.csv").status_code == status


def test_a_directors_export_holds_only_their_directorates(world, client_for):
    response = client_for(world.director_elsewhere).get("/risks/export.csv")
    refs = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert refs == ["OPS-01"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 200)])
def test_anyone_signed_in_may_ask_for_their_teams_findings(world, client_for, who, status):
    assert client_for(world.users()[who]).get("/risks/my-work/").status_code == status


def test_the_csv_export_holds_the_filtered_list(world, client_for):
    response = client_for(world.org_director).get("/risks/export.csv?concern=2")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Ref", "Objective", "Lead team", "Concern"]
    assert [row[:4] for row in rows[1:]] == [
        ["DIG-01", world.objective_a.title, "NHS 111 online", "In danger"]
    ]
    assert rows[1][5] == "NHS 111 online: Red"


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 200), ("lead_b", 200)]
)
def test_everyone_who_may_read_an_objective_may_read_its_findings(world, client_for, who, status):
    url = reverse("risks:objective_flags", args=[world.objective_a.pk])
    assert client_for(world.users()[who]).get(url).status_code == status


def test_the_objective_page_shows_its_concern_and_findings(world, client_for):
    url = reverse("risks:objective_flags", args=[world.objective_a.pk])
    html = client_for(world.lead_b).get(url, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section class="app-objective-flags" id="risk-flags"')
    assert "In danger</strong> <strong>Low confidence: NHS 111 online</strong>" in html
    assert "NHS 111 online says Red for October 2024 (31 October 2024), Red for 2 months" in html
    assert "Two sources agree" not in html


def test_my_work_findings_come_out_of_band_for_each_row(world, client_for):
    response = client_for(world.lead_a).get(
        reverse("risks:my_work_flags"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Of your teams' 2 objectives, <strong>1 is in danger</strong> and 0 to watch." in html
    assert html.count('hx-swap-oob="true"') == 2


def test_a_person_in_no_team_is_told_there_is_nothing_to_show(world, client_for):
    html = client_for(world.outsider).get(reverse("risks:my_work_flags")).content.decode()
    assert "None of your teams has an objective in a current plan." in html


def test_an_objective_of_a_new_team_is_in_no_directorate_heatmap_until_evaluated(world, client_for):
    team = TeamFactory(name="New team", directorate=world.directorate_a)
    ObjectiveFactory(plan=world.plan, ref="NEW-01", lead_team=team)
    response = client_for(world.org_director).get(DASHBOARD)
    assert "NEW-01" not in refs(response)
