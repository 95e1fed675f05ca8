"""Connects messaging to the rest of the project; called once from ``SessionsAppConfig.ready``."""


def connect_messaging() -> None:
    from accounts.privacy.registry import register_eraser, register_exporter
    from mentors.hooks import register_profile_context_provider, register_stats_provider
    from sessions_app.messaging import tasks  # noqa: F401  (registers the tasks with Celery)
    from sessions_app.messaging.notices import register_message_kinds
    from sessions_app.messaging.privacy import erase_messages_data, export_messages_data
    from sessions_app.messaging.selectors import mentor_profile_messaging_context, mentor_reliability_stats

    register_message_kinds()
    register_stats_provider(mentor_reliability_stats)
    register_profile_context_provider(mentor_profile_messaging_context)
    register_exporter("messages", export_messages_data)
    register_eraser("messages", erase_messages_data, order=30)
