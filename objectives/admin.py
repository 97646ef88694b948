from django.contrib import admin

from .models import (
    Actor,
    Ask,
    Contribution,
    Dependency,
    Directorate,
    Directorship,
    Measure,
    Membership,
    Milestone,
    Objective,
    ObjectiveRevision,
    Period,
    Plan,
    Reading,
    ReminderLog,
    StatusUpdate,
    Team,
)
from .signals import announce_change


class AnnouncesChanges:
    """Saves and deletes in the admin announce the objectives they change, so the stored risk
    findings follow (objectives.signals). ``objective_ids`` says which objectives an object
    touches; by default its ``objective_id``."""

    def objective_ids(self, obj) -> list[int]:
        return [obj.objective_id]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        announce_change(self.objective_ids(obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        announce_change(self.objective_ids(form.instance))

    def delete_model(self, request, obj):
        ids = self.objective_ids(obj)
        super().delete_model(request, obj)
        announce_change(ids)

    def delete_queryset(self, request, queryset):
        ids = [pk for obj in queryset for pk in self.objective_ids(obj)]
        super().delete_queryset(request, queryset)
        announce_change(ids)


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "kind"]
    show_change_link = True


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(AnnouncesChanges, admin.ModelAdmin):
    def objective_ids(self, obj):
        return list(obj.contributions.values_list("objective_id", flat=True))

    list_display = ["name", "directorate", "kind"]
    list_filter = ["kind", "directorate"]
    search_fields = ["name", "directorate__name"]
    list_select_related = ["directorate"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AnnouncesChanges, admin.ModelAdmin):
    def objective_ids(self, obj):
        return list(obj.team.contributions.values_list("objective_id", flat=True))

    list_display = ["user", "team", "role"]
    list_filter = ["role", "team__directorate"]
    search_fields = ["user__username", "user__email", "team__name"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user", "team"]


@admin.register(Directorship)
class DirectorshipAdmin(admin.ModelAdmin):
    list_display = ["user", "directorate"]
    list_filter = ["directorate"]
    search_fields = ["user__username", "directorate__name"]
    list_select_related = ["user", "directorate"]


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0
    fields = ["month", "start_date", "end_date", "locked"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["label", "start_date", "end_date", "status", "agreed_on"]
    list_filter = ["status"]
    search_fields = ["label"]
    inlines = [PeriodInline]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "plan", "month", "start_date", "end_date", "locked"]
    list_filter = ["plan", "locked"]
    search_fields = ["plan__label"]
    list_select_related = ["plan"]


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    fields = ["team", "role", "commitment"]
    autocomplete_fields = ["team"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    autocomplete_fields = ["team"]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["name", "unit", "direction", "baseline_value", "target_value", "is_main"]
    show_change_link = True


class ActorInline(admin.TabularInline):
    model = Actor
    extra = 0


class DependencyInline(admin.TabularInline):
    model = Dependency
    fk_name = "objective"
    extra = 0
    autocomplete_fields = ["depends_on"]


@admin.register(Objective)
class ObjectiveAdmin(AnnouncesChanges, admin.ModelAdmin):
    def objective_ids(self, obj):
        return [obj.pk]

    list_display = [
        "ref",
        "title",
        "plan",
        "lead_team",
        "state",
        "priority",
        "worst_rating",
        "is_shared",
        "delivery_date",
    ]
    list_filter = [
        "plan",
        "state",
        "priority",
        "is_shared",
        "worst_rating",
        "lead_team__directorate",
    ]
    search_fields = ["ref", "title", "description"]
    list_select_related = ["plan", "lead_team"]
    autocomplete_fields = ["lead_team", "owner"]
    readonly_fields = ["is_shared", "worst_rating", "version", "created_at", "updated_at"]
    inlines = [ContributionInline, MilestoneInline, MeasureInline, ActorInline, DependencyInline]


@admin.register(Contribution)
class ContributionAdmin(AnnouncesChanges, admin.ModelAdmin):
    list_display = ["objective", "team", "role"]
    list_filter = ["role", "team__directorate"]
    search_fields = ["objective__ref", "objective__title", "team__name"]
    list_select_related = ["objective", "team"]
    raw_id_fields = ["objective", "latest_update"]
    autocomplete_fields = ["team"]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["objective", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["description", "objective__ref"]
    raw_id_fields = ["objective"]


@admin.register(Milestone)
class MilestoneAdmin(AnnouncesChanges, admin.ModelAdmin):
    list_display = ["title", "objective", "team", "due_date", "done_date"]
    list_filter = ["done_date", "team__directorate"]
    search_fields = ["title", "objective__ref"]
    list_select_related = ["objective", "team"]
    raw_id_fields = ["objective"]


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0
    fields = ["date", "value", "note"]


@admin.register(Measure)
class MeasureAdmin(AnnouncesChanges, admin.ModelAdmin):
    list_display = ["name", "objective", "unit", "direction", "target_value", "is_main"]
    list_filter = ["direction", "frequency", "is_main"]
    search_fields = ["name", "objective__ref"]
    list_select_related = ["objective"]
    raw_id_fields = ["objective"]
    inlines = [ReadingInline]


@admin.register(Reading)
class ReadingAdmin(AnnouncesChanges, admin.ModelAdmin):
    def objective_ids(self, obj):
        return [obj.measure.objective_id]

    list_display = ["measure", "date", "value"]
    list_filter = ["date"]
    search_fields = ["measure__name", "measure__objective__ref"]
    list_select_related = ["measure"]
    raw_id_fields = ["measure", "entered_by"]


@admin.register(Dependency)
class DependencyAdmin(AnnouncesChanges, admin.ModelAdmin):
    list_display = ["objective", "depends_on", "need"]
    search_fields = ["objective__ref", "depends_on__ref", "need"]
    list_select_related = ["objective", "depends_on"]
    raw_id_fields = ["objective", "depends_on"]


class AskInline(admin.TabularInline):
    model = Ask
    extra = 0
    fields = ["to_team", "text", "due_date", "state"]
    autocomplete_fields = ["to_team"]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(AnnouncesChanges, admin.ModelAdmin):
    def objective_ids(self, obj):
        return [obj.contribution.objective_id]

    """Status updates are append-only: the admin can read them but never change or delete them."""

    list_display = ["contribution", "period", "rating", "author", "created_at", "lock_override"]
    list_filter = ["rating", "lock_override", "period__plan"]
    search_fields = [
        "contribution__objective__ref",
        "contribution__team__name",
        "going_well",
        "not_going_well",
    ]
    list_select_related = ["contribution__objective", "contribution__team", "period", "author"]
    raw_id_fields = ["contribution", "corrects", "author"]
    inlines = [AskInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ask)
class AskAdmin(AnnouncesChanges, admin.ModelAdmin):
    def objective_ids(self, obj):
        return [obj.objective_id]

    list_display = ["objective", "from_team", "to_team", "text", "due_date", "state"]
    list_filter = ["state", "objective__plan"]
    search_fields = ["text", "reply", "objective__ref", "from_team__name", "to_team__name"]
    list_select_related = ["objective", "from_team", "to_team"]
    raw_id_fields = ["objective", "status_update", "asked_by", "answered_by"]
    autocomplete_fields = ["from_team", "to_team"]


@admin.register(ObjectiveRevision)
class ObjectiveRevisionAdmin(admin.ModelAdmin):
    list_display = ["objective", "user", "created_at"]
    search_fields = ["objective__ref"]
    raw_id_fields = ["objective", "user"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "user", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "key"]
