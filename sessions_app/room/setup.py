"""Connects the room's parts to the rest of the project; called once from ``SessionsAppConfig.ready``."""


def connect_room() -> None:
    from mentors.hooks import register_profile_context_provider, register_stats_provider
    from payments.registry import register_purpose
    from payments.services import PURPOSE_TIP
    from sessions_app.room import tasks  # noqa: F401  (registers the periodic tasks with Celery)
    from sessions_app.room.feedback import mentor_feedback_stats
    from sessions_app.room.selectors import mentor_profile_reviews_context
    from sessions_app.room.tips import TipPaymentHandler

    register_purpose(PURPOSE_TIP, TipPaymentHandler())
    register_stats_provider(mentor_feedback_stats)
    register_profile_context_provider(mentor_profile_reviews_context)
