"""Collaboration day pages: who may see and change what, inline capture, the cached pack."""

import datetime as dt

import pytest
from django.urls import reverse

from reviews import cache as pack_cache
from reviews import services
from reviews.models import Action, ActionState, CollaborationDay, Decision, FocusObjective

PERMISSION_COVERED_URLS = {
    "reviews:list",
    "reviews:create",
    "reviews:detail",
    "reviews:edit",
    "reviews:focus_add",
    "reviews:focus_remove",
    "reviews:focus_move",
    "reviews:session_add",
    "reviews:session_delete",
    "reviews:action_add",
    "reviews:action_update",
    "reviews:decision_add",
    "reviews:pack_pdf",
    "reviews:pack_html",
}

VIEWERS = ["lead_a", "member_a", "director_a", "org_director", "admin", "lead_c"]
REFUSED = ["lead_b", "director_elsewhere", "outsider"]
MANAGERS = ["lead_a", "director_a", "org_director", "admin"]  # facilitator, directors, admin
NOT_MANAGERS = ["member_a", "lead_c", "lead_b", "director_elsewhere", "outsider"]


def users(cast, world):
    return cast.users() | {"lead_c": world.lead_c}


def day_urls(world):
    day = world.day
    focus = day.focus.order_by("position").first()
    session = services.add_session(day=day, starts_at=dt.time(9, 30), title="Welcome")
    action = services.record_action(day=day, what="Do it", created_by=None, owner_name="Sam")
    return {
        "get": [
            reverse("reviews:detail", args=[day.pk]),
            reverse("reviews:pack_pdf", args=[day.pk]),
            reverse("reviews:pack_html", args=[day.pk]),
        ],
        "manage_get": [reverse("reviews:edit", args=[day.pk])],
        "post": [
            (reverse("reviews:edit", args=[day.pk]), {"title": ""}),
            (reverse("reviews:focus_add", args=[day.pk]), {"focus-objective": world.shared.pk}),
            (reverse("reviews:focus_remove", args=[day.pk, focus.pk]), {}),
            (reverse("reviews:focus_move", args=[day.pk, focus.pk]), {"direction": "down"}),
            (reverse("reviews:session_add", args=[day.pk]), {"session-title": ""}),
            (reverse("reviews:session_delete", args=[day.pk, session.pk]), {}),
            (reverse("reviews:action_add", args=[day.pk]), {"action-what": ""}),
            (reverse("reviews:action_update", args=[day.pk, action.pk]), {"state": "done"}),
            (reverse("reviews:decision_add", args=[day.pk]), {"decision-why": ""}),
        ],
    }


@pytest.mark.parametrize("who", REFUSED)
def test_people_outside_the_days_teams_and_directorates_are_refused_everywhere(
    who, world, cast, client_for
):
    client = client_for(users(cast, world)[who])
    urls = day_urls(world)
    for url in urls["get"] + urls["manage_get"]:
        assert client.get(url).status_code == 403, url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 403, url


@pytest.mark.parametrize("who", VIEWERS)
def test_participating_teams_members_their_directors_and_admins_can_read_the_day_and_pack(
    who, world, cast, client_for
):
    client = client_for(users(cast, world)[who])
    for url in day_urls(world)["get"]:
        response = client.get(url)
        assert response.status_code == 200, url
    pdf = client.get(reverse("reviews:pack_pdf", args=[world.day.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_only_the_facilitator_directors_over_it_and_admins_change_a_day(
    who, world, cast, client_for
):
    client = client_for(users(cast, world)[who])
    urls = day_urls(world)
    assert client.get(urls["manage_get"][0]).status_code == 403
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 403, url


@pytest.mark.parametrize("who", MANAGERS)
def test_managers_can_open_the_planning_page(who, world, cast, client_for):
    client = client_for(users(cast, world)[who])
    assert client.get(reverse("reviews:edit", args=[world.day.pk])).status_code == 200


def test_missing_days_are_404(world, cast, client_for):
    client = client_for(cast.admin)
    for name in ("reviews:detail", "reviews:pack_pdf", "reviews:pack_html", "reviews:edit"):
        assert client.get(reverse(name, args=[9999])).status_code == 404
    assert client.post(reverse("reviews:action_add", args=[9999]), {}).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(world, client):
    for url in (reverse("reviews:list"), reverse("reviews:detail", args=[world.day.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_list_shows_only_days_a_person_may_see(world, cast, client_for):
    response = client_for(cast.lead_b).get(reverse("reviews:list"))
    assert response.status_code == 200
    assert "Winter readiness" not in response.content.decode()
    response = client_for(cast.member_a).get(reverse("reviews:list"))
    assert "Winter readiness" in response.content.decode()


def test_the_list_reads_in_a_fixed_number_of_queries(
    world, cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("reviews:list"))
    for n in range(5):
        services.create_day(
            title=f"Day {n}",
            date=dt.date(2024, 12, 1 + n),
            plan=cast.plan,
            teams=[cast.team_a, world.team_c],
            facilitator=cast.lead_a,
            created_by=cast.lead_a,
        )
    with django_assert_max_num_queries(12):
        client.get(reverse("reviews:list"))


def test_creating_a_day_proposes_the_shared_objectives_in_focus(world, cast, client_for):
    response = client_for(cast.director_a).post(
        reverse("reviews:create"),
        {
            "title": "Spring check-in",
            "date": "2025-02-12",
            "plan": cast.plan.pk,
            "teams": [cast.team_a.pk, world.team_c.pk],
            "facilitator": cast.director_a.pk,
        },
    )
    day = CollaborationDay.objects.get(title="Spring check-in")
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:edit", args=[day.pk])
    assert sorted(f.objective.ref for f in day.focus.all()) == ["UEC-01", "UEC-02"]


def test_a_day_needs_two_teams_and_says_so(cast, client_for):
    response = client_for(cast.director_a).post(
        reverse("reviews:create"),
        {"title": "Solo", "date": "2025-02-12", "plan": cast.plan.pk, "teams": [cast.team_a.pk]},
    )
    assert response.status_code == 200
    assert "Choose at least two participating teams" in response.content.decode()
    assert CollaborationDay.objects.filter(title="Solo").count() == 0


def test_removing_and_reordering_the_focus_keeps_positions_1_to_n(world, cast, client_for):
    client = client_for(cast.lead_a)
    first, second = list(world.day.focus.order_by("position"))
    client.post(reverse("reviews:focus_move", args=[world.day.pk, first.pk]), {"direction": "down"})
    assert [f.objective.ref for f in world.day.focus.order_by("position")] == ["UEC-02", "UEC-01"]
    client.post(reverse("reviews:focus_remove", args=[world.day.pk, second.pk]))
    assert list(world.day.focus.values_list("position", flat=True)) == [1]
    response = client.post(
        reverse("reviews:focus_add", args=[world.day.pk]),
        {"focus-objective": world.bare.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]
    assert list(world.day.focus.order_by("position").values_list("objective__ref", "position")) == [
        ("UEC-01", 1),
        ("UEC-02", 2),
    ]


def test_an_action_captured_with_htmx_comes_back_in_the_list_with_an_empty_form(
    world, cast, client_for
):
    response = client_for(cast.lead_a).post(
        reverse("reviews:action_add", args=[world.day.pk]),
        {
            "action-what": "Share the <supplier> plan & dates",
            "action-owner": world.lead_c.pk,
            "action-team": world.team_c.pk,
            "action-due_date": "2024-12-13",
            "action-objective": world.shared.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Share the &lt;supplier&gt; plan &amp; dates" in html
    assert '<textarea name="action-what"' in html and "</textarea>" in html
    assert "<html" not in html
    action = Action.objects.get(day=world.day)
    assert (action.owner, action.team, action.due_date, action.state) == (
        world.lead_c,
        world.team_c,
        dt.date(2024, 12, 13),
        ActionState.OPEN,
    )


def test_without_javascript_an_action_redirects_back_to_the_list(world, cast, client_for):
    response = client_for(cast.lead_a).post(
        reverse("reviews:action_add", args=[world.day.pk]),
        {"action-what": "Restart the feed", "action-owner_name": "Gareth"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:detail", args=[world.day.pk]) + "#actions"


def test_an_action_without_an_owner_is_refused_with_a_message_next_to_the_field(
    world, cast, client_for
):
    response = client_for(cast.lead_a).post(
        reverse("reviews:action_add", args=[world.day.pk]),
        {"action-what": "Something", "action-due_date": "next week"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose who owns the action, or type their name" in html
    assert "Enter the due date as year-month-day" in html
    assert Action.objects.count() == 0


def test_a_decision_is_recorded_inline(world, cast, client_for):
    response = client_for(cast.lead_a).post(
        reverse("reviews:decision_add", args=[world.day.pk]),
        {
            "decision-objective": world.shared.pk,
            "decision-kind": "rebaseline",
            "decision-why": "Supplier capacity arrives late.",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "UEC-01: Rebaseline" in response.content.decode()
    assert Decision.objects.get().kind == "rebaseline"


def test_an_action_is_tracked_afterwards(world, cast, client_for):
    action = services.record_action(day=world.day, what="Do it", created_by=None, owner_name="Sam")
    client_for(cast.lead_a).post(
        reverse("reviews:action_update", args=[world.day.pk, action.pk]),
        {"state": "dropped", "note": "Superseded"},
    )
    action.refresh_from_db()
    assert (action.state, action.note) == ("dropped", "Superseded")


def test_the_next_day_page_lists_the_previous_days_open_actions(world, cast, client_for):
    earlier = services.create_day(
        title="Mid-year",
        date=dt.date(2024, 9, 12),
        plan=cast.plan,
        teams=[cast.team_a],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )
    services.record_action(day=earlier, what="Fix the feed", created_by=None, owner_name="Sam")
    done = services.record_action(day=earlier, what="Closed item", created_by=None, owner_name="Li")
    services.update_action(action=done, state=ActionState.DONE)
    html = (
        client_for(cast.member_a)
        .get(reverse("reviews:detail", args=[world.day.pk]))
        .content.decode()
    )
    assert "Open actions from earlier days" in html
    assert "Fix the feed" in html
    assert "Closed item" not in html


def test_the_pack_download_is_cached_until_a_rating_changes(world, cast, client_for, monkeypatch):
    from tests.factories import add_update

    builds = []
    real = pack_cache.build_pack
    monkeypatch.setattr(
        pack_cache,
        "build_pack",
        lambda day, as_at, viewer: builds.append(1) or real(day, as_at=as_at, viewer=viewer),
    )
    client = client_for(cast.lead_a)
    url = reverse("reviews:pack_pdf", args=[world.day.pk])
    first = client.get(url).content
    second = client.get(url).content
    assert (len(builds), first == second) == (1, True)
    add_update(world.shared, cast.team_a, 7, "red", author=cast.lead_a, text="Worse")
    client.get(url)
    assert len(builds) == 2


def test_the_html_pack_has_the_same_sections_as_the_pdf(world, cast, client_for):
    html = (
        client_for(cast.lead_a)
        .get(reverse("reviews:pack_html", args=[world.day.pk]))
        .content.decode()
    )
    for heading in (
        "How to read this pack",
        "Summary",
        "Objectives in focus (2)",
        "Actions and decisions",
        "Appendix: every objective of the participating teams",
        "Increase first-time uptake of NHS 111 recommendations",
    ):
        assert heading in html
    assert 'href="/static/css/pack.css"' in html


def test_the_day_page_reads_in_a_fixed_number_of_queries(
    world, cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.lead_a)
    with django_assert_max_num_queries(30):
        client.get(reverse("reviews:detail", args=[world.day.pk]))
    for n in range(5):
        services.record_action(day=world.day, what=f"Action {n}", created_by=None, owner_name="X")
    with django_assert_max_num_queries(30):
        client.get(reverse("reviews:detail", args=[world.day.pk]))


def test_focus_positions_are_unique_per_day(world):
    from django.db import IntegrityError, transaction

    first = world.day.focus.order_by("position").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusObjective.objects.create(day=world.day, objective=world.bare, position=first.position)
