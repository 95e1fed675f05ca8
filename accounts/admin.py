from typing import TYPE_CHECKING

from auditlog.admin import LogEntryAdmin
from auditlog.filters import ResourceTypeFilter
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import (
    AccountDeletion,
    AuditLogEntry,
    ConsentRecord,
    GuardianConsent,
    Language,
    StudentProfile,
    User,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "native_name", "region", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "native_name", "region"]


class StudentProfileInline(admin.StackedInline):
    model = StudentProfile
    can_delete = False
    extra = 0
    fields = readonly_fields = (
        "academic_level",
        "class_grade",
        "university",
        "onboarding_step",
        "onboarding_completed_at",
    )
    show_change_link = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "full_name", "role", "status", "city", "state", "is_staff", "date_joined"]
    list_filter = ["role", "status", "is_staff", "is_active", "primary_language", "state"]
    search_fields = ["email", "full_name", "phone", "city"]
    filter_horizontal = ["languages", "groups", "user_permissions"]
    readonly_fields = ["date_joined", "updated_at", "last_login"]
    list_select_related = ["primary_language"]
    inlines = [StudentProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("full_name", "phone", "date_of_birth", "photo", "city", "state", "country", "time_zone")},
        ),
        (_("Languages"), {"fields": ("primary_language", "languages", "ui_language")}),
        (
            _("Access"),
            {"fields": ("role", "status", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "password1", "password2")}),
    )


class OnboardedFilter(admin.SimpleListFilter):
    title = _("onboarding")
    parameter_name = "onboarded"

    def lookups(self, request: object, model_admin: object) -> list[tuple[str, "StrOrPromise"]]:
        return [("yes", _("Complete")), ("no", _("In progress"))]

    def queryset(self, request: object, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(onboarding_completed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(onboarding_completed_at__isnull=True)
        return queryset


@admin.register(StudentProfile)
class StudentProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "academic_level",
        "class_grade",
        "board",
        "stream",
        "university",
        "semester",
        "onboarding_step",
        "onboarding_completed_at",
    ]
    list_filter = [OnboardedFilter, "academic_level", "board", "stream", "class_grade", "career_timeline"]
    search_fields = ["user__email", "user__full_name", "school_name", "university", "degree", "major"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("user", "academic_level", "onboarding_step", "onboarding_completed_at")}),
        (_("School"), {"fields": ("school_name", "board", "class_grade", "stream", "subjects", "extracurriculars")}),
        (
            _("College"),
            {"fields": ("university", "degree", "major", "minor", "semester", "cgpa", "projects", "internships")},
        ),
        (
            _("Career goals"),
            {"fields": ("industries", "target_roles", "target_companies", "desired_locations", "career_timeline")},
        ),
        (_("Interests"), {"fields": ("interests", "challenges", "challenge_details")}),
        (_("Notifications"), {"fields": ("notify_email", "notify_in_app", "notify_sms", "notify_reminders")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.student_profile_changed(obj)


@admin.register(GuardianConsent)
class GuardianConsentAdmin(admin.ModelAdmin):
    list_display = [
        "student",
        "guardian_name",
        "guardian_email",
        "relationship",
        "status",
        "last_sent_at",
        "granted_at",
        "withdrawn_at",
    ]
    list_filter = ["status", "relationship", "text_version"]
    search_fields = ["student__email", "student__full_name", "guardian_name", "guardian_email"]
    list_select_related = ["student"]
    raw_id_fields = ["student"]
    date_hierarchy = "created_at"
    # Consent is evidence: staff may read it, never rewrite it.
    readonly_fields = [
        "student",
        "guardian_name",
        "guardian_email",
        "guardian_phone",
        "relationship",
        "status",
        "last_sent_at",
        "send_count",
        "text_version",
        "granted_at",
        "granted_ip",
        "granted_user_agent",
        "withdrawn_at",
        "withdrawn_ip",
        "withdrawn_user_agent",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False


# django-auditlog registers an admin for the audit log model; ours searches fields this User model has.
admin.site.unregister(AuditLogEntry)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(LogEntryAdmin):
    search_fields = ["object_repr", "object_pk", "actor__email"]
    list_filter = ["event", "action", ResourceTypeFilter]


@admin.register(AccountDeletion)
class AccountDeletionAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "requested_at", "due_at", "completed_at"]
    list_filter = ["status"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "status", "requested_at", "due_at", "cancelled_at", "completed_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "purpose", "given", "version", "at"]
    list_filter = ["purpose", "given", "version"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "purpose", "version", "given", "at", "ip_address", "user_agent"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
