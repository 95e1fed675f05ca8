from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from accounts.privacy.registry import register_eraser, register_exporter
        from matching.privacy import erase_matching_data, export_matching_data
        from matching.recommender.similar import profile_context as similar_mentors_context
        from matching.selectors import profile_compatibility_context
        from matching.services import (
            recommendations_mentor_changed_listener,
            search_document_booked_times_listener,
            search_document_refresh_listener,
        )
        from mentors import hooks

        hooks.register_profile_changed_listener(search_document_refresh_listener)
        # After the search document: the recommender reads the listed mentors from it.
        hooks.register_profile_changed_listener(recommendations_mentor_changed_listener)
        hooks.register_booked_times_changed_listener(search_document_booked_times_listener)
        hooks.register_profile_context_provider(profile_compatibility_context)
        hooks.register_profile_context_provider(similar_mentors_context)
        register_exporter("matching", export_matching_data)
        register_eraser("matching", erase_matching_data, order=45)
