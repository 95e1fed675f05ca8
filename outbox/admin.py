from django.contrib import admin

from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "task_name", "args", "attempts", "created_at", "done_at", "failed_at")
    list_filter = ("task_name",)
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
