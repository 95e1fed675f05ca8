from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Sessions")

    def ready(self) -> None:
        from accounts.privacy.registry import register_deletion_preparer, register_eraser, register_exporter
        from mentors.hooks import register_stats_provider
        from mentors.slots import register_busy_intervals_provider
        from payments.registry import register_purpose
        from sessions_app import privacy, selectors, services
        from sessions_app.notification_kinds import register_notification_kinds
        from sessions_app.room import setup as room_setup

        # Held and booked times disappear from the mentor's open slots.
        register_busy_intervals_provider(selectors.mentor_busy_intervals)
        register_purpose(services.PAYMENT_PURPOSE, services.BookingPaymentHandler())
        register_stats_provider(selectors.mentor_session_stats)
        room_setup.connect_room()
        register_notification_kinds()
        register_exporter("sessions", privacy.export_sessions_data)
        register_deletion_preparer("sessions", privacy.prepare_sessions_for_deletion, order=10)
        register_eraser("sessions", privacy.erase_sessions_data, order=30)
