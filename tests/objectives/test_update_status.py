"""The status update form: rules, bad input, permissions, htmx and no-JS flows, query counts."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from objectives import services
from objectives.models import Ask, Period, StatusUpdate
from tests.factories import (
    ObjectiveFactory,
    TeamFactory,
    add_update,
    contribution,
    make_plan,
    period,
)

pytestmark = pytest.mark.django_db

PERMISSION_COVERED_URLS = {"objectives:update_status"}

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2024, 11, 15, 10, 30, tzinfo=LONDON)
NARRATIVE_RULE = "say what is going well or what is not going well."


@pytest.fixture(autouse=True)
def today(time_machine, settings):
    # The current period is November 2024 (month 8 of plan 2024/25).
    settings.TODAY = None
    time_machine.move_to(NOW, tick=False)


def url(objective, team, query=""):
    return reverse("objectives:update_status", args=[objective.pk, team.pk]) + query


def post(client, objective, team, /, *, htmx=False, **data):
    data.setdefault("period", period(objective.plan, 8).pk)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(objective, team), data, headers=headers)


def vary(response) -> list[str]:
    return [header.strip() for header in response["Vary"].split(",")]


def errors(response) -> dict:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


# --- Permissions --------------------------------------------------------------------------------

ALLOWED = {"lead_a", "director_a", "org_director", "admin"}
REFUSED = {"lead_b", "member_a", "director_elsewhere", "outsider"}


@pytest.mark.parametrize("who", sorted(ALLOWED | REFUSED))
def test_only_the_teams_lead_its_directors_and_admins_open_the_form(cast, client_for, who):
    response = client_for(getattr(cast, who)).get(url(cast.objective_a, cast.team_a))
    assert response.status_code == (200 if who in ALLOWED else 403)


@pytest.mark.parametrize("who", sorted(ALLOWED | REFUSED))
def test_only_the_teams_lead_its_directors_and_admins_save_an_update(cast, client_for, who):
    response = post(client_for(getattr(cast, who)), cast.objective_a, cast.team_a, rating="green")
    assert response.status_code == (302 if who in ALLOWED else 403)
    saved = list(StatusUpdate.objects.values_list("contribution__team__name", "rating"))
    assert saved == ([("NHS 111 online", "green")] if who in ALLOWED else [])


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_is_saved(cast, client_for):
    form_url = url(cast.objective_a, cast.team_a)
    response = post(client_for(cast.anonymous), cast.objective_a, cast.team_a, rating="green")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={form_url}"
    assert StatusUpdate.objects.count() == 0


def test_a_lead_cannot_update_another_teams_status_by_forging_the_team_id_in_the_url(
    cast, client_for
):
    shared = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b])
    response = post(client_for(cast.lead_a), shared, cast.team_b, rating="green")
    assert response.status_code == 403
    assert StatusUpdate.objects.count() == 0


def test_a_team_id_forged_in_the_post_body_cannot_redirect_the_update(cast, client_for):
    shared = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b])
    client = client_for(cast.lead_a)
    post(client, shared, cast.team_a, rating="green", team=cast.team_b.pk)
    assert list(StatusUpdate.objects.values_list("contribution__team__name", flat=True)) == [
        "NHS 111 online"
    ]


def test_a_team_not_involved_in_the_objective_is_not_found(cast, client_for):
    # Team A's lead may update team A, but team A has nothing to do with objective B.
    response = post(client_for(cast.lead_a), cast.objective_b, cast.team_a, rating="green")
    assert response.status_code == 404
    assert StatusUpdate.objects.count() == 0


def test_an_unknown_objective_or_team_is_not_found(cast, client_for):
    client = client_for(cast.admin)
    missing_objective = reverse("objectives:update_status", args=[99999, cast.team_a.pk])
    missing_team = reverse("objectives:update_status", args=[cast.objective_a.pk, 99999])
    assert client.get(missing_objective).status_code == 404
    assert client.get(missing_team).status_code == 404


# --- The form -----------------------------------------------------------------------------------


def test_the_form_offers_each_rating_with_its_word_colour_and_help_text(cast, client_for):
    response = client_for(cast.lead_a).get(url(cast.objective_a, cast.team_a))
    html = response.content.decode()
    assert [value for value, _ in response.context["form"].fields["rating"].choices] == [
        "green",
        "amber_green",
        "amber",
        "amber_red",
        "red",
    ]
    assert (
        '<span class="app-swatch rating--amber_red" aria-hidden="true"></span>Amber/Red</label>'
        in html
    )
    assert "In doubt. There are major risks or problems in several areas" in html
    assert "Reporting for <strong>November 2024</strong> (plan 2024/25)" in html


def test_the_three_point_scale_offers_three_ratings_and_refuses_the_others(
    cast, client_for, settings
):
    settings.RATING_SCALE = 3
    client = client_for(cast.lead_a)
    form = client.get(url(cast.objective_a, cast.team_a)).context["form"]
    assert [label for _, label in form.fields["rating"].choices] == ["Green", "Amber", "Red"]
    response = post(client, cast.objective_a, cast.team_a, rating="amber_green", going_well="x")
    assert errors(response) == {
        "rating": ["Choose a delivery confidence rating: Green, Amber or Red."]
    }
    assert StatusUpdate.objects.count() == 0


def test_the_teams_last_rating_is_chosen_and_focused_when_the_form_opens(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    html = client_for(cast.lead_a).get(url(cast.objective_a, cast.team_a)).content.decode()
    pk = contribution(cast.objective_a, cast.team_a).pk
    assert (
        f'id="c{pk}-rating_2" name="rating" type="radio" value="amber" '
        f'aria-describedby="c{pk}-rating_2-hint" checked data-autofocus tabindex="0">'
    ) in html
    assert html.count("data-autofocus") == 1


def test_without_a_previous_rating_the_first_radio_is_focused_and_none_chosen(cast, client_for):
    html = client_for(cast.lead_a).get(url(cast.objective_a, cast.team_a)).content.decode()
    assert " checked" not in html.split('name="rating"', 1)[1].split("</fieldset>")[0]
    assert 'value="green" aria-describedby' in html
    assert html.count("data-autofocus") == 1
    assert html.index("data-autofocus") > html.index('value="green"')
    assert html.index("data-autofocus") < html.index('value="amber_green"')


# --- Saving -------------------------------------------------------------------------------------


def test_without_javascript_a_save_redirects_to_my_work_with_a_message(cast, client_for):
    client = client_for(cast.lead_a)
    response = post(
        client,
        cast.objective_a,
        cast.team_a,
        rating="amber",
        going_well="Design done",
        not_going_well="Supplier late",
        risks="Contract",
    )
    row = contribution(cast.objective_a, cast.team_a)
    assert response.status_code == 302
    assert response["Location"] == f"/#status-c{row.pk}"
    assert "HX-Request" in vary(response)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved: NHS 111 online rated DIG-01 Amber for November 2024."
    ]
    update = StatusUpdate.objects.get()
    assert (
        update.contribution_id,
        update.period.label,
        update.rating,
        update.going_well,
        update.not_going_well,
        update.risks,
        update.author,
        update.created_at,
        update.corrects_id,
        update.lock_override,
    ) == (
        row.pk,
        "November 2024",
        "amber",
        "Design done",
        "Supplier late",
        "Contract",
        cast.lead_a,
        NOW,
        None,
        False,
    )
    assert row.latest_update_id == update.pk


def test_with_htmx_a_save_swaps_the_row_in_place_and_focuses_its_status(cast, client_for):
    client = client_for(cast.lead_a)
    response = post(
        client, cast.objective_a, cast.team_a, htmx=True, rating="amber_red", going_well="Some"
    )
    html = response.content.decode()
    pk = contribution(cast.objective_a, cast.team_a).pk
    assert response.status_code == 200
    assert "HX-Request" in vary(response)
    assert "<html" not in html
    assert html.lstrip().startswith(
        '<tr class="nhsuk-table__row app-my-work__row--saved" role="row">'
    )
    assert (
        f'<div class="app-my-work__status" id="status-c{pk}-status" data-autofocus tabindex="-1">'
        in html
    )
    assert '<strong class="app-rating rating--amber_red">Amber/Red</strong>' in html
    assert "Saved: NHS 111 online rated DIG-01 Amber/Red for November 2024." in html
    assert "Not yet reported" not in html
    assert (
        f'<template><p class="app-my-work__due" id="due-team-{cast.team_a.pk}" '
        'hx-swap-oob="true">Everything is reported for November 2024.</p></template>'
    ) in html
    assert StatusUpdate.objects.get().rating == "amber_red"


def test_with_htmx_the_form_opens_inline_under_the_row(cast, client_for):
    response = client_for(cast.lead_a).get(
        url(cast.objective_a, cast.team_a), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    pk = contribution(cast.objective_a, cast.team_a).pk
    assert "HX-Request" in vary(response)
    assert "<html" not in html
    assert '<tr class="nhsuk-table__row app-my-work__row--open" role="row">' in html
    assert '<tr class="nhsuk-table__row app-status-form-row" role="row">' in html
    assert f'hx-post="{url(cast.objective_a, cast.team_a)}" hx-target="#status-c{pk}"' in html
    assert "Update <bdi>NHS 111 online</bdi> status for DIG-01, November 2024</h3>" in html


def test_without_htmx_the_form_is_a_whole_page(cast, client_for):
    response = client_for(cast.lead_a).get(url(cast.objective_a, cast.team_a))
    html = response.content.decode()
    assert "HX-Request" in vary(response)
    assert "<h1>Update DIG-01 " in html
    assert "hx-post" not in html
    assert f'<form method="post" action="{url(cast.objective_a, cast.team_a)}"' in html


def test_cancel_puts_the_row_back_and_focuses_its_update_button(cast, client_for):
    client = client_for(cast.lead_a)
    response = client.get(
        url(cast.objective_a, cast.team_a, "?cancel=1"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "app-status-form-row" not in html
    assert 'hx-swap="innerHTML" data-autofocus tabindex="0">Update<span' in html
    without_js = client.get(url(cast.objective_a, cast.team_a, "?cancel=1"))
    assert (without_js.status_code, without_js["Location"]) == (302, "/")


# --- Narrative ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("rating", "word"), [("amber_red", "Amber/Red"), ("red", "Red")])
def test_amber_red_and_red_need_a_narrative(cast, client_for, rating, word):
    response = post(client_for(cast.lead_a), cast.objective_a, cast.team_a, rating=rating)
    assert response.status_code == 200
    assert errors(response) == {
        "going_well": [f"{word} always needs a narrative: {NARRATIVE_RULE}"]
    }
    assert StatusUpdate.objects.count() == 0


def test_a_changed_rating_needs_a_narrative_and_the_error_sits_next_to_the_field(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 7, "green")
    response = post(client_for(cast.lead_a), cast.objective_a, cast.team_a, rating="amber")
    message = f"The rating changed from Green to Amber, so it needs a narrative: {NARRATIVE_RULE}"
    html = response.content.decode()
    pk = contribution(cast.objective_a, cast.team_a).pk
    assert errors(response) == {"going_well": [message]}
    assert f'<li><a href="#c{pk}-going_well">{message}</a></li>' in html
    assert (
        f'<span class="nhsuk-error-message" id="c{pk}-going_well-error">'
        f'<span class="nhsuk-u-visually-hidden">Error:</span> {message}</span>'
    ) in html
    assert f'aria-describedby="c{pk}-going_well-hint c{pk}-going_well-error"' in html
    assert StatusUpdate.objects.count() == 1


def test_an_unchanged_rating_needs_no_narrative(cast, client_for):
    add_update(cast.objective_a, cast.team_a, 7, "amber")
    response = post(client_for(cast.lead_a), cast.objective_a, cast.team_a, rating="amber")
    assert response.status_code == 302
    assert StatusUpdate.objects.filter(period__month=8).get().going_well == ""


def test_what_is_not_going_well_alone_is_narrative_enough(cast, client_for):
    response = post(
        client_for(cast.lead_a), cast.objective_a, cast.team_a, rating="red", not_going_well="Stop"
    )
    assert response.status_code == 302


def test_a_narrative_error_from_the_service_is_shown_next_to_its_field(
    cast, client_for, monkeypatch
):
    # Another save can land between the form's check and the service's (two tabs, one lead).
    def refuse(**kwargs):
        raise ValidationError({"not_going_well": "Say what is not going well."})

    monkeypatch.setattr(services, "record_status", refuse)
    response = post(client_for(cast.lead_a), cast.objective_a, cast.team_a, rating="green")
    assert errors(response) == {"not_going_well": ["Say what is not going well."]}


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["purple", "", "Green", "GREEN; DROP TABLE"])
def test_an_unknown_rating_is_refused_naming_the_field(cast, client_for, rating):
    response = post(client_for(cast.lead_a), cast.objective_a, cast.team_a, rating=rating)
    assert response.status_code == 200
    assert errors(response) == {
        "rating": [
            "Choose a delivery confidence rating: Green, Amber/Green, Amber, Amber/Red or Red."
        ]
    }
    assert StatusUpdate.objects.count() == 0


def test_a_period_of_another_plan_is_refused(cast, client_for):
    other_plan = make_plan(2023)
    response = post(
        client_for(cast.lead_a),
        cast.objective_a,
        cast.team_a,
        rating="green",
        period=period(other_plan, 8).pk,
    )
    assert errors(response) == {
        "period": ["Choose a reporting month of plan 2024/25 from April 2024 to November 2024."]
    }
    assert StatusUpdate.objects.count() == 0


@pytest.mark.parametrize("value", ["december", "", "-1"])
def test_a_month_that_has_not_started_or_is_nonsense_is_refused(cast, client_for, value):
    value = period(cast.plan, 9).pk if value == "december" else value
    response = post(
        client_for(cast.lead_a), cast.objective_a, cast.team_a, rating="green", period=value
    )
    assert errors(response) == {
        "period": ["Choose a reporting month of plan 2024/25 from April 2024 to November 2024."]
    }
    assert StatusUpdate.objects.count() == 0


def test_an_earlier_month_can_be_reported(cast, client_for):
    client = client_for(cast.lead_a)
    october = period(cast.plan, 7)
    page = client.get(url(cast.objective_a, cast.team_a, f"?period={october.pk}"))
    assert "Reporting for <strong>October 2024</strong>" in page.content.decode()
    post(client, cast.objective_a, cast.team_a, rating="green", period=october.pk)
    assert StatusUpdate.objects.get().period == october


def test_a_plan_with_no_open_period_says_so_and_saves_nothing(cast, client_for, time_machine):
    time_machine.move_to(dt.datetime(2025, 5, 1, 9, 0, tzinfo=LONDON), tick=False)
    client = client_for(cast.lead_a)
    page = client.get(url(cast.objective_a, cast.team_a)).content.decode()
    assert "This plan has no open reporting period" in page
    assert 'name="rating"' not in page
    response = post(
        client, cast.objective_a, cast.team_a, rating="green", period=period(cast.plan, 12).pk
    )
    assert errors(response) == {
        "period": ["This plan has no open reporting period, so no update can be recorded."]
    }
    assert StatusUpdate.objects.count() == 0


def test_asks_of_another_involved_team_are_saved(cast, client_for):
    shared = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b])
    post(
        client_for(cast.lead_a),
        shared,
        cast.team_a,
        rating="green",
        **{f"ask_{cast.team_b.pk}": "Share the handover data by January"},
    )
    assert list(Ask.objects.values_list("to_team__name", "text", "status_update__rating")) == [
        ("Ambulance flow", "Share the handover data by January", "green")
    ]


def test_one_update_can_ask_several_teams_and_blank_boxes_ask_nobody(cast, client_for):
    third, fourth = TeamFactory(name="Policy unit"), TeamFactory(name="Finance")
    shared = ObjectiveFactory(
        plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b, third, fourth]
    )
    post(
        client_for(cast.lead_a),
        shared,
        cast.team_a,
        rating="green",
        **{
            f"ask_{cast.team_b.pk}": "Share the handover data",
            f"ask_{third.pk}": "Agree the wording by March",
            f"ask_{fourth.pk}": "   ",
        },
    )
    assert sorted(Ask.objects.values_list("to_team__name", "text")) == [
        ("Ambulance flow", "Share the handover data"),
        ("Policy unit", "Agree the wording by March"),
    ]
    assert StatusUpdate.objects.get().asks.count() == 2


def test_the_form_offers_one_ask_box_per_other_team_involved(cast, client_for):
    third = TeamFactory(name="Policy unit")
    shared = ObjectiveFactory(
        plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b, third]
    )
    html = client_for(cast.lead_a).get(url(shared, cast.team_a)).content.decode()
    pk = contribution(shared, cast.team_a).pk
    labels = re.findall(r'<label class="nhsuk-label nhsuk-label--s" for="([^"]+)">([^<]+)<', html)
    assert [label for label in labels if "-ask_" in label[0]] == [
        (f"c{pk}-ask_{cast.team_b.pk}", "What you are asking of Ambulance flow"),
        (f"c{pk}-ask_{third.pk}", "What you are asking of Policy unit"),
    ]
    assert '<details class="nhsuk-details app-status-form__ask">' in html  # closed when empty


def test_an_ask_of_a_team_not_involved_saves_no_ask(cast, client_for):
    shared = ObjectiveFactory(
        plan=cast.plan, ref="DIG-02", lead_team=cast.team_a, contributors=[cast.team_b]
    )
    stranger = TeamFactory()
    for forged in (stranger.pk, cast.team_a.pk, "abc"):
        response = post(
            client_for(cast.lead_a),
            shared,
            cast.team_a,
            rating="green",
            **{f"ask_{forged}": "Help"},
        )
        assert response.status_code == 302
    assert (StatusUpdate.objects.count(), Ask.objects.count()) == (3, 0)


def test_a_too_long_ask_is_refused_with_the_team_named_and_the_box_left_open(cast, client_for):
    shared = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b])
    response = post(
        client_for(cast.lead_a),
        shared,
        cast.team_a,
        rating="green",
        **{f"ask_{cast.team_b.pk}": "x" * 4001},
    )
    assert errors(response) == {
        f"ask_{cast.team_b.pk}": [
            "What you are asking of Ambulance flow must be 4,000 characters or fewer; link to a "
            "document for more."
        ]
    }
    assert '<details class="nhsuk-details app-status-form__ask" open>' in response.content.decode()
    assert StatusUpdate.objects.count() == 0


def test_a_single_team_objective_offers_no_ask(cast, client_for):
    html = client_for(cast.lead_a).get(url(cast.objective_a, cast.team_a)).content.decode()
    assert "Ask another team" not in html


def test_very_long_text_is_refused_with_what_is_expected(cast, client_for):
    response = post(
        client_for(cast.lead_a), cast.objective_a, cast.team_a, rating="green", risks="x" * 4001
    )
    assert errors(response) == {
        "risks": [
            "Risks and issues must be 4,000 characters or fewer; link to a document for more."
        ]
    }
    assert StatusUpdate.objects.count() == 0


def test_every_error_is_listed_in_the_summary_with_a_link_to_its_field(cast, client_for):
    shared = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=[cast.team_b])
    response = post(
        client_for(cast.lead_a),
        shared,
        cast.team_a,
        period="",
        **{f"ask_{cast.team_b.pk}": "x" * 4001},
    )
    html = response.content.decode()
    pk = contribution(shared, cast.team_a).pk
    summary = html.split('<ul class="nhsuk-list nhsuk-error-summary__list">')[1].split("</ul>")[0]
    assert [line.split('"')[1] for line in summary.split("<li>")[1:]] == [
        f"#c{pk}-period-group",
        f"#c{pk}-rating_0",
        f"#c{pk}-ask_{cast.team_b.pk}",
    ]
    assert "<title>Error: Update status for" in html


# --- Locked periods -----------------------------------------------------------------------------


def lock(plan, month):
    Period.objects.filter(plan=plan, month=month).update(locked=True)


def test_a_locked_period_refuses_a_leads_update_with_a_clear_message(cast, client_for):
    lock(cast.plan, 8)
    client = client_for(cast.lead_a)
    page = client.get(url(cast.objective_a, cast.team_a)).content.decode()
    assert "November 2024 is locked, so updates are closed." in page
    assert 'name="rating"' not in page
    response = post(client, cast.objective_a, cast.team_a, rating="green")
    assert errors(response) == {
        "period": [
            "November 2024 is locked, so updates are closed. Ask a director if this update must "
            "change."
        ]
    }
    assert StatusUpdate.objects.count() == 0


def test_a_director_overrides_a_locked_period_and_the_override_is_recorded(cast, client_for):
    lock(cast.plan, 8)
    client = client_for(cast.director_a)
    page = client.get(url(cast.objective_a, cast.team_a)).content.decode()
    assert "As a director you can still record this update." in page
    response = post(client, cast.objective_a, cast.team_a, rating="green")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved: NHS 111 online rated DIG-01 Green for November 2024. Recorded after the period "
        "was locked."
    ]
    update = StatusUpdate.objects.get()
    assert (update.lock_override, update.author) == (True, cast.director_a)


def test_an_admin_overrides_a_locked_earlier_month(cast, client_for):
    lock(cast.plan, 7)
    post(
        client_for(cast.admin),
        cast.objective_a,
        cast.team_a,
        rating="green",
        period=period(cast.plan, 7).pk,
    )
    assert list(StatusUpdate.objects.values_list("period__month", "lock_override")) == [(7, True)]


def test_a_lead_is_not_offered_locked_earlier_months(cast, client_for):
    lock(cast.plan, 7)
    context = client_for(cast.lead_a).get(url(cast.objective_a, cast.team_a)).context
    assert [p.label for p in context["earlier_periods"]][:2] == ["September 2024", "August 2024"]
    director = client_for(cast.director_a).get(url(cast.objective_a, cast.team_a)).context
    assert [p.label for p in director["earlier_periods"]][:2] == ["October 2024", "September 2024"]


# --- Corrections --------------------------------------------------------------------------------


def test_a_second_save_in_a_period_records_a_correction_and_keeps_the_first(cast, client_for):
    client = client_for(cast.lead_a)
    post(client, cast.objective_a, cast.team_a, rating="amber", going_well="First")
    page = client.get(url(cast.objective_a, cast.team_a)).content.decode()
    assert "You already reported Amber for November 2024; saving records a correction." in page
    response = post(client, cast.objective_a, cast.team_a, rating="amber_red", going_well="Worse")
    first, second = StatusUpdate.objects.order_by("pk")
    assert (first.rating, first.going_well, first.corrects_id) == ("amber", "First", None)
    assert (second.rating, second.going_well, second.corrects_id) == (
        "amber_red",
        "Worse",
        first.pk,
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved: NHS 111 online rated DIG-01 Amber/Red for November 2024. This corrects the "
        "earlier update for that month."
    ]
    assert contribution(cast.objective_a, cast.team_a).latest_update_id == second.pk


def test_corrections_chain_each_to_the_one_before(cast, client_for):
    client = client_for(cast.lead_a)
    for rating in ("green", "amber", "red"):
        post(client, cast.objective_a, cast.team_a, rating=rating, going_well=rating)
    chain = list(StatusUpdate.objects.order_by("pk").values_list("rating", "corrects__rating"))
    assert chain == [("green", None), ("amber", "green"), ("red", "amber")]


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("contributors", [0, 12])
def test_the_form_loads_in_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries, contributors
):
    teams = [TeamFactory() for _ in range(contributors)]
    objective = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=teams)
    for team in [cast.team_a, *teams]:
        add_update(objective, team, 7, "amber")
    client = client_for(cast.lead_a)
    with django_assert_max_num_queries(11):
        client.get(url(objective, cast.team_a))
    with django_assert_max_num_queries(11):
        client.get(url(objective, cast.team_a), headers={"HX-Request": "true"})


@pytest.mark.parametrize("contributors", [1, 12])
def test_a_save_runs_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries, contributors
):
    teams = [TeamFactory() for _ in range(contributors)]
    objective = ObjectiveFactory(plan=cast.plan, lead_team=cast.team_a, contributors=teams)
    client = client_for(cast.lead_a)
    with django_assert_max_num_queries(24):  # incl. locking the objective row
        post(
            client,
            objective,
            cast.team_a,
            htmx=True,
            rating="amber",
            going_well="Fine",
            **{f"ask_{team.pk}": "Help" for team in teams},
        )
    assert (StatusUpdate.objects.count(), Ask.objects.count()) == (1, contributors)
