"""Keeps the stored findings current: evaluate objectives and write what the rules say.

``refresh(ids)`` loads the objectives (risks/loader.py), judges each with risks/rules.py and
upserts its findings in its own transaction: an unchanged finding keeps its row and ``raised_at``,
one that no longer holds gets ``resolved_at``, a new one is raised. The objective's concern level,
headline and ordering keys go in ObjectiveConcern, and a ConcernChange row marks each change of
level. Writes happen only where something changed; "confirmed" times move in one query a batch.

``on_objectives_changed`` listens to objectives.signals.objectives_changed (sent on commit) and
refreshes the changed objectives and those that depend on them, in the same request.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from objectives import clock
from objectives.models import Dependency, Objective, Plan

from . import loader, rules
from .models import ConcernChange, Finding, FlagAcknowledgement, ObjectiveConcern

logger = logging.getLogger(__name__)

BATCH = 500  # objectives loaded at a time: a fixed number of queries each


def limits() -> dict:
    return rules.check_thresholds(getattr(settings, "RISK_THRESHOLDS", None))


@dataclass
class Outcome:
    evaluated: int = 0
    raised: int = 0
    resolved: int = 0
    level_changes: int = 0


def refresh(objective_ids, *, today: dt.date | None = None, now=None) -> Outcome:
    """Re-evaluate these objectives as of ``today`` and store the result, stamped ``now``."""
    today = today or clock.today()
    now = now or clock.now()
    ids = sorted(set(objective_ids))
    outcome = Outcome()
    thresholds = limits()
    for start in range(0, len(ids), BATCH):
        _refresh_batch(ids[start : start + BATCH], today, now, thresholds, outcome)
    return outcome


def refresh_plan(plan: Plan, *, today: dt.date | None = None, now=None) -> Outcome:
    ids = Objective.objects.filter(plan=plan).order_by("pk").values_list("pk", flat=True)
    return refresh(list(ids), today=today, now=now)


def with_dependents(objective_ids) -> set[int]:
    """These objectives and those that depend on them."""
    ids = set(objective_ids)
    dependents = Dependency.objects.filter(depends_on_id__in=ids).values_list(
        "objective_id", flat=True
    )
    return ids | set(dependents)


def on_objectives_changed(sender, objective_ids, **kwargs):
    """Receiver: refresh what changed. A failure is logged, not shown: the change itself is
    saved, and the daily ``refresh_risks`` puts the findings right."""
    try:
        refresh(with_dependents(objective_ids))
    except Exception:
        logger.exception("Could not refresh the findings of objectives %s", sorted(objective_ids))


def _refresh_batch(ids, today, now, thresholds, outcome: Outcome) -> None:
    loaded = loader.load(ids, today=today)
    # What these depend on, judged on its own evidence (not its dependencies', so no chain or
    # circle of dependencies can loop).
    wanted = {target for item in loaded.values() for target, _ in item.depends_on}
    targets = {pk: item for pk, item in loaded.items() if pk in wanted}
    targets |= loader.load(wanted - targets.keys(), today=today)
    periods = loader.plan_periods({item.plan_id for item in (loaded | targets).values()})
    own = {
        pk: rules.evaluate(
            item.facts, periods=periods.get(item.plan_id, ()), today=today, limits=thresholds
        )
        for pk, item in targets.items()
    }
    open_findings: dict[int, dict] = {pk: {} for pk in loaded}
    for finding in Finding.objects.filter(objective_id__in=list(loaded), resolved_at__isnull=True):
        open_findings[finding.objective_id][(finding.rule, finding.subject)] = finding
    acks = {}
    for ack in FlagAcknowledgement.objects.filter(objective_id__in=list(loaded)).order_by(
        "acknowledged_at", "pk"
    ):
        acks[(ack.objective_id, ack.rule, ack.subject)] = ack  # the newest wins
    concerns = {c.pk: c for c in ObjectiveConcern.objects.filter(objective_id__in=list(loaded))}

    for pk in sorted(loaded):
        item = loaded[pk]
        dependencies = tuple(
            rules.Dependency(
                ref=targets[target].facts.ref,
                concern=own[target].concern,
                low_views=targets[target].has_low_views,
                delivery_date=targets[target].facts.delivery_date,
                need=need,
            )
            for target, need in item.depends_on
            if target in targets
        )
        verdict = rules.evaluate(
            replace(item.facts, dependencies=dependencies),
            periods=periods.get(item.plan_id, ()),
            today=today,
            limits=thresholds,
        )
        with transaction.atomic():
            _store(item, verdict, open_findings[pk], acks, concerns.get(pk), today, now, outcome)
        outcome.evaluated += 1
    # Everything still open was confirmed by this evaluation.
    Finding.objects.filter(objective_id__in=list(loaded), resolved_at__isnull=True).update(
        confirmed_at=now
    )
    ObjectiveConcern.objects.filter(objective_id__in=list(loaded)).update(evaluated_at=now)


FIELDS = [
    "level",
    "explanation",
    "evidence",
    "strength",
    "is_headline",
    "acknowledgement",
    "lapsed",
]


def _store(item, verdict, open_rows: dict, acks: dict, concern, today, now, outcome) -> None:
    """Upsert one objective's findings and concern. Runs in its own transaction."""
    new, changed = [], []
    headline = verdict.headline.key if verdict.headline else None
    acknowledged = []
    for found in verdict.findings:
        ack = acks.get((item.pk, *found.key))
        lapsed = ack is not None and not ack.covers(level=found.level, strength=found.strength)
        values = {
            "level": found.level,
            "explanation": found.explanation,
            "evidence": found.evidence,
            "strength": found.strength,
            "is_headline": found.key == headline,
            "acknowledgement_id": ack.pk if ack else None,
            "lapsed": lapsed,
        }
        acknowledged.append(ack is not None and not lapsed)
        row = open_rows.pop(found.key, None)
        if row is None:
            new.append(
                Finding(
                    objective_id=item.pk,
                    rule=found.rule,
                    subject=found.subject,
                    raised_at=now,
                    confirmed_at=now,
                    **values,
                )
            )
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    Finding.objects.bulk_create(new)
    if changed:
        Finding.objects.bulk_update(changed, FIELDS)
    if open_rows:
        Finding.objects.filter(pk__in=[row.pk for row in open_rows.values()]).update(
            resolved_at=now
        )
    outcome.raised += len(new)
    outcome.resolved += len(open_rows)

    old_level = concern.level if concern else rules.NONE
    if verdict.concern != old_level:
        ConcernChange.objects.create(objective_id=item.pk, level=verdict.concern, changed_at=now)
        outcome.level_changes += 1
    if verdict.concern == rules.NONE:
        worsened_on = None
    elif verdict.concern > old_level or concern is None or concern.worsened_on is None:
        worsened_on = today
    else:
        worsened_on = concern.worsened_on
    wanted = {
        "plan_id": item.plan_id,
        "level": verdict.concern,
        "acknowledged": bool(acknowledged) and all(acknowledged),
        "strength": verdict.strength,
        "corroborated": verdict.corroborated,
        "headline": verdict.reason,
        "headline_rule": verdict.headline.rule if verdict.headline else "",
        "finding_count": len(verdict.findings),
        "views": [
            {
                "team": team.name,
                "rating": team.current.rating if team.current else None,
                "period": rules.month(team.current.period_start) if team.current else "",
                "lead": team.is_lead,
            }
            for team in item.facts.teams
        ],
        "worsened_on": worsened_on,
    }
    if concern is None:
        ObjectiveConcern.objects.create(objective_id=item.pk, evaluated_at=now, **wanted)
    elif any(getattr(concern, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(concern, name, value)
        concern.save(update_fields=list(wanted))


def acknowledge(*, finding: Finding, note: str, user, now=None) -> FlagAcknowledgement:
    """A director's note on an open finding; the objective is re-evaluated once it commits."""
    now = now or clock.now()
    with transaction.atomic():
        acknowledgement = FlagAcknowledgement.objects.create(
            objective_id=finding.objective_id,
            rule=finding.rule,
            subject=finding.subject,
            note=note,
            evidence=finding.evidence,
            severity_score=finding.strength,
            level=finding.level,
            acknowledged_by=user,
        )
        # The app's clock, so a pinned demo date reads right beside the findings' own dates.
        FlagAcknowledgement.objects.filter(pk=acknowledgement.pk).update(acknowledged_at=now)
        transaction.on_commit(lambda: refresh([finding.objective_id], now=now))
    return acknowledgement


def replay(plan: Plan, *, today: dt.date, months: int | None = None) -> int:
    """Evaluate ``plan`` as at each past month end (the last ``months`` of them, or all), then
    today, so the flag history (raised and resolved times, concern changes) tells the year's
    story. Returns the month ends replayed."""
    ends = list(
        plan.periods.filter(end_date__lt=today).order_by("month").values_list("end_date", flat=True)
    )
    if months is not None:
        ends = ends[-months:] if months else []
    # A replay writes the history afresh: findings stored before (say, as the demo was built)
    # would otherwise be resolved "in April" after being raised today.
    Finding.objects.filter(objective__plan=plan).delete()
    ConcernChange.objects.filter(objective__plan=plan).delete()
    ObjectiveConcern.objects.filter(plan=plan).delete()
    for end in ends:
        at = timezone.make_aware(dt.datetime.combine(end, dt.time(18)))
        refresh_plan(plan, today=end, now=at)
    refresh_plan(plan, today=today)
    return len(ends)
