"""The audit trail: one JSON line per security-relevant event, with who, what, when and outcome."""

import datetime as dt
import io
import json
import logging

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import path, reverse

from config.urls import urlpatterns as project_urlpatterns
from objectives.audit import JsonFormatter, audit

NOW = dt.datetime(2024, 11, 15, 9, 30, tzinfo=dt.UTC)


def refuse(request):
    raise PermissionDenied


urlpatterns = [*project_urlpatterns, path("test-audit/refuse/", refuse)]


@pytest.fixture
def audit_lines():
    """The audit lines written during the test, parsed back from the real JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("audit")
    logger.addHandler(handler)
    with time_machine.travel(NOW, tick=False):
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_a_sign_in_is_recorded_with_who_when_and_where(cast, client, audit_lines):
    sign_in(client, "lead_a", "demo-password-123")

    assert audit_lines() == [
        {
            "time": "2024-11-15T09:30:00.000+00:00",
            "level": "INFO",
            "logger": "audit",
            "event": "login",
            "outcome": "success",
            "user": "lead_a",
            "user_id": cast.lead_a.pk,
            "object": None,
            "ip": "10.0.0.1",
            "method": "POST",
            "path": "/accounts/login/",
            "details": {"route": "password"},
        }
    ]


def test_a_failed_sign_in_is_recorded_with_the_name_typed_and_never_the_password(
    db, client, audit_lines
):
    sign_in(client, "nobody", "hunter2-secret")

    lines = audit_lines()
    assert [(line["event"], line["outcome"], line["user"], line["user_id"]) for line in lines] == [
        ("login_failed", "refused", "nobody", None)
    ]
    assert "hunter2-secret" not in json.dumps(lines)


def test_a_lock_out_is_recorded(cast, client, audit_lines):
    for _ in range(5):
        sign_in(client, "lead_a", "wrong")

    events = [(line["event"], line["outcome"], line["user"]) for line in audit_lines()]
    assert events == [
        *[("login_failed", "refused", "lead_a")] * 4,
        ("lockout", "locked_out", "lead_a"),
        ("login_failed", "refused", "lead_a"),
    ]


def test_signing_out_is_recorded(cast, client, audit_lines):
    client.force_login(cast.lead_a)

    client.post(reverse("logout"))

    assert [(line["event"], line["user"]) for line in audit_lines()] == [
        ("login", "lead_a"),
        ("logout", "lead_a"),
    ]


@pytest.mark.urls(__name__)
def test_a_permission_refusal_is_recorded_with_the_user_and_path(cast, client, audit_lines):
    client.force_login(cast.lead_b)

    client.get("/test-audit/refuse/", REMOTE_ADDR="10.0.0.7")

    refusal = audit_lines()[-1]
    assert {key: refusal[key] for key in ("event", "outcome", "user", "ip", "method", "path")} == {
        "event": "permission_denied",
        "outcome": "refused",
        "user": "lead_b",
        "ip": "10.0.0.7",
        "method": "GET",
        "path": "/test-audit/refuse/",
    }
    assert refusal["details"] == {"reason": "permission"}


def test_a_csrf_failure_is_recorded_as_a_refusal(db, audit_lines):
    from django.test import Client

    Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "a", "password": "b"})

    assert [(line["event"], line["details"]) for line in audit_lines()] == [
        ("permission_denied", {"reason": "csrf"})
    ]


def test_an_event_about_an_object_names_its_type_id_and_label(cast, audit_lines):
    request = RequestFactory().post("/objectives/1/", REMOTE_ADDR="10.0.0.3")

    audit(
        "flag_acknowledged",
        user=cast.director_a,
        obj=cast.objective_a,
        outcome="acknowledged",
        request=request,
        rule="divergence",
    )

    (line,) = audit_lines()
    assert line["object"] == {
        "type": "objectives.objective",
        "id": cast.objective_a.pk,
        "label": str(cast.objective_a),
    }
    assert (line["user"], line["ip"], line["details"]) == (
        "director_a",
        "10.0.0.3",
        {"rule": "divergence"},
    )


def test_a_hostile_username_stays_on_one_line_and_is_clipped(db, audit_lines):
    audit("login_failed", user='evil\n{"event": "login"}\r\x00' + "x" * 500, outcome="refused")

    (line,) = audit_lines()
    assert line["event"] == "login_failed"
    assert line["user"].startswith('evil\n{"event": "login"}\r\x00xxx')
    assert len(line["user"]) == 200


def test_audit_lines_go_to_the_audit_logger_as_json(settings):
    assert settings.LOGGING["handlers"]["audit"]["formatter"] == "json"
    assert settings.LOGGING["loggers"]["audit"] == {
        "handlers": ["audit"],
        "level": "INFO",
        "propagate": False,
    }


# --- Events recorded by the features ------------------------------------------------------------


def test_a_directors_change_to_a_locked_period_is_recorded(cast, client, audit_lines, settings):
    from objectives.models import Period, StatusUpdate
    from tests.factories import period

    settings.TODAY = dt.date(2024, 11, 15)
    Period.objects.filter(plan=cast.plan, month=8).update(locked=True)
    client.force_login(cast.director_a)

    client.post(
        reverse("objectives:update_status", args=[cast.objective_a.pk, cast.team_a.pk]),
        {"period": period(cast.plan, 8).pk, "rating": "amber", "going_well": "Recovering"},
    )

    update = StatusUpdate.objects.get()
    override = audit_lines()[-1]
    assert {key: override[key] for key in ("event", "outcome", "user", "object", "details")} == {
        "event": "lock_override",
        "outcome": "saved",
        "user": "director_a",
        "object": {"type": "objectives.statusupdate", "id": update.pk, "label": str(update)},
        "details": {"team": "NHS 111 online"},
    }


def test_a_plan_import_is_recorded_with_the_plan_and_file(cast, client, audit_lines):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.director_a)
    csv = b"ref,title,lead_team\nDIG-02,Open the new front door,NHS 111 online\n"
    upload = client.post(
        reverse("imports:start"),
        {"plan": "2024/25", "file": SimpleUploadedFile("plan.csv", csv, "text/csv")},
    )
    client.post(upload.headers["Location"].replace("/preview/", "/confirm/"))

    imported = audit_lines()[-1]
    assert {key: imported[key] for key in ("event", "outcome", "user", "object", "details")} == {
        "event": "plan_import",
        "outcome": "imported",
        "user": "director_a",
        "object": {"type": "objectives.plan", "id": cast.plan.pk, "label": str(cast.plan)},
        "details": {"file": "plan.csv"},
    }


def test_a_flag_acknowledgement_is_recorded_with_the_objective_and_rule(cast, client, audit_lines):
    from tests.factories import add_update

    cast.objective_a.owner = cast.lead_a
    cast.objective_a.save()
    add_update(cast.objective_a, cast.team_a, 7, "red")
    from risks import services
    from risks.models import Finding

    services.refresh([cast.objective_a.pk])
    client.force_login(cast.director_a)

    response = client.post(
        reverse("risks:acknowledge", args=[cast.objective_a.pk]),
        {"finding": Finding.objects.get().pk, "note": "Recovery plan agreed."},
    )

    assert response.status_code == 302
    line = audit_lines()[-1]
    assert {key: line[key] for key in ("event", "outcome", "user", "object", "details")} == {
        "event": "flag_acknowledged",
        "outcome": "acknowledged",
        "user": "director_a",
        "object": {
            "type": "objectives.objective",
            "id": cast.objective_a.pk,
            "label": str(cast.objective_a),
        },
        "details": {"rule": "low_confidence"},
    }


def test_review_pack_downloads_are_recorded(cast, client, audit_lines, settings):
    from reviews import services

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "packs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "a"},
    }
    day = services.create_day(
        title="Winter readiness",
        date=dt.date(2024, 11, 28),
        plan=cast.plan,
        teams=[cast.team_a],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
        venue="Leeds",
    )
    client.force_login(cast.member_a)

    pdf = client.get(reverse("reviews:pack_pdf", args=[day.pk]))
    html = client.get(reverse("reviews:pack_html", args=[day.pk]))

    assert (pdf.status_code, html.status_code) == (200, 200)
    lines = [line for line in audit_lines() if line["event"] == "pack_download"]
    assert [
        (line["outcome"], line["user"], line["object"]["type"], line["object"]["id"])
        + (line["details"],)
        for line in lines
    ] == [
        ("downloaded", "member_a", "reviews.collaborationday", day.pk, {"format": "pdf"}),
        ("viewed", "member_a", "reviews.collaborationday", day.pk, {"format": "html"}),
    ]
