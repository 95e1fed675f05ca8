from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from accounts.privacy.registry import register_eraser
        from matching.privacy import erase_matching_data
        from matching.selectors import profile_compatibility_context
        from matching.services import search_document_refresh_listener
        from mentors import hooks

        hooks.register_profile_changed_listener(search_document_refresh_listener)
        hooks.register_profile_context_provider(profile_compatibility_context)
        register_eraser("matching", erase_matching_data, order=45)
