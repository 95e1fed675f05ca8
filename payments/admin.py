"""Read-only views of money records: every change goes through the services (and the ledger is append-only)."""

from django.contrib import admin

from payments.coupons import normalise_code
from payments.models import (
    Coupon,
    Invoice,
    LedgerEntry,
    LedgerTransaction,
    MentorPayoutDetails,
    Package,
    PackagePurchase,
    Payment,
    Payout,
    Refund,
    ScholarshipGrant,
    WebhookEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    fields = readonly_fields = ("amount_paise", "status", "reason", "razorpay_refund_id", "created_at", "processed_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["razorpay_order_id", "purpose", "reference_id", "payer", "payee", "amount_paise", "status"]
    list_filter = ["status", "purpose", "gateway"]
    search_fields = ["razorpay_order_id", "razorpay_payment_id", "receipt", "payer__email", "payee__email"]
    list_select_related = ["payer", "payee"]
    date_hierarchy = "created_at"
    inlines = [RefundInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "payment", "amount_paise", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["razorpay_refund_id", "idempotency_key", "payment__razorpay_order_id"]
    list_select_related = ["payment"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "event", "outcome", "delivery_count", "received_at"]
    list_filter = ["outcome", "event"]
    search_fields = ["event_id"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = readonly_fields = ("account", "amount_paise")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "payment", "refund", "payout", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["payment", "refund", "payout"]
    inlines = [LedgerEntryInline]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["mentor", "amount_paise", "origin", "status", "utr", "razorpay_payout_id", "created_at"]
    list_filter = ["status", "origin"]
    list_select_related = ["mentor"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "buyer", "total_paise", "issued_at", "pdf_rendered_at"]
    list_filter = ["kind", "financial_year"]
    search_fields = ["number", "buyer__email", "payment__razorpay_payment_id"]
    list_select_related = ["buyer"]
    date_hierarchy = "issued_at"


@admin.register(MentorPayoutDetails)
class MentorPayoutDetailsAdmin(admin.ModelAdmin):
    list_display = ["mentor", "account_holder_name", "masked_destination", "updated_at"]
    search_fields = ["mentor__full_name", "mentor__email", "account_holder_name"]
    raw_id_fields = ["mentor"]
    exclude = ["bank_account_number", "ifsc", "upi_id", "pan"]
    readonly_fields = ["masked_destination", "masked_pan", "updated_at"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    """Staff manage coupons here; uses are counted by the checkout (``payments.coupons``), never typed in."""

    list_display = ["code", "kind", "percent_off", "amount_off_paise", "times_used", "max_uses_total", "valid_until"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["times_used", "created_at"]
    autocomplete_fields = ["mentor"]
    filter_horizontal = ["only_mentors"]

    def save_model(self, request, obj, form, change) -> None:
        obj.code = normalise_code(obj.code)
        super().save_model(request, obj, form, change)


@admin.register(ScholarshipGrant)
class ScholarshipGrantAdmin(ReadOnlyAdmin):
    """Grants are made through the staff page (it books them in the ledger); here they are only looked up."""

    list_display = ["student", "sponsor", "amount_paise", "remaining_paise", "created_at"]
    search_fields = ["student__email", "sponsor__email"]


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    list_display = ["title", "mentor", "sessions_count", "duration_minutes", "price_paise", "is_active"]
    search_fields = ["title", "mentor__email"]


@admin.register(PackagePurchase)
class PackagePurchaseAdmin(ReadOnlyAdmin):
    list_display = ["package", "student", "status", "expires_at", "unused_refund_paise"]
    list_filter = ["status"]
