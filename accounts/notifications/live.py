"""Pushing to a user's open tabs through the channel layer (the consumer is ``accounts.consumers``)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def notification_group_name(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def notification_group_send(user_id: int, event: dict) -> bool:
    """Send to every socket the user has open. Best effort: the inbox page shows everything without it."""
    try:
        async_to_sync(get_channel_layer().group_send)(notification_group_name(user_id), event)
    except Exception as exc:  # Redis down or slow: the notification is stored; the next page load shows it.
        logger.warning("Notification push to user %s failed: %s", user_id, exc)
        return False
    return True
