"""Stored findings: what the at-risk rules (risks/rules.py) concluded, kept with their history.

A finding row per objective × rule × subject, raised, confirmed at each evaluation while it holds,
and resolved when it no longer does; each objective's concern level with its headline reason, for
the dashboard to order and filter without evaluating anything; a row each time a concern level
changes, for the monthly chart. risks/services.py writes them all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import rules


class Concern(models.IntegerChoices):
    NONE = rules.NONE, "No concern"
    WATCH = rules.WATCH, "Watch"
    IN_DANGER = rules.IN_DANGER, "In danger"


class Rule(models.TextChoices):
    LOW_CONFIDENCE = rules.LOW_CONFIDENCE, rules.RULES[rules.LOW_CONFIDENCE]
    DIVERGENCE = rules.DIVERGENCE, rules.RULES[rules.DIVERGENCE]
    SILENCE = rules.SILENCE, rules.RULES[rules.SILENCE]
    DETERIORATION = rules.DETERIORATION, rules.RULES[rules.DETERIORATION]
    OVERDUE_MILESTONES = rules.OVERDUE_MILESTONES, rules.RULES[rules.OVERDUE_MILESTONES]
    OFF_TRAJECTORY = rules.OFF_TRAJECTORY, rules.RULES[rules.OFF_TRAJECTORY]
    OPTIMISM = rules.OPTIMISM, rules.RULES[rules.OPTIMISM]
    DEPENDENCY = rules.DEPENDENCY, rules.RULES[rules.DEPENDENCY]
    TIME_PRESSURE = rules.TIME_PRESSURE, rules.RULES[rules.TIME_PRESSURE]
    OWNERSHIP = rules.OWNERSHIP, rules.RULES[rules.OWNERSHIP]
    UNANSWERED_ASK = rules.UNANSWERED_ASK, rules.RULES[rules.UNANSWERED_ASK]


class FlagAcknowledgement(models.Model):
    """A director's note on a finding; it lapses when the finding's evidence gets worse."""

    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    rule = models.CharField(max_length=32)
    subject = models.CharField(
        max_length=120, blank=True, help_text="What the flag is about within the rule, e.g. a team"
    )
    note = models.TextField()
    evidence = models.JSONField(default=dict, help_text="The flag's evidence when acknowledged")
    severity_score = models.FloatField(default=0, help_text="How strong the evidence was")
    level = models.PositiveSmallIntegerField(
        choices=Concern.choices, default=Concern.WATCH, help_text="The finding's level then"
    )
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table this model had in the objectives app, kept so no acknowledgement moves.
        db_table = "objectives_flagacknowledgement"
        ordering = ["objective", "-acknowledged_at"]
        indexes = [
            models.Index(
                fields=["objective", "rule", "subject"], name="objectives__objecti_c69b42_idx"
            )
        ]

    def __str__(self):
        return f"{self.objective_id} {self.rule} acknowledged"

    def covers(self, *, level: int, strength: float) -> bool:
        """Still standing for a finding now at ``level`` and ``strength``: not lapsed."""
        return level <= self.level and strength <= self.severity_score


class Finding(models.Model):
    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="findings"
    )
    rule = models.CharField(max_length=32, choices=Rule.choices)
    subject = models.CharField(max_length=120, blank=True)
    level = models.PositiveSmallIntegerField(choices=Concern.choices)
    explanation = models.TextField()
    evidence = models.JSONField(default=dict)
    strength = models.IntegerField(default=1)
    is_headline = models.BooleanField(default=False)
    acknowledgement = models.ForeignKey(
        FlagAcknowledgement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lapsed = models.BooleanField(default=False, help_text="Acknowledged before it got worse")
    raised_at = models.DateTimeField()
    confirmed_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["objective", "-is_headline", "-level", "rule", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "rule", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_finding_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["objective", "resolved_at"], name="finding_open"),
            models.Index(fields=["raised_at"], name="finding_raised"),
            models.Index(fields=["resolved_at"], name="finding_resolved"),
        ]

    def __str__(self):
        return f"{self.objective_id} {self.label}"

    @property
    def label(self) -> str:
        return (
            f"{self.get_rule_display()}: {self.subject}"
            if self.subject
            else self.get_rule_display()
        )

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledgement_id is not None and not self.lapsed


class ObjectiveConcern(models.Model):
    """One objective's concern level and headline reason, as last evaluated."""

    objective = models.OneToOneField(
        "objectives.Objective", on_delete=models.CASCADE, primary_key=True, related_name="concern"
    )
    plan = models.ForeignKey("objectives.Plan", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Concern.choices, default=Concern.NONE)
    acknowledged = models.BooleanField(
        default=False, help_text="Every finding acknowledged (and none lapsed)"
    )
    strength = models.IntegerField(default=0)
    corroborated = models.BooleanField(default=False)
    headline = models.TextField(blank=True)
    headline_rule = models.CharField(max_length=32, choices=Rule.choices, blank=True)
    finding_count = models.PositiveSmallIntegerField(default=0)
    # Each team's current view as evaluated: [{"team", "rating", "period", "lead"}], lead first.
    views = models.JSONField(default=list)
    worsened_on = models.DateField(null=True, blank=True, help_text="When it reached this level")
    evaluated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["plan", "acknowledged", "-level", "-worsened_on", "-strength"],
                name="concern_dashboard_order",
            ),
        ]

    def __str__(self):
        return f"{self.objective_id}: {self.get_level_display()}"


class ConcernChange(models.Model):
    """A concern level an objective reached, and when: the monthly chart reads these."""

    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="concern_changes"
    )
    level = models.PositiveSmallIntegerField(choices=Concern.choices)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["objective", "changed_at"]
        indexes = [models.Index(fields=["objective", "changed_at"], name="concern_change_when")]

    def __str__(self):
        return f"{self.objective_id} {self.get_level_display()} at {self.changed_at:%d %b %Y}"


class DashboardVisit(models.Model):
    """When a director last opened the dashboard, for "what changed since your last visit"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_visit"
    )
    previous_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user} last visited {self.last_at:%d %b %Y %H:%M}"
