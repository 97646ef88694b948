"""The objectives domain: organisation, plans and periods, objectives, measures and status updates.

Words follow ../shared/DESIGN.md. Rules (ratings, SPC, risk) live in their own pure modules; models
keep only thin helpers and the constraints that must never be false.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from .ratings import Rating

User = settings.AUTH_USER_MODEL


# --- Organisation -------------------------------------------------------------------------------


class Directorate(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(max_length=12, unique=True, help_text="Short code, e.g. DIG")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TeamKind(models.TextChoices):
    DIGITAL = "digital", "Digital"
    OPERATIONAL = "operational", "Operational"
    POLICY = "policy", "Policy"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="teams")
    kind = models.CharField(max_length=16, choices=TeamKind.choices, default=TeamKind.OPERATIONAL)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    DEPUTY = "deputy", "Deputy"  # a member's rights for now (objectives/permissions.py)
    MEMBER = "member", "Member"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} – {self.team} ({self.get_role_display()})"


class Directorship(models.Model):
    """A director oversees one directorate, or the whole organisation when directorate is empty."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="directorships")
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="directorships",
        help_text="Leave empty for an organisation-wide director.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "directorate"], name="one_directorship_per_directorate"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(directorate__isnull=True),
                name="one_organisation_wide_directorship",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.directorate or 'whole organisation'}"


# --- Plans and periods --------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    CLOSED = "closed", "Closed"


class Plan(models.Model):
    label = models.CharField(max_length=7, unique=True, help_text="Financial year, e.g. 2024/25")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    agreed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="plan_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.AGREED) | Q(agreed_on__isnull=False),
                name="agreed_plan_has_agreed_date",
            ),
        ]

    def __str__(self):
        return self.label

    @staticmethod
    def label_for_year(start_year: int) -> str:
        return f"{start_year}/{(start_year + 1) % 100:02d}"

    @staticmethod
    def dates_for_label(label: str) -> tuple[dt.date, dt.date]:
        """'2024/25' -> (2024-04-01, 2025-03-31); ValueError names what is expected."""
        try:
            first, second = label.split("/")
            start_year = int(first)
            if len(first) != 4 or int(second) != (start_year + 1) % 100 or len(second) != 2:
                raise ValueError
        except ValueError:
            raise ValueError(f"'{label}' is not a financial year; use the form 2024/25") from None
        return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)

    def period_for(self, day: dt.date) -> Period | None:
        return self.periods.filter(start_date__lte=day, end_date__gte=day).first()


def month_bounds(plan_start: dt.date, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of reporting month `month` (1 = April) of a plan starting plan_start."""
    index = plan_start.month - 1 + month - 1
    year = plan_start.year + index // 12
    first = dt.date(year, index % 12 + 1, 1)
    next_first = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
    return first, next_first - dt.timedelta(days=1)


class Period(models.Model):
    MID_YEAR_MONTH = 6  # September, the sixth month of a financial year

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    month = models.PositiveSmallIntegerField(help_text="Reporting month: 1 = April … 12 = March")
    start_date = models.DateField()
    end_date = models.DateField()
    locked = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="one_period_per_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="period_month_1_to_12"
            ),
        ]
        indexes = [models.Index(fields=["plan", "end_date"])]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.start_date.strftime("%B %Y")

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    @property
    def is_mid_year(self) -> bool:
        return self.month == self.MID_YEAR_MONTH


# --- Objectives ---------------------------------------------------------------------------------


class State(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class Priority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="objectives")
    ref = models.CharField(max_length=20, help_text="Unique within the plan, e.g. DIG-07")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    lead_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="led_objectives")
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_objectives"
    )
    stakeholders = models.TextField(blank=True, help_text="Who has a stake, and what they expect")
    expected_outcome = models.TextField(blank=True)
    delivery_date = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOT_STARTED)
    theme = models.CharField(max_length=120, blank=True)
    # Impact reflection: four short answers.
    impact_enhance = models.TextField("What will be enhanced?", blank=True)
    impact_restore = models.TextField("What will be restored?", blank=True)
    impact_replace = models.TextField("What will be replaced?", blank=True)
    impact_mutate = models.TextField("What might this mutate into?", blank=True)
    # Kept in step by objectives.services so lists filter without aggregating every update.
    is_shared = models.BooleanField(default=False, editable=False)
    worst_rating = models.CharField(
        max_length=12, choices=Rating.choices, blank=True, default="", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ref"], name="unique_ref_per_plan"),
            models.CheckConstraint(condition=~Q(ref=""), name="objective_ref_not_blank"),
            models.CheckConstraint(condition=~Q(title=""), name="objective_title_not_blank"),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="objective_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "worst_rating"]),
            models.Index(fields=["plan", "is_shared"]),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def get_absolute_url(self):
        return reverse("objectives:detail", args=[self.pk])

    @property
    def impact_answers(self) -> list[tuple[str, str]]:
        return [
            (Objective._meta.get_field(name).verbose_name, getattr(self, name))
            for name in ("impact_enhance", "impact_restore", "impact_replace", "impact_mutate")
        ]


class ContributionRole(models.TextChoices):
    LEAD = "lead", "Lead team"
    CONTRIBUTOR = "contributor", "Contributing team"


class Contribution(models.Model):
    """A team's involvement in an objective: the lead team, or a contributor with its commitment."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="contributions")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="contributions")
    role = models.CharField(
        max_length=12, choices=ContributionRole.choices, default=ContributionRole.CONTRIBUTOR
    )
    commitment = models.TextField(blank=True, help_text="What this team commits to")
    # The newest status update: the team's current view. Kept by objectives.services.
    latest_update = models.ForeignKey(
        "StatusUpdate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["objective", "role", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "team"], name="team_involved_once"),
            models.UniqueConstraint(
                fields=["objective"],
                condition=Q(role="lead"),
                name="one_lead_team_per_objective",
            ),
        ]
        indexes = [models.Index(fields=["team", "objective"])]

    def __str__(self):
        return f"{self.team} on {self.objective.ref}"


class ActorKind(models.TextChoices):
    PATIENTS = "patients", "Patients and public"
    FRONTLINE = "frontline", "Frontline staff"
    EXPERTS = "experts", "Internal experts"
    OUTSIDE_IN = "outside_in", "Outside-in perspectives"
    OTHER = "other", "Other"


class Actor(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actors")
    kind = models.CharField(max_length=12, choices=ActorKind.choices)
    description = models.CharField(max_length=250)

    class Meta:
        ordering = ["objective", "kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description}"


class Milestone(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=250)
    due_date = models.DateField()
    done_date = models.DateField(null=True, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )

    class Meta:
        ordering = ["objective", "due_date", "pk"]
        indexes = [models.Index(fields=["objective", "due_date"])]

    def __str__(self):
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_date is None and self.due_date < today


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NEITHER = "neither", "Neither"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class Measure(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=250)
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. %, days, calls")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        help_text="Team responsible for entering readings (the lead team when empty)",
    )
    rebase_dates = models.JSONField(
        default=list, blank=True, help_text="ISO dates from which control limits are recalculated"
    )
    is_main = models.BooleanField(default=False, help_text="Shown in review packs")

    class Meta:
        ordering = ["objective", "-is_main", "name"]

    def __str__(self):
        return self.name


class Reading(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    date = models.DateField()
    value = models.FloatField()
    note = models.CharField(max_length=250, blank=True)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "date"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "date"], name="one_reading_per_date"),
        ]

    def __str__(self):
        return f"{self.measure}: {self.value} on {self.date}"


class Dependency(models.Model):
    """`objective` depends on `depends_on` for what `need` says."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="dependents")
    need = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["objective", "depends_on"], name="dependency_once"),
            models.CheckConstraint(
                condition=~Q(objective=F("depends_on")), name="no_self_dependency"
            ),
        ]

    def __str__(self):
        return f"{self.objective.ref} needs {self.depends_on.ref}"


# --- Status updates -----------------------------------------------------------------------------


class StatusUpdate(models.Model):
    """One team's view of one objective for one period. Append-only: corrections are new rows.

    The update points at the Contribution (objective + team), so the database itself guarantees that
    the team is involved in the objective.
    """

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="updates")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="updates")
    rating = models.CharField(max_length=12, choices=Rating.choices)
    going_well = models.TextField("What is going well", blank=True)
    not_going_well = models.TextField("What is not going well", blank=True)
    risks = models.TextField("Risks and issues", blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="status_updates")
    created_at = models.DateTimeField()
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        help_text="The earlier update this one corrects",
    )
    lock_override = models.BooleanField(
        default=False, help_text="Made by a director or admin after the period was locked"
    )

    class Meta:
        ordering = ["contribution", "created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "period"],
                condition=Q(corrects__isnull=True),
                name="one_update_per_team_per_period",
            ),
            models.CheckConstraint(condition=Q(rating__in=Rating.values), name="rating_valid"),
            models.CheckConstraint(
                condition=~Q(corrects=F("id")), name="update_does_not_correct_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["contribution", "-created_at"], name="update_current_view"),
            models.Index(fields=["period", "contribution"], name="update_by_period"),
        ]

    def __str__(self):
        return f"{self.contribution} {self.period}: {self.get_rating_display()}"

    @property
    def has_narrative(self) -> bool:
        return bool(self.going_well.strip() or self.not_going_well.strip())


class AskState(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DONE = "done", "Done"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Still waiting on someone: the receiving team to answer (open) or to deliver (accepted).
LIVE_ASK_STATES = (AskState.OPEN, AskState.ACCEPTED)


class Ask(models.Model):
    """One team asks another for something about an objective, by a date. Raised in a status
    update (`status_update` set) or on its own from the objective page. objectives/asks.py says
    who may move it between states."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="asks")
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="asks_made")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="asks_received")
    text = models.TextField(help_text="What is needed")
    due_date = models.DateField(null=True, blank=True, help_text="By when")
    asked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="asks_made"
    )
    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="asks"
    )
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=AskState.choices, default=AskState.OPEN)
    reply = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="ask_text_not_blank"),
            models.CheckConstraint(condition=Q(state__in=AskState.values), name="ask_state_valid"),
        ]
        indexes = [
            models.Index(fields=["to_team", "state"]),
            models.Index(fields=["objective", "state"]),
        ]

    def __str__(self):
        return f"{self.from_team} asks {self.to_team}: {self.text[:40]}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_ASK_STATES

    def is_overdue(self, today) -> bool:
        return self.is_live and self.due_date is not None and self.due_date < today


# --- Edits and reminders -----------------------------------------------------------------


class ObjectiveRevision(models.Model):
    """Before-and-after values of an edit to an objective's own fields."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="revisions")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(help_text='{"field": [before, after]}')

    class Meta:
        ordering = ["objective", "-created_at"]

    def __str__(self):
        return f"{self.objective.ref} edited {self.created_at:%d %b %Y}"


class ReminderLog(models.Model):
    """One row per reminder sent, so a re-run of send_reminders sends nothing twice."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=60, help_text="Period or week the reminder is for")
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "user"], name="reminder_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.user}"


class PendingImport(models.Model):
    """An uploaded plan file between its preview and its confirmation.

    Kept in the database so that whichever app server answers the confirm step finds it; bound to
    its uploader (and, in the view, to their session); swept after a day.
    """

    token = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pending_imports")
    file_name = models.CharField(max_length=120)
    plan_label = models.CharField(max_length=7)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.file_name} for plan {self.plan_label}"
