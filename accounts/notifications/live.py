"""Pushing to a user's open tabs through the channel layer (the consumer is ``accounts.consumers``).

Pushes leave from sync code (requests, tasks). ``async_to_sync`` would start a fresh event loop for every push,
and the Redis channel layer keeps its connections per loop, so each push would also open a new Redis connection.
One long-lived loop per process, in a daemon thread started on first use (after any fork), keeps one connection.
"""

import asyncio
import logging
import os
import threading
import time

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
PUSH_TIMEOUT_SECONDS = 2.0
# After a failed push, skip pushing for this long: each attempt against a dead Redis would cost the request (or
# task) raising the notification up to the timeout; the inbox and the next page load show what was missed.
PUSH_PAUSE_SECONDS = 10.0
_paused_until = 0.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def notification_group_name(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def _push_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="notification-push", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def notification_group_send(user_id: int, event: dict) -> bool:
    """Send to every socket the user has open. Best effort: the inbox page shows everything without it."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return False
    try:
        future = asyncio.run_coroutine_threadsafe(
            get_channel_layer().group_send(notification_group_name(user_id), event), _push_loop()
        )
        future.result(timeout=PUSH_TIMEOUT_SECONDS)
    except Exception as exc:  # Redis down or slow: the notification is stored; the next page load shows it.
        _paused_until = time.monotonic() + PUSH_PAUSE_SECONDS
        logger.warning("Notification push to user %s failed: %s", user_id, exc)
        return False
    return True
