from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentors")

    def ready(self) -> None:
        from mentors.selectors import payout_destination_for
        from payments.registry import register_payout_destination

        # payments never imports mentors: it asks this resolver where a mentor's payout goes.
        register_payout_destination(payout_destination_for)
