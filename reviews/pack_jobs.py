"""Big review packs, built by a background job and kept in the database until the data changes.

A pack of a few focus objectives builds in a second inside the request (reviews/cache.py). A
directorate's or the whole plan's pack (hundreds or thousands of objectives) takes longer than a
request may, so for a day showing more than PACK_JOB_THRESHOLD objectives the download page offers
"Build the pack": `request_build` records a PackBuild and queues `build` for a worker; the page
polls `state` until the PDF is ready, then serves it from the database to anyone who may see the
day, on any app server, until something it shows changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from jobs import stale
from objectives import clock
from objectives.models import Objective

from .models import CollaborationDay, PackBuild
from .pack import fingerprint
from .pdf import build_pack


def objective_count(day: CollaborationDay) -> int:
    """How many objectives the pack shows: the participating teams' objectives of the plan."""
    return (
        Objective.objects.filter(plan_id=day.plan_id, contributions__team__in=day.teams.all())
        .distinct()
        .count()
    )


def is_big(day: CollaborationDay) -> bool:
    return objective_count(day) > settings.PACK_JOB_THRESHOLD


def current_fingerprint(day: CollaborationDay, viewer) -> str:
    return fingerprint(day, today=clock.today(), viewer=viewer)


def ready_pack(day: CollaborationDay, viewer) -> PackBuild | None:
    """The viewer's newest built pack that still shows today's data, if any. A pack is built for
    the person who asked (the earlier days it shows are those they may see), so it is theirs."""
    return (
        PackBuild.objects.filter(
            day=day,
            requested_by=viewer,
            fingerprint=current_fingerprint(day, viewer),
            built_at__isnull=False,
        )
        .order_by("-built_at")
        .first()
    )


@task()
def build(pack_build_id: int) -> dict:
    """Build the pack of a PackBuild and store it. Safe to run twice: a built one is left as is."""
    pack = PackBuild.objects.select_related("day", "requested_by").filter(pk=pack_build_id).first()
    if pack is None:
        return {"built": False, "why": "the request was deleted"}
    if pack.built_at is not None:
        return {"built": True, "bytes": len(pack.pdf)}
    now = clock.now().replace(second=0, microsecond=0)
    # Read before the build: if the data changes meanwhile, the pack is older than the data and
    # the next visit builds it again, never the other way round.
    viewer = pack.requested_by
    pack.fingerprint = fingerprint(pack.day, today=now.date(), viewer=viewer)
    pack.pdf = build_pack(pack.day, as_at=now, viewer=viewer)
    pack.built_at = timezone.now()
    with transaction.atomic():
        pack.save(update_fields=["fingerprint", "pdf", "built_at"])
        # Older packs of this day show older data: nobody will be served them again.
        PackBuild.objects.filter(day=pack.day, requested_by=viewer, built_at__isnull=False).exclude(
            fingerprint=pack.fingerprint
        ).delete()
    return {"built": True, "bytes": len(pack.pdf)}


def request_build(*, day: CollaborationDay, user) -> PackBuild:
    """The user's pending or finished build of this day's current data, or a new one queued.

    Pressing "Build the pack" twice, or on two servers, queues one job, not two.
    """
    mine = PackBuild.objects.filter(day=day, requested_by=user).defer("pdf")
    for pack in mine.order_by("-requested_at")[:1]:
        if state(pack).status in {"queued", "running"}:
            return pack
        if pack.built_at is not None and pack.fingerprint == current_fingerprint(day, user):
            return pack
    with transaction.atomic():
        pack = PackBuild.objects.create(day=day, requested_by=user)
        pack.task_id = build.enqueue(pack.pk).id
        pack.save(update_fields=["task_id"])
    return pack


@dataclass(frozen=True)
class State:
    status: str  # queued, running, ready, failed
    started_at: object = None
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.status in {"ready", "failed"}


def state(pack: PackBuild) -> State:
    """Where a build is, read from its job: the database every server shares."""
    if pack.built_at is not None:
        return State("ready")
    try:
        result = build.get_result(str(pack.task_id))
    except TaskResultDoesNotExist:
        return State("failed", message="The job was removed before it ran.")
    if result.status == TaskResultStatus.READY:
        return State("queued")
    if result.status == TaskResultStatus.RUNNING:
        if stale.is_stale(result):
            return State("failed", message="The worker building it stopped before it finished.")
        return State("running", started_at=result.started_at)
    if result.status == TaskResultStatus.FAILED:
        return State("failed", message=failure_message(result))
    return State("failed", message="The pack was not stored; build it again.")


def failure_message(result) -> str:
    """The exception's last line ("FontMissing: DejaVu Sans is not installed..."), no traceback."""
    error = result.errors[-1]
    if error.exception_class_path == stale.WORKER_LOST:
        return "The worker building it stopped before it finished."
    lines = [line for line in error.traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else error.exception_class_path
