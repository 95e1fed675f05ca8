from django.contrib import admin

from mentors.models import (
    AvailabilityOverride,
    AvailabilityRule,
    Certification,
    Education,
    MentorPayoutDetails,
    MentorProfile,
    MentorSlugHistory,
    VerificationDocument,
    VerificationEvent,
    WorkExperience,
)


class WorkExperienceInline(admin.TabularInline):
    model = WorkExperience
    extra = 0


class EducationInline(admin.TabularInline):
    model = Education
    extra = 0


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


class AvailabilityRuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 0


class VerificationEventInline(admin.TabularInline):
    """The pipeline's record is written by the verification service only."""

    model = VerificationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "note", "scheduled_for", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "slug",
        "title",
        "verification_status",
        "is_active",
        "average_rating",
        "total_sessions",
        "submitted_at",
    ]
    list_filter = ["verification_status", "is_active", "levels_served", "user__primary_language", "offered_durations"]
    search_fields = ["user__full_name", "user__email", "slug", "title", "university", "company"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "submitted_at"
    # Status goes through the panel's actions (history, emails, locking); derived numbers through services.
    readonly_fields = [
        "verification_status",
        "decision_reason",
        "submitted_at",
        "approved_at",
        "average_rating",
        "rating_count",
        "total_sessions",
        "response_time_minutes",
        "no_show_count",
        "repeat_student_percent",
        "created_at",
        "updated_at",
    ]
    inlines = [
        WorkExperienceInline,
        EducationInline,
        CertificationInline,
        AvailabilityRuleInline,
        VerificationEventInline,
    ]


@admin.register(MentorSlugHistory)
class MentorSlugHistoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "mentor", "created_at"]
    search_fields = ["slug", "mentor__slug", "mentor__user__full_name"]
    raw_id_fields = ["mentor"]


@admin.register(VerificationDocument)
class VerificationDocumentAdmin(admin.ModelAdmin):
    list_display = ["mentor", "document_type", "original_name", "content_type", "size_bytes", "uploaded_at"]
    list_filter = ["document_type", "content_type"]
    search_fields = ["mentor__user__full_name", "mentor__user__email", "original_name"]
    raw_id_fields = ["mentor"]
    # The file itself is opened from the staff panel, through an expiring link.
    exclude = ["file"]
    readonly_fields = ["original_name", "content_type", "size_bytes", "uploaded_at"]


@admin.register(VerificationEvent)
class VerificationEventAdmin(admin.ModelAdmin):
    list_display = ["mentor", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status", "from_status"]
    search_fields = ["mentor__user__full_name", "mentor__user__email", "note"]
    list_select_related = ["mentor__user", "actor"]
    readonly_fields = ["mentor", "from_status", "to_status", "actor", "note", "scheduled_for", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(admin.ModelAdmin):
    list_display = ["mentor", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    search_fields = ["mentor__user__full_name", "mentor__slug"]
    raw_id_fields = ["mentor"]


@admin.register(AvailabilityOverride)
class AvailabilityOverrideAdmin(admin.ModelAdmin):
    list_display = ["mentor", "date", "kind", "start_time", "end_time"]
    list_filter = ["kind", "date"]
    search_fields = ["mentor__user__full_name", "mentor__slug"]
    raw_id_fields = ["mentor"]


@admin.register(WorkExperience, Education, Certification)
class MentorEntryAdmin(admin.ModelAdmin):
    search_fields = ["mentor__user__full_name", "mentor__slug"]
    raw_id_fields = ["mentor"]


@admin.register(MentorPayoutDetails)
class MentorPayoutDetailsAdmin(admin.ModelAdmin):
    list_display = ["mentor", "account_holder_name", "masked_destination", "updated_at"]
    search_fields = ["mentor__user__full_name", "mentor__user__email", "account_holder_name"]
    raw_id_fields = ["mentor"]
    exclude = ["bank_account_number", "ifsc", "upi_id", "pan"]
    readonly_fields = ["masked_destination", "masked_pan", "updated_at"]
