from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from accounts.privacy.registry import register_deletion_preparer, register_eraser, register_exporter
        from payments import packages, privacy
        from payments.notification_kinds import register_notification_kinds
        from payments.registry import register_purpose

        register_exporter("payments", privacy.export_payments_data)
        # After sessions' preparer (order 10): cancelling bookings first turns held escrow into refunds.
        register_deletion_preparer("payments", privacy.prepare_payments_for_deletion, order=20)
        register_eraser("payments", privacy.erase_payments_data, order=20)
        register_notification_kinds()
        register_purpose(packages.PAYMENT_PURPOSE, packages.PackagePaymentHandler())
