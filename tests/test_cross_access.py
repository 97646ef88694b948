"""Every URL that takes an object id, tried by people of another team or directorate.

For each, GET and POST (with data that would save, were the check missing) must answer 403 or 404
— or 405 where the method does not exist — show none of the object's data, and change nothing in
the database.

Objectives are the organisation's shared plan, readable by everyone signed in by design (see the
docstring of objectives/permissions.py): objectives:detail, objectives:measure and the plan export
are *readable* here, so for them only writes are checked. A meta-test fails when a URL pattern
with an id has no entry below, so a new one cannot slip through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from objectives.asks import raise_ask
from objectives.models import Milestone
from tests.factories import MeasureFactory, period

pytestmark = pytest.mark.django_db

# Text only team A's people (and those overseeing directorate A) may see.
PRIVATE = "PRIVATE-TO-TEAM-A"
REFUSED = {403, 404}
NO_SUCH_METHOD = 405


@dataclass
class World:
    cast: object
    milestone: object
    measure: object
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    """`user` (a cast attribute) tries `url_name` with `args(world)`."""

    url_name: str
    user: str
    args: object
    data: object = None  # world -> POST data that would save
    readable: bool = False  # GET is allowed to everyone signed in, by design
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.url_name}-{self.user}" + (f"-{self.why}" if self.why else "")


def status_data(world):
    cast = world.cast
    return {
        "period": period(cast.plan, 8).pk,
        "rating": "red",
        "going_well": "Written by someone from another team",
        "not_going_well": "Should never be saved",
    }


def edit_data(world):
    objective = world.cast.objective_a
    return {
        "version": objective.version,
        "title": "Taken over by another team",
        "description": "Should never be saved",
        "priority": objective.priority,
        "state": objective.state,
        "delivery_date": "31/03/2025",
    }


def readings_data(world):
    return {"mode": "single", "date": "30/06/2024", "value": "99", "note": "Should not save"}


def day_data(world):
    cast = world.cast
    return {
        "title": "Taken over",
        "date": "2024-12-01",
        "venue": "Elsewhere",
        "plan": cast.plan.pk,
        "teams": [cast.team_b.pk],
        "facilitator": cast.lead_b.pk,
    }


def action_data(world):
    return {"what": "Should never be saved", "owner_name": "Someone", "due_date": "2025-01-31"}


def decision_data(world):
    return {"objective": world.cast.objective_a.pk, "kind": "stop", "why": "Should never be saved"}


def ack_data(world):
    return {"finding": 1, "note": "Not theirs to say"}


# Day A: team A's collaboration day. Outsiders to it may neither read nor change it; a member of
# team A may read it but only its facilitator and directors over team A may change it.
DAY_READS = ("reviews:detail", "reviews:pack_pdf", "reviews:pack_html", "reviews:pack_build")
DAY_WRITES = {
    "reviews:edit": (lambda w: [w.extra["day"].pk], day_data),
    "reviews:focus_add": (
        lambda w: [w.extra["day"].pk],
        lambda w: {"objective": w.cast.objective_a.pk},
    ),
    "reviews:focus_remove": (lambda w: [w.extra["day"].pk, w.extra["focus"].pk], lambda w: {}),
    "reviews:focus_move": (
        lambda w: [w.extra["day"].pk, w.extra["focus"].pk],
        lambda w: {"direction": "up"},
    ),
    "reviews:session_add": (
        lambda w: [w.extra["day"].pk],
        lambda w: {"starts_at": "10:00", "title": "Hijacked", "objectives": []},
    ),
    "reviews:session_delete": (
        lambda w: [w.extra["day"].pk, w.extra["session"].pk],
        lambda w: {},
    ),
    "reviews:action_add": (lambda w: [w.extra["day"].pk], action_data),
    "reviews:action_update": (
        lambda w: [w.extra["day"].pk, w.extra["action"].pk],
        lambda w: {"state": "dropped", "note": "Should never be saved"},
    ),
    "reviews:decision_add": (lambda w: [w.extra["day"].pk], decision_data),
}
# Team B's own day, managed by lead_b: the nested ids of day A must not be reachable through it.
NESTED = {
    "reviews:focus_remove": "focus",
    "reviews:focus_move": "focus",
    "reviews:session_delete": "session",
    "reviews:action_update": "action",
}


ATTEMPTS = [
    # A team's status: only its lead, and directors overseeing it.
    *[
        Attempt(
            "objectives:update_status",
            user,
            lambda w: [w.cast.objective_a.pk, w.cast.team_a.pk],
            status_data,
        )
        for user in ("lead_b", "member_a", "director_elsewhere", "outsider")
    ],
    Attempt(
        "objectives:update_status",
        "lead_b",
        lambda w: [w.cast.objective_a.pk, w.cast.team_b.pk],
        status_data,
        why="own-team-not-involved",
    ),
    Attempt(
        "objectives:update_status",
        "lead_a",
        lambda w: [w.cast.objective_b.pk, w.cast.team_a.pk],
        status_data,
        why="own-team-on-other-objective",
    ),
    # Reading objectives is open to all; changing them is not.
    *[
        Attempt(
            "objectives:detail",
            user,
            lambda w: [w.cast.objective_a.pk],
            edit_data,
            readable=True,
        )
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt("objectives:edit", user, lambda w: [w.cast.objective_a.pk], edit_data)
        for user in ("lead_b", "member_a", "director_elsewhere", "outsider")
    ],
    *[
        Attempt("objectives:milestone_done", user, lambda w: [w.milestone.pk], lambda w: {})
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt("objectives:measure", user, lambda w: [w.measure.pk], readings_data, readable=True)
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt("objectives:add_readings", user, lambda w: [w.measure.pk], readings_data)
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt(
            "objectives:measure_rebase",
            user,
            lambda w: [w.measure.pk],
            lambda w: {"date": "2024-06-30"},
        )
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    # Asks: a team speaks through its lead (or deputy) and directors over it. Team A asks team B:
    # only team B's side answers, only team A's side withdraws.
    *[
        Attempt(
            "objectives:ask_create",
            user,
            lambda w: [w.cast.objective_a.pk],
            lambda w: {"from_team": w.cast.team_a.pk, "to_team": w.cast.team_b.pk, "text": "No"},
        )
        for user in ("lead_b", "member_a", "director_elsewhere", "outsider")
    ],
    *[
        Attempt(
            "objectives:ask_answer",
            user,
            lambda w: [w.extra["ask"].pk],
            lambda w: {"state": "declined", "reply": "Should never be saved"},
        )
        for user in ("lead_a", "member_a", "director_a", "outsider")
    ],
    *[
        Attempt("objectives:ask_withdraw", user, lambda w: [w.extra["ask"].pk], lambda w: {})
        for user in ("lead_b", "member_a", "director_elsewhere", "outsider")
    ],
    # An import in progress belongs to the session that uploaded it.
    *[
        Attempt(name, user, lambda w: [w.extra["import_token"]], lambda w: {})
        for name in ("imports:preview", "imports:confirm")
        for user in ("director_elsewhere", "org_director", "lead_b")
    ],
    # Collaboration days.
    *[
        Attempt(name, user, lambda w: [w.extra["day"].pk], lambda w: {})
        for name in DAY_READS
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt(name, user, args, data)
        for name, (args, data) in DAY_WRITES.items()
        for user in ("lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt(name, "member_a", args, data, why="reads-the-day-but-may-not-change-it")
        for name, (args, data) in DAY_WRITES.items()
    ],
    *[
        Attempt(
            name,
            "lead_b",
            lambda w, kind=kind: [w.extra["own_day"].pk, w.extra[kind].pk],
            DAY_WRITES[name][1],
            why="through-own-day",
        )
        for name, kind in NESTED.items()
    ],
    # A pack being built in the background: only its starter follows it (and admins).
    *[
        Attempt(
            "reviews:pack_build_status",
            user,
            lambda w: [w.extra["day"].pk, w.extra["pack_build"].pk],
            lambda w: {},
        )
        for user in ("lead_b", "director_elsewhere", "outsider", "member_a")
    ],
    # Actions follow their owners: only the owner, their team's side and the day's managers mark
    # one; an objective's record is readable, filtered to the days the reader may see.
    *[
        Attempt(
            "reviews:action_mark",
            user,
            lambda w: [w.extra["action"].pk],
            lambda w: {"state": "dropped", "note": "Should never be saved"},
        )
        for user in ("lead_b", "member_a", "director_elsewhere", "outsider")
    ],
    *[
        Attempt(
            "reviews:objective_record",
            user,
            lambda w: [w.cast.objective_a.pk],
            lambda w: {},
            readable=True,
        )
        for user in ("lead_b", "outsider")
    ],
    # Flags: everyone may read an objective's flags; only directors over it acknowledge them.
    *[
        Attempt(
            "risks:objective_flags",
            user,
            lambda w: [w.cast.objective_a.pk],
            ack_data,
            readable=True,
        )
        for user in ("lead_b", "outsider")
    ],
    *[
        Attempt("risks:acknowledge", user, lambda w: [w.cast.objective_a.pk], ack_data)
        for user in ("lead_a", "lead_b", "director_elsewhere", "outsider")
    ],
    *[
        Attempt(
            "imports:export",
            user,
            lambda w: [w.cast.plan.pk],
            lambda w: {},
            readable=True,
        )
        for user in ("lead_b", "outsider")
    ],
    # A password reset link names an account and carries a token only its email received: someone
    # else's id with a forged token is "This link does not work" (404) and sets nothing.
    Attempt(
        "accounts:password_reset_confirm",
        "lead_b",
        lambda w: [urlsafe_base64_encode(force_bytes(w.cast.lead_a.pk)), "forged-token"],
        lambda w: {"new_password1": "Taken-over-99", "new_password2": "Taken-over-99"},
    ),
]

PERMISSION_COVERED_URLS = {attempt.url_name for attempt in ATTEMPTS}


@pytest.fixture
def world(cast, client, settings):
    settings.TODAY = dt.date(2024, 11, 15)
    objective = cast.objective_a
    objective.description = f"{PRIVATE} description"
    objective.save()
    milestone = Milestone.objects.create(
        objective=objective,
        title=f"{PRIVATE} milestone",
        due_date=dt.date(2024, 10, 1),
        team=cast.team_a,
    )
    measure = MeasureFactory(objective=objective, name=f"{PRIVATE} measure", team=cast.team_a)
    world = World(cast=cast, milestone=milestone, measure=measure)
    world.extra["import_token"] = upload_import(client, cast.director_a)
    world.extra.update(collaboration_days(cast))
    world.extra["ask"] = raise_ask(
        objective=objective,
        from_team=cast.team_a,
        to_team=cast.team_b,
        text=f"{PRIVATE} ask",
        asked_by=cast.lead_a,
    )
    client.logout()
    return world


def collaboration_days(cast) -> dict:
    from reviews import pack_jobs, services

    day = services.create_day(
        title=f"{PRIVATE} away day",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
        venue="Leeds",
    )
    own_day = services.create_day(
        title="Team B's day",
        date=dt.date(2024, 11, 29),
        plan=cast.plan,
        teams=[cast.team_b],
        facilitator=cast.lead_b,
        created_by=cast.lead_b,
        venue="York",
    )
    return {
        "day": day,
        "own_day": own_day,
        "focus": services.add_focus(day=day, objective=cast.objective_a),
        "session": services.add_session(
            day=day, starts_at=dt.time(10, 0), title=f"{PRIVATE} session"
        ),
        "action": services.record_action(
            day=day, what=f"{PRIVATE} action", created_by=cast.lead_a, owner=cast.lead_a
        ),
        "pack_build": pack_jobs.request_build(day=day, user=cast.lead_a),
        "decision": services.record_decision(
            day=day,
            objective=cast.objective_a,
            kind="carry_on",
            why=f"{PRIVATE} decision",
            recorded_by=cast.lead_a,
        ),
    }


def upload_import(client, director) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(director)
    csv = f"ref,title,lead_team\nDIG-09,{PRIVATE} import,NHS 111 online\n".encode()
    response = client.post(
        reverse("imports:start"),
        {"plan": "2024/25", "file": SimpleUploadedFile("plan.csv", csv, "text/csv")},
    )
    assert response.status_code == 302, response.status_code
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def snapshot() -> str:
    """Every row of the apps' own tables, serialised: any change shows up as a difference."""
    from django.apps import apps

    models = [
        model
        for label in ("objectives", "reviews")
        if label in {config.label for config in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models()
    ]
    return "\n".join(
        serializers.serialize("json", model.objects.order_by("pk")) for model in models
    )


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda attempt: attempt.id)
def test_another_team_or_directorate_gets_no_data_and_changes_nothing(world, client_for, attempt):
    user = getattr(world.cast, attempt.user)
    url = reverse(attempt.url_name, args=attempt.args(world))
    before = snapshot()
    client = client_for(user)

    read = client.get(url)
    write = client.post(url, attempt.data(world) if attempt.data else {})

    if attempt.readable:
        # Reading is allowed by design; a POST to a read-only page may render it again (200),
        # but must change nothing.
        assert read.status_code == 200
        assert write.status_code in REFUSED | {NO_SUCH_METHOD, 200}
    else:
        assert read.status_code in REFUSED | {NO_SUCH_METHOD}
        assert PRIVATE not in read.content.decode(errors="replace")
        assert write.status_code in REFUSED | {NO_SUCH_METHOD}
        assert PRIVATE not in write.content.decode(errors="replace")
    assert snapshot() == before
    # Every URL here refuses at least one method outright; a 405 on both would test nothing.
    assert {read.status_code, write.status_code} & REFUSED or attempt.readable


def test_a_missing_id_is_404_not_500(world, client_for):
    client = client_for(world.cast.admin)
    answers = {}
    for name in sorted(PERMISSION_COVERED_URLS):
        attempt = next(a for a in ATTEMPTS if a.url_name == name)
        args = ["missing-token" if isinstance(a, str) else 987_654 for a in attempt.args(world)]
        answers[name] = (
            client.get(reverse(name, args=args)).status_code,
            client.post(reverse(name, args=args), {}).status_code,
        )

    assert {name: codes for name, codes in answers.items() if not set(codes) <= {404, 405}} == {}


def url_patterns_with_ids(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_patterns_with_ids(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.pattern.converters:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_with_an_id_has_a_cross_access_attempt():
    with_ids = {name for name in url_patterns_with_ids() if not name.startswith("admin:")}

    assert sorted(with_ids - PERMISSION_COVERED_URLS) == []
