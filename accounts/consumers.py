"""The notification socket (``/ws/notifications/``): every open tab of a signed-in user joins that user's group
and receives what ``accounts.notifications.services`` pushes, already rendered in the user's language.

Thin by design: it authenticates (session cookie, through ``AuthMiddlewareStack``), says the unread count once,
then only forwards. Clients send nothing but an optional ping.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.notifications.live import notification_group_name
from accounts.notifications.selectors import notification_unread_count

# Close codes the page understands: 4401 means "sign in" (do not retry).
CLOSE_SIGN_IN = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_SIGN_IN)
            return
        self.group = notification_group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(notification_unread_count)(user)
        await self.send_json({"type": "unread", "unread": unread})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_new(self, event: dict) -> None:
        await self.send_json({"type": "notification", "notification": event["notification"], "unread": event["unread"]})

    async def notification_unread(self, event: dict) -> None:
        await self.send_json({"type": "unread", "unread": event["unread"]})
