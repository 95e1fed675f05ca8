"""Support's tools in the Django admin: approve emergency reschedules, resolve disputes, complete or refund.

Every action goes through the services, so the rules (and refunds through `payments`) are the same as anywhere.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from payments.services import refundable_paise
from sessions_app import services
from sessions_app.models import Booking, Dispute, RescheduleRequest, Session, WaitlistEntry


def _run_each(modeladmin, request, queryset, action, done_message) -> None:
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


class BookingInline(admin.TabularInline):
    model = Booking
    fields = ("student", "status", "price_paise", "refund_paise", "confirmed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "mentor", "kind", "status", "starts_at", "capacity", "price_paise")
    list_filter = ("kind", "status", "category", "session_type")
    search_fields = ("title", "mentor__email", "mentor__full_name", "uuid")
    date_hierarchy = "starts_at"
    list_select_related = ("mentor",)
    raw_id_fields = ("mentor",)
    readonly_fields = ("uuid", "ics_sequence", "published_at", "went_live_at", "completed_at", "cancelled_at")
    inlines = [BookingInline]
    actions = ["complete_sessions"]

    @admin.action(description=_("Complete the selected sessions (pays mentors for undisputed bookings)"))
    def complete_sessions(self, request, queryset):
        _run_each(
            self, request, queryset,
            lambda session: services.session_complete(session=session, actor=request.user),
            _("%(count)s session(s) completed."),
        )


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "price_paise", "refund_paise", "created_at")
    list_filter = ("status", "cancellation_reason", "session__kind")
    search_fields = ("uuid", "student__email", "student__full_name", "session__title")
    list_select_related = ("student", "session")
    raw_id_fields = ("session", "student", "payment", "follow_up_of", "cancelled_by")
    readonly_fields = ("uuid", "ics_sequence", "created_at", "updated_at")
    actions = ["cancel_with_full_refund", "refund_rest_of_payment"]

    @admin.action(description=_("Cancel with a full refund"))
    def cancel_with_full_refund(self, request, queryset):
        _run_each(
            self, request, queryset,
            lambda booking: services.booking_cancel(booking=booking, actor=request.user, note="support"),
            _("%(count)s booking(s) cancelled."),
        )

    @admin.action(description=_("Refund what is left of the payment"))
    def refund_rest_of_payment(self, request, queryset):
        def refund(booking: Booking) -> None:
            left = refundable_paise(booking.payment) if booking.payment else 0
            services.booking_refund_by_support(
                booking=booking, actor=request.user, amount_paise=left, note="support refund", key=f"rest-{left}"
            )

        _run_each(self, request, queryset.select_related("payment"), refund, _("%(count)s refund(s) requested."))


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(admin.ModelAdmin):
    list_display = ("booking", "kind", "status", "old_starts_at", "new_starts_at", "requested_by", "created_at")
    list_filter = ("status", "kind")
    raw_id_fields = ("booking", "requested_by", "decided_by")
    readonly_fields = ("decided_by", "decided_at", "created_at")
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve: move the booking (free of charge)"))
    def approve(self, request, queryset):
        _run_each(
            self, request, queryset,
            lambda item: services.reschedule_request_approve(request=item, actor=request.user),
            _("%(count)s booking(s) moved."),
        )

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        _run_each(
            self, request, queryset,
            lambda item: services.reschedule_request_reject(request=item, actor=request.user),
            _("%(count)s request(s) rejected."),
        )


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ("booking", "kind", "status", "raised_by", "created_at", "refund_paise")
    list_filter = ("status", "kind")
    raw_id_fields = ("booking", "raised_by", "resolved_by")
    readonly_fields = ("resolved_by", "resolved_at", "refund_paise", "created_at")
    actions = ["resolve_as_held", "resolve_with_full_refund"]

    @admin.action(description=_("Resolve: the session counts as held (pay the mentor)"))
    def resolve_as_held(self, request, queryset):
        _run_each(
            self, request, queryset,
            lambda dispute: services.dispute_resolve_complete(dispute=dispute, actor=request.user),
            _("%(count)s dispute(s) resolved."),
        )

    @admin.action(description=_("Resolve: refund the student in full"))
    def resolve_with_full_refund(self, request, queryset):
        _run_each(
            self, request, queryset,
            lambda dispute: services.dispute_resolve_refund(dispute=dispute, actor=request.user),
            _("%(count)s dispute(s) refunded."),
        )


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("session", "student", "status", "created_at", "offered_at")
    list_filter = ("status",)
    raw_id_fields = ("session", "student", "offered_booking")
