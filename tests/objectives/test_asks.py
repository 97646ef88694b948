"""Asks between teams: raised, answered, withdrawn; who may do which; what bad input gets."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives import asks
from objectives.models import Ask, AskState
from tests.factories import ObjectiveFactory, TeamFactory

TODAY = dt.date(2024, 11, 15)
MY_WORK = reverse("objectives:my_work")


@pytest.fixture(autouse=True)
def today(settings):
    settings.TODAY = TODAY


@pytest.fixture
def shared(cast):
    return ObjectiveFactory(
        plan=cast.plan, ref="UEC-01", lead_team=cast.team_a, contributors=[cast.team_b]
    )


@pytest.fixture
def ask(cast, shared):
    """Team A (NHS 111 online) asks team B (Ambulance flow)."""
    return asks.raise_ask(
        objective=shared,
        from_team=cast.team_a,
        to_team=cast.team_b,
        text="Share handover times weekly",
        due_date=dt.date(2024, 12, 1),
        asked_by=cast.lead_a,
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def answer(client, ask, state, reply="", **extra):
    return client.post(
        reverse("objectives:ask_answer", args=[ask.pk]),
        {"state": state, "reply": reply, "next": MY_WORK},
        **extra,
    )


# --- The life of an ask --------------------------------------------------------------------------


def test_a_lead_raises_an_ask_from_the_objective_page(cast, shared, client_for):
    url = reverse("objectives:ask_create", args=[shared.pk])
    client = client_for(cast.lead_a)

    form = client.get(url)
    response = client.post(
        url,
        {
            "from_team": cast.team_a.pk,
            "to_team": cast.team_b.pk,
            "text": "Share handover times weekly",
            "due_date": "2024-12-01",
        },
    )

    assert form.status_code == 200
    assert response["Location"] == reverse("objectives:detail", args=[shared.pk]) + "#asks"
    ask = Ask.objects.get()
    assert (
        ask.objective,
        ask.from_team,
        ask.to_team,
        ask.text,
        ask.due_date,
        ask.asked_by,
        ask.state,
        ask.status_update,
    ) == (
        shared,
        cast.team_a,
        cast.team_b,
        "Share handover times weekly",
        dt.date(2024, 12, 1),
        cast.lead_a,
        AskState.OPEN,
        None,
    )


def test_the_receiving_team_sees_the_ask_on_my_work_and_accepts_it_in_place(cast, ask, client_for):
    client = client_for(cast.lead_b)

    page = text_of(client.get(MY_WORK))
    swapped = answer(client, ask, "accepted", "Yes, from Monday", HTTP_HX_REQUEST="true")

    assert (
        "Asked of your team NHS 111 online asks Ambulance flow about UEC-01 : "
        "Share handover times weekly Open Asked 15 Nov 2024" in page
    )
    assert swapped.status_code == 200
    assert "HX-Request" in swapped["Vary"]
    assert text_of(swapped).startswith(
        "NHS 111 online asks Ambulance flow about UEC-01 : Share handover times weekly "
        "Accepted Asked 15 Nov 2024"
    )
    assert "Reply from" in text_of(swapped) and "Yes, from Monday" in text_of(swapped)
    assert "Ask from NHS 111 online marked accepted." in text_of(swapped)
    ask.refresh_from_db()
    assert (ask.state, ask.reply, ask.answered_by) == ("accepted", "Yes, from Monday", cast.lead_b)


def test_the_asking_team_sees_the_answer_on_its_my_work(cast, ask, client_for):
    asks.answer_ask(ask=ask, state="accepted", reply="Yes, from Monday", by=cast.lead_b)

    page = text_of(client_for(cast.lead_a).get(MY_WORK))

    assert "Your team's asks of others" in page
    assert "Accepted" in page.split("Your team's asks of others")[1]
    assert "Yes, from Monday" in page


def test_without_javascript_an_answer_redirects_back_with_a_message(cast, ask, client_for):
    client = client_for(cast.lead_b)

    response = answer(client, ask, "done")
    followed = text_of(client.get(response["Location"]))

    assert response.status_code == 302
    assert response["Location"] == MY_WORK
    assert "Ask from NHS 111 online marked done." in followed
    ask.refresh_from_db()
    assert ask.state == "done"


def test_an_offsite_next_is_ignored(cast, ask, client_for):
    response = client_for(cast.lead_b).post(
        reverse("objectives:ask_answer", args=[ask.pk]),
        {"state": "done", "next": "https://evil.example/"},
    )

    assert response["Location"] == MY_WORK


def test_the_asking_team_withdraws_its_ask(cast, ask, client_for):
    response = client_for(cast.lead_a).post(
        reverse("objectives:ask_withdraw", args=[ask.pk]), {"next": "/objectives/"}
    )

    ask.refresh_from_db()
    assert (response["Location"], ask.state) == ("/objectives/", "withdrawn")


def test_the_objective_page_lists_open_asks_then_recently_closed_ones(
    cast, shared, ask, client_for
):
    closed = asks.raise_ask(
        objective=shared,
        from_team=cast.team_b,
        to_team=cast.team_a,
        text="Confirm the go-live date",
        asked_by=cast.lead_b,
    )
    asks.answer_ask(ask=closed, state="declined", reply="Not this quarter", by=cast.lead_a)

    page = text_of(client_for(cast.outsider).get(reverse("objectives:detail", args=[shared.pk])))
    section = page.split("Asks between teams")[1].split("Status history")[0]

    assert section.index("Share handover times weekly Open") < section.index(
        "Confirm the go-live date Declined"
    )
    assert "Not this quarter" in section
    assert "Accept" not in section  # an outsider may read, not answer
    assert "Ask another team for something" not in section


# --- Who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "answer_status", "withdraw_status"),
    [
        ("lead_b", 302, 403),  # the receiving team answers
        ("director_elsewhere", 302, 403),  # directors over the receiving team answer for it
        ("lead_a", 403, 302),  # the asking team withdraws
        ("director_a", 403, 302),
        ("member_a", 403, 403),
        ("outsider", 403, 403),
        ("admin", 302, 302),  # admins anything
    ],
)
def test_only_the_receiving_team_answers_and_only_the_asking_team_withdraws(
    who, answer_status, withdraw_status, cast, shared, client_for
):
    client = client_for(cast.users()[who])
    first, second = (
        asks.raise_ask(
            objective=shared, from_team=cast.team_a, to_team=cast.team_b, text=t, asked_by=None
        )
        for t in ("One", "Two")
    )

    answered = client.post(reverse("objectives:ask_answer", args=[first.pk]), {"state": "done"})
    withdrawn = client.post(reverse("objectives:ask_withdraw", args=[second.pk]))

    assert (answered.status_code, withdrawn.status_code) == (answer_status, withdraw_status)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ("done" if answer_status == 302 else "open")
    assert second.state == ("withdrawn" if withdraw_status == 302 else "open")


def test_a_team_not_involved_in_the_objective_cannot_raise_an_ask_about_it(cast, client_for):
    url = reverse("objectives:ask_create", args=[cast.objective_a.pk])

    assert client_for(cast.lead_b).get(url).status_code == 403


# --- Bad input -----------------------------------------------------------------------------------


def raise_with(client, shared, cast, **changes):
    data = {
        "from_team": cast.team_a.pk,
        "to_team": cast.team_b.pk,
        "text": "Share handover times weekly",
        "due_date": "",
    } | changes
    return client.post(reverse("objectives:ask_create", args=[shared.pk]), data)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"to_team": "TEAM_A"}, "Choose another team: a team cannot ask itself"),
        ({"due_date": "2024-11-14"}, "The date must be today or later"),
        ({"text": ""}, "Say what you need from them"),
        ({"text": "x" * 10_000}, "Keep the ask to 2,000 characters; link to a document for more"),
        ({"from_team": "TEAM_B"}, "Choose a team of this objective you speak for"),
    ],
)
def test_a_bad_ask_is_refused_with_the_reason(changes, error, cast, shared, client_for):
    teams = {"TEAM_A": cast.team_a.pk, "TEAM_B": cast.team_b.pk}
    changes = {key: teams.get(value, value) for key, value in changes.items()}

    response = raise_with(client_for(cast.lead_a), shared, cast, **changes)

    assert response.status_code == 400
    assert error in text_of(response)
    assert Ask.objects.count() == 0


def test_an_ask_of_a_team_not_involved_is_allowed_and_the_team_is_named(cast, shared, client_for):
    pharmacy = TeamFactory(name="Pharmacy", directorate=cast.directorate_b)
    client = client_for(cast.lead_a)

    response = raise_with(client, shared, cast, to_team=pharmacy.pk)

    assert "Your ask is with Pharmacy. Note that Pharmacy is not involved in UEC-01." in text_of(
        client.get(response["Location"])
    )
    assert Ask.objects.get().to_team == pharmacy


def test_a_ten_thousand_character_reply_is_refused_and_changes_nothing(cast, ask, client_for):
    response = answer(client_for(cast.lead_b), ask, "accepted", "x" * 10_000)
    ask.refresh_from_db()

    assert response.status_code == 302
    assert (ask.state, ask.reply) == ("open", "")


def test_declining_needs_a_reply(cast, ask, client_for):
    response = answer(client_for(cast.lead_b), ask, "declined", HTTP_HX_REQUEST="true")

    assert "Say why you are declining, so the asking team can plan" in text_of(response)
    ask.refresh_from_db()
    assert ask.state == "open"


def test_answering_a_closed_ask_again_changes_nothing_and_is_no_error(cast, ask, client_for):
    client = client_for(cast.lead_b)
    answer(client, ask, "done", "Sent")

    again = answer(client, ask, "declined", "Too late")
    followed = text_of(client.get(again["Location"]))

    assert again.status_code == 302
    assert "This ask is already done; nothing changed." in followed
    ask.refresh_from_db()
    assert (ask.state, ask.reply) == ("done", "Sent")


@pytest.mark.parametrize(
    ("before", "answer_state", "after", "moved"),
    [
        ("open", "accepted", "accepted", True),
        ("open", "declined", "declined", True),
        ("open", "done", "done", True),
        ("accepted", "done", "done", True),
        ("accepted", "declined", "declined", True),
        ("accepted", "accepted", "accepted", False),
        ("declined", "done", "declined", False),
        ("withdrawn", "accepted", "withdrawn", False),
    ],
)
def test_answers_move_an_ask_only_from_the_states_they_leave(
    before, answer_state, after, moved, cast, ask
):
    Ask.objects.filter(pk=ask.pk).update(state=before)
    ask.refresh_from_db()

    assert asks.answer_ask(ask=ask, state=answer_state, reply="", by=cast.lead_b) is moved
    ask.refresh_from_db()
    assert ask.state == after


# --- The same rows elsewhere: the unanswered-ask rule and the review pack ----------------------


def test_the_unanswered_ask_rule_reads_only_asks_still_open(cast, shared):
    from risks import loader

    def raised(text, on):
        return asks.raise_ask(
            objective=shared,
            from_team=cast.team_a,
            to_team=cast.team_b,
            text=text,
            asked_by=None,
            now=timezone.make_aware(dt.datetime.combine(on, dt.time(12))),
        )

    raised("Still waiting", dt.date(2024, 10, 31))
    accepted = raised("Answered", dt.date(2024, 10, 1))
    asks.answer_ask(ask=accepted, state="accepted", reply="Yes", by=cast.lead_b)
    raised("Too new", dt.date(2024, 11, 20))

    loaded = loader.load([shared.pk], today=TODAY)[shared.pk]

    assert [(a.from_team, a.to_team, a.text, a.asked_on) for a in loaded.facts.asks] == [
        ("NHS 111 online", "Ambulance flow", "Still waiting", dt.date(2024, 10, 31))
    ]


def test_the_review_pack_lists_the_asks_still_waiting(cast, shared, ask):
    from reviews import services
    from reviews.pack import load

    accepted = asks.raise_ask(
        objective=shared, from_team=cast.team_b, to_team=cast.team_a, text="Go", asked_by=None
    )
    asks.answer_ask(ask=accepted, state="accepted", reply="", by=cast.lead_a)
    done = asks.raise_ask(
        objective=shared, from_team=cast.team_b, to_team=cast.team_a, text="Old", asked_by=None
    )
    asks.answer_ask(ask=done, state="done", reply="", by=cast.lead_a)
    day = services.create_day(
        title="Day",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a, cast.team_b],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )

    pack = load(day, as_at=timezone.make_aware(dt.datetime(2024, 11, 15, 9)))

    assert [(a.from_team, a.to_team, a.text, a.raised) for a in pack.sections[0].asks] == [
        ("NHS 111 online", "Ambulance flow", "Share handover times weekly", "15 Nov 2024"),
        ("Ambulance flow", "NHS 111 online", "Go", "15 Nov 2024 (accepted)"),
    ]
