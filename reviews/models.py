"""Collaboration days: the plan for an away day, its agenda, the objectives in focus, and the
actions and decisions people record on the day. The review pack is built from these rows by
reviews/pack/ (data) and reviews/pdf/ (PDF); nothing here knows about either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from objectives.models import Objective, Plan, Team

User = settings.AUTH_USER_MODEL


class CollaborationDay(models.Model):
    title = models.CharField(max_length=200)
    date = models.DateField()
    venue = models.CharField(max_length=200, blank=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="collaboration_days")
    purpose = models.TextField(blank=True, help_text="What the day is for, in a sentence or two")
    teams = models.ManyToManyField(Team, related_name="collaboration_days")
    facilitator = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="facilitated_days"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "title"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="day_title_not_blank"),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.title} ({self.date:%d %b %Y})"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])


class DaySession(models.Model):
    """One agenda item: a start time, a title and the objectives it discusses."""

    day = models.ForeignKey(CollaborationDay, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.TimeField()
    title = models.CharField(max_length=200)
    objectives = models.ManyToManyField(Objective, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["day", "starts_at", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="session_title_not_blank"),
        ]

    def __str__(self):
        return f"{self.starts_at:%H:%M} {self.title}"


class FocusObjective(models.Model):
    """An objective in focus on a day; position 1 is discussed first and printed first."""

    day = models.ForeignKey(CollaborationDay, on_delete=models.CASCADE, related_name="focus")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["day", "position"]
        constraints = [
            models.UniqueConstraint(fields=["day", "objective"], name="objective_in_focus_once"),
            models.UniqueConstraint(fields=["day", "position"], name="one_focus_per_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="focus_position_from_1"),
        ]

    def __str__(self):
        return f"{self.position}. {self.objective.ref}"


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    day = models.ForeignKey(CollaborationDay, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField()
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_actions"
    )
    owner_name = models.CharField(
        max_length=120, blank=True, help_text="Someone without an account here"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_actions"
    )
    due_date = models.DateField(null=True, blank=True)
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_actions"
    )
    state = models.CharField(max_length=8, choices=ActionState.choices, default=ActionState.OPEN)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(what=""), name="action_what_not_blank"),
            models.CheckConstraint(
                condition=Q(state__in=ActionState.values), name="action_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["day", "state"])]

    def __str__(self):
        return self.what[:60]

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.username
        return self.owner_name

    def is_overdue(self, today) -> bool:
        return (
            self.state == ActionState.OPEN and self.due_date is not None and self.due_date < today
        )


class DecisionKind(models.TextChoices):
    CARRY_ON = "carry_on", "Carry on"
    REBASELINE = "rebaseline", "Rebaseline"
    DESCOPE = "descope", "Descope"
    ESCALATE = "escalate", "Escalate"
    STOP = "stop", "Stop"


class Decision(models.Model):
    day = models.ForeignKey(CollaborationDay, on_delete=models.CASCADE, related_name="decisions")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=DecisionKind.choices)
    why = models.TextField()
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["day", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="decision_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(why=""), name="decision_why_not_blank"),
        ]

    def __str__(self):
        return f"{self.objective.ref}: {self.get_kind_display()}"


class PackBuild(models.Model):
    """A review pack PDF built by a background job (reviews/pack_jobs.py) for a big day.

    The PDF is kept here, in the database every app server shares, not on one server's disk; it is
    served while `fingerprint` (reviews/pack/fingerprint.py) still matches the data.
    """

    day = models.ForeignKey(CollaborationDay, on_delete=models.CASCADE, related_name="pack_builds")
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    # The django-tasks job building it (django_tasks_db's DBTaskResult.id).
    task_id = models.UUIDField(null=True, blank=True)
    # The data the PDF shows; set when the job reads it.
    fingerprint = models.CharField(max_length=64, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "-requested_at", "-pk"]
        indexes = [models.Index(fields=["day", "fingerprint"])]

    def __str__(self):
        return f"Pack of {self.day} requested {self.requested_at:%Y-%m-%d %H:%M}"
