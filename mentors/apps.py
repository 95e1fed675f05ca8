from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentors")

    def ready(self) -> None:
        from accounts.privacy.registry import register_eraser, register_exporter
        from mentors.notification_kinds import register_notification_kinds
        from mentors.privacy import erase_mentor_data, export_mentor_data
        from mentors.selectors import payout_destination_for
        from payments.registry import register_payout_destination

        # payments never imports mentors: it asks this resolver where a mentor's payout goes.
        register_payout_destination(payout_destination_for)
        register_exporter("mentor", export_mentor_data)
        register_eraser("mentor", erase_mentor_data, order=40)
        register_notification_kinds()
