from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, User


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "native_name", "region", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "native_name", "region"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "full_name", "role", "status", "city", "state", "is_staff", "date_joined"]
    list_filter = ["role", "status", "is_staff", "is_active", "primary_language", "state"]
    search_fields = ["email", "full_name", "phone", "city"]
    filter_horizontal = ["languages", "groups", "user_permissions"]
    readonly_fields = ["date_joined", "updated_at", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "phone", "date_of_birth", "photo", "city", "state", "country", "time_zone")}),
        (_("Languages"), {"fields": ("primary_language", "languages")}),
        (_("Access"), {"fields": ("role", "status", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "password1", "password2")}),)
