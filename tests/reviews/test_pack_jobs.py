"""Big review packs: built by a background job, followed with htmx, served from the database."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from reviews import pack_jobs
from reviews.models import PackBuild
from reviews.pdf import FontMissing
from tests.workers import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def big_days(settings):
    settings.PACK_JOB_THRESHOLD = 2  # the world's day shows 3 objectives
    settings.JOB_STALE_MINUTES = 15


def start_build(client, day) -> PackBuild:
    response = client.post(reverse("reviews:pack_build", args=[day.pk]))
    build = PackBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:pack_build_status", args=[day.pk, build.pk])
    return build


def status(client, day, build, **headers):
    return client.get(reverse("reviews:pack_build_status", args=[day.pk, build.pk]), **headers)


def test_a_big_days_pdf_link_offers_to_build_the_pack_and_queues_nothing(world, cast, client_for):
    client = client_for(cast.lead_a)

    response = client.get(reverse("reviews:pack_pdf", args=[world.day.pk]))
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:pack_build", args=[world.day.pk])
    assert "This pack shows 3 objectives" in page.content.decode()
    assert DBTaskResult.objects.count() == 0


def test_building_twice_before_it_is_done_queues_one_job(world, cast, client_for):
    client = client_for(cast.lead_a)
    first = start_build(client, world.day)

    client.post(reverse("reviews:pack_build", args=[world.day.pk]))

    assert PackBuild.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert str(DBTaskResult.objects.get().id) == str(first.task_id)


def test_a_queued_build_polls_until_a_worker_has_built_it(world, cast, client_for):
    client = client_for(cast.lead_a)
    build = start_build(client, world.day)

    waiting = status(client, world.day, build, HTTP_HX_REQUEST="true").content.decode()
    run_worker()
    done = status(client, world.day, build, HTTP_HX_REQUEST="true").content.decode()

    assert "Waiting for a worker" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    assert "The pack is ready." in done
    assert "hx-trigger" not in done
    assert "<html" not in done


def test_the_built_pack_is_served_from_the_database_to_the_person_who_asked_for_it(
    world, cast, client_for, monkeypatch
):
    start_build(client_for(cast.lead_a), world.day)
    run_worker()
    stored = bytes(PackBuild.objects.get().pdf)
    # Nothing may build it again in the request: the stored PDF is what is served.
    monkeypatch.setattr("reviews.cache.build_pack", None)

    response = client_for(cast.lead_a).get(reverse("reviews:pack_pdf", args=[world.day.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == stored
    assert stored.startswith(b"%PDF-")


def test_someone_else_gets_a_build_of_their_own(world, cast, client_for):
    # Its earlier days are those the reader may see, so one person's pack is not another's.
    start_build(client_for(cast.lead_a), world.day)
    run_worker()

    response = client_for(world.lead_c).get(reverse("reviews:pack_pdf", args=[world.day.pk]))

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("reviews:pack_build", args=[world.day.pk]),
    )


def test_running_the_build_job_twice_changes_nothing_more(world, cast, client_for):
    build = start_build(client_for(cast.lead_a), world.day)
    run_worker()
    built = PackBuild.objects.get()

    again = pack_jobs.build.enqueue(build.pk)
    run_worker()

    again.refresh()
    after = PackBuild.objects.get()
    assert again.return_value == {"built": True, "bytes": len(built.pdf)}
    assert (after.built_at, bytes(after.pdf)) == (built.built_at, bytes(built.pdf))


def test_a_failed_build_shows_its_reason_and_offers_to_run_it_again(
    world, cast, client_for, monkeypatch
):
    def no_font(day, *, as_at, viewer):
        raise FontMissing("DejaVu Sans is not installed: apt-get install fonts-dejavu-core")

    monkeypatch.setattr("reviews.pack_jobs.build_pack", no_font)
    client = client_for(cast.lead_a)
    build = start_build(client, world.day)
    run_worker()

    page = status(client, world.day, build).content.decode()

    assert "The pack could not be built" in page
    assert (
        "reviews.pdf.fonts.FontMissing: DejaVu Sans is not installed: "
        "apt-get install fonts-dejavu-core"
    ) in page
    assert "Run again" in page


def test_a_build_whose_worker_died_is_shown_failed_and_runs_again(world, cast, client_for):
    client = client_for(cast.lead_a)
    build = start_build(client, world.day)
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=16)
    )

    page = status(client, world.day, build).content.decode()
    client.post(reverse("reviews:pack_build", args=[world.day.pk]))
    run_worker()

    assert "The worker building it stopped before it finished." in page
    assert "hx-trigger" not in page
    assert PackBuild.objects.filter(built_at__isnull=False).count() == 1
    assert client.get(reverse("reviews:pack_pdf", args=[world.day.pk])).status_code == 200


def test_a_change_to_what_the_pack_shows_needs_a_new_build(world, cast, client_for):
    client = client_for(cast.lead_a)
    start_build(client, world.day)
    run_worker()

    world.bare.title = "Reduce handover delays at every hospital"
    world.bare.save()
    response = client.get(reverse("reviews:pack_pdf", args=[world.day.pk]))

    assert response["Location"] == reverse("reviews:pack_build", args=[world.day.pk])


@pytest.mark.parametrize(
    ("who", "expected"), [("lead_a", 200), ("admin", 200), ("director_a", 403)]
)
def test_only_the_starter_and_admins_follow_a_build(world, cast, client_for, who, expected):
    build = start_build(client_for(cast.lead_a), world.day)

    response = status(client_for(getattr(cast, who)), world.day, build)

    assert response.status_code == expected


def test_a_small_days_build_page_sends_you_to_the_pdf_and_queues_nothing(
    world, cast, client_for, settings
):
    settings.PACK_JOB_THRESHOLD = 3

    response = client_for(cast.lead_a).post(reverse("reviews:pack_build", args=[world.day.pk]))

    assert response["Location"] == reverse("reviews:pack_pdf", args=[world.day.pk])
    assert DBTaskResult.objects.count() == 0
