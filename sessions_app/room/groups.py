"""The room's channel-layer groups: their names, and the pushes that reach open sockets from outside the consumer.

Below both the booking services and the room's services (it imports neither), so a cancellation can close a
former participant's sockets without the booking services importing the room.
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def room_group_name(session_id: int) -> str:
    return f"room.{session_id}"


def room_user_group_name(session_id: int, user_id: int) -> str:
    """Every socket one member has open in one room."""
    return f"{room_group_name(session_id)}.user.{user_id}"


def room_member_removed(*, session_id: int, user_id: int) -> None:
    """Close the sockets of someone who is no longer a participant (their booking was cancelled or refunded):
    membership is checked when a socket connects, so an open one must be told. Called after commit."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            room_user_group_name(session_id, user_id), {"type": "room.removed"}
        )
    except Exception:
        # The cancellation stands; a socket left open still closes when the room does.
        logger.exception("Could not close the room sockets of user %s in session %s", user_id, session_id)


def room_broadcast(*, session_id: int, event: dict[str, Any]) -> None:
    async_to_sync(get_channel_layer().group_send)(room_group_name(session_id), event)
