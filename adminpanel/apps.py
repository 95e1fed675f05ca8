from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdminpanelConfig(AppConfig):
    name = "adminpanel"
    verbose_name = _("Admin panel")

    def ready(self) -> None:
        from accounts.privacy.registry import register_eraser, register_exporter
        from adminpanel import privacy
        from adminpanel.notification_kinds import register_notification_kinds

        register_exporter("support", privacy.export_adminpanel_data)
        # Before accounts erases the user row: the eraser looks for the person's name and email in staff text.
        register_eraser("support", privacy.erase_adminpanel_data, order=40)
        register_notification_kinds()
