"""The live room's WebSocket: presence, WebRTC signalling, chat, recording control and the end of the session.

A socket is authenticated in ``connect`` before it joins any group; a refused one is accepted only to be closed
with a code the page understands (see ``room_services.RoomRefused``). Every frame goes through the token bucket and
the schema of its type (``room_protocol``) before a handler sees it.

Browser → server: offer / answer / ice ``{to, sdp | candidate}``, media ``{audio, video}``, screen ``{on}``,
chat ``{text}``, record ``{action}`` (mentor), end (mentor), leave, ping.

Server → browser: welcome ``{peer_id, media_mode, room_mode, peers, history, recording}``, peer_joined ``{peer}``,
peer_left ``{peer_id, reason}`` (``left`` for good, ``lost`` when the socket dropped and may come back),
peer_media ``{peer_id, audio, video}``, peer_screen ``{peer_id, on}``, offer / answer / ice
``{from, …}``, chat ``{message}``, recording ``{active, recording_id, started_by, required}``,
ended, error ``{code}``.
"""

import asyncio
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions_app.room import services as room_services
from sessions_app.room.presence import RoomPresence
from sessions_app.room.protocol import MAX_FRAME_CHARS, TokenBucket, validate_message
from sessions_app.room.services import RoomAccess, RoomRefused, room_group_name, room_user_group_name

CLIENT_TOKEN_RE = re.compile(r"^[0-9a-f]{8,32}$")
RATE_LIMIT_NOTICE_INTERVAL = 1.0


def _public(peer_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "peer_id": peer_id,
        "name": entry["name"],
        "is_mentor": entry["is_mentor"],
        "media_mode": entry["media_mode"],
        "audio": entry["audio"],
        "video": entry["video"],
        "screen": entry["screen"],
    }


class RoomConsumer(AsyncJsonWebsocketConsumer):
    access: RoomAccess
    joined = False
    departed = False
    visit_id: int | None = None
    frame_received_at: float | None = None

    # --- connection lifecycle ---

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Stamp every frame with the moment it arrived, read as fast as the server delivers them: frames wait while
        an earlier one is handled, and a limit measured when they are handled would refill during that wait and
        let a burst of any size through."""
        arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def read() -> None:
            while True:
                message = await receive()
                if message["type"] == "websocket.receive":
                    message = {**message, "received_at": time.monotonic()}
                await arrived.put(message)
                if message["type"] == "websocket.disconnect":
                    return

        reader = asyncio.create_task(read())
        try:
            await super().__call__(scope, arrived.get, send)
        finally:
            reader.cancel()

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        self.frame_received_at = message.get("received_at")
        await super().websocket_receive(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(room_services.CLOSE_SIGN_IN)
            return
        token = parse_qs(self.scope.get("query_string", b"").decode()).get("peer", [""])[0]
        if not CLIENT_TOKEN_RE.match(token):
            await self._refuse(room_services.CLOSE_BAD_REQUEST)
            return
        try:
            self.access = await database_sync_to_async(room_services.room_access_check)(
                user=user, session_id=self.scope["url_route"]["kwargs"]["session_id"], require_consent=True
            )
        except RoomRefused as refused:
            await self._refuse(refused.close_code)
            return

        access = self.access
        self.user_id = user.pk
        # Other members see this pseudonym, never the account id (minors share group rooms with strangers).
        self.peer_id = f"{room_services.room_pseudonym(session_id=access.session_id, user_id=user.pk)}.{token}"
        self.leave_reason = "lost"
        self.bucket = TokenBucket(rate=settings.ROOM_MESSAGES_PER_SECOND, capacity=settings.ROOM_MESSAGES_PER_SECOND)
        self.last_rate_notice = 0.0
        self.room_group = room_group_name(access.session_id)
        self.user_group = room_user_group_name(access.session_id, user.pk)
        ttl = int((access.closes_at - timezone.now()).total_seconds()) + 3600
        self.presence = RoomPresence(access.session_id, ttl_seconds=ttl)

        await asyncio.gather(
            self.channel_layer.group_add(self.room_group, self.channel_name),
            self.channel_layer.group_add(self.user_group, self.channel_name),
        )
        await self.accept()
        self.joined = True
        # One socket per member: an older one (another tab, or this page before a reconnect) steps aside.
        await self.channel_layer.group_send(
            self.user_group, {"type": "room.replaced", "peer_id": self.peer_id, "channel": self.channel_name}
        )
        self.visit_id, history, recording = await database_sync_to_async(room_services.room_enter)(
            session_id=access.session_id, user=user, peer_id=self.peer_id
        )
        self.entry = {
            "user_id": user.pk,
            "name": access.display_name,
            "is_mentor": access.is_mentor,
            "media_mode": access.media_mode,
            "audio": False,
            "video": False,
            "screen": False,
            "channel": self.channel_name,
        }
        await self.presence.put(self.peer_id, self.entry)
        present = await self.presence.all()
        others = {pid: e for pid, e in present.items() if e["user_id"] != self.user_id}
        self.peer_channels = {pid: e["channel"] for pid, e in others.items()}
        await self.send_json(
            {
                "type": "welcome",
                "peer_id": self.peer_id,
                "media_mode": access.media_mode,
                "room_mode": access.room_mode,
                "peers": [_public(pid, e) for pid, e in others.items()],
                "history": history,
                "recording": recording,
            }
        )
        await self.channel_layer.group_send(
            self.room_group, {"type": "room.peer_joined", "peer_id": self.peer_id, "entry": self.entry}
        )

    async def _refuse(self, close_code: int) -> None:
        # Accepted only so the close code reaches the page; the socket has joined no group.
        await self.accept()
        await self.close(code=close_code)

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self._depart()

    async def _depart(self) -> None:
        if self.departed:
            return
        self.departed = True
        await self.channel_layer.group_discard(self.room_group, self.channel_name)
        await self.channel_layer.group_discard(self.user_group, self.channel_name)
        removed = await self.presence.remove(self.peer_id, channel_name=self.channel_name)
        if self.visit_id is not None:
            await database_sync_to_async(room_services.room_visit_close)(visit_id=self.visit_id)
        if not removed:
            return  # the same page reconnected on a new socket and carries on
        await self.channel_layer.group_send(
            self.room_group, {"type": "room.peer_left", "peer_id": self.peer_id, "reason": self.leave_reason}
        )
        if self.access.is_mentor:
            state = await database_sync_to_async(room_services.recording_stop_running)(
                session_id=self.access.session_id
            )
            if state is not None:
                await self.channel_layer.group_send(self.room_group, {"type": "room.recording", "state": state})

    # --- incoming frames ---

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.joined or self.departed:
            return
        if not self.bucket.take(self.frame_received_at):
            now = time.monotonic()
            if now - self.last_rate_notice >= RATE_LIMIT_NOTICE_INTERVAL:
                self.last_rate_notice = now
                await self.send_json({"type": "error", "code": "rate_limited"})
            return
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            return
        try:
            message = validate_message(json.loads(text_data))
        except ValueError:
            message = None
        if message is None:
            await self.send_json({"type": "error", "code": "invalid_message"})
            return
        if timezone.now() > self.access.closes_at:
            self.leave_reason = "left"
            await self._depart()
            await self.close(code=room_services.CLOSE_NOT_OPEN)
            return
        await getattr(self, f"on_{message['type']}")(message)

    async def _relay(self, message: dict[str, Any]) -> None:
        target = message["to"]
        channel = self.peer_channels.get(target)
        if channel is None:
            entry = await self.presence.get(target)
            if entry is not None:
                channel = self.peer_channels[target] = entry["channel"]
        if channel is None:
            await self.send_json({"type": "error", "code": "peer_gone", "peer_id": target})
            return
        payload = {key: value for key, value in message.items() if key != "to"}
        payload["from"] = self.peer_id
        await self.channel_layer.send(channel, {"type": "room.relay", "payload": payload})

    on_offer = on_answer = on_ice = _relay

    async def on_media(self, message: dict[str, Any]) -> None:
        self.entry.update(audio=message["audio"], video=message["video"])
        await self.presence.put(self.peer_id, self.entry)
        await self.channel_layer.group_send(
            self.room_group,
            {"type": "room.peer_media", "peer_id": self.peer_id, "audio": message["audio"], "video": message["video"]},
        )

    async def on_screen(self, message: dict[str, Any]) -> None:
        if message["on"] and not self.access.may_share_screen:
            await self.send_json({"type": "error", "code": "not_allowed"})
            return
        self.entry["screen"] = message["on"]
        await self.presence.put(self.peer_id, self.entry)
        await self.channel_layer.group_send(
            self.room_group, {"type": "room.peer_screen", "peer_id": self.peer_id, "on": message["on"]}
        )

    async def on_chat(self, message: dict[str, Any]) -> None:
        stored = await database_sync_to_async(room_services.chat_post)(
            session_id=self.access.session_id, sender_id=self.user_id, text=message["text"], mask=self.access.has_minor
        )
        await self.channel_layer.group_send(self.room_group, {"type": "room.chat", "message": stored})

    async def on_record(self, message: dict[str, Any]) -> None:
        if not self.access.is_mentor:
            await self.send_json({"type": "error", "code": "not_allowed"})
            return
        if message["action"] == "start":
            state = await database_sync_to_async(room_services.recording_start)(
                session_id=self.access.session_id, mentor_id=self.user_id
            )
        else:
            if self.access.recording_required:
                await self.send_json({"type": "error", "code": "recording_required"})
                return
            state = await database_sync_to_async(room_services.recording_stop_running)(
                session_id=self.access.session_id
            )
        if state is not None:
            await self.channel_layer.group_send(self.room_group, {"type": "room.recording", "state": state})

    async def on_end(self, message: dict[str, Any]) -> None:
        if not self.access.is_mentor:
            await self.send_json({"type": "error", "code": "not_allowed"})
            return
        try:
            await database_sync_to_async(room_services.room_end)(
                session_id=self.access.session_id, mentor_id=self.user_id
            )
        except ValidationError as exc:
            await self.send_json({"type": "error", "code": "end_refused", "detail": " ".join(exc.messages)})
            return
        await self.channel_layer.group_send(self.room_group, {"type": "room.ended"})

    async def on_leave(self, message: dict[str, Any]) -> None:
        self.leave_reason = "left"
        await self._depart()
        await self.close(code=1000)

    async def on_ping(self, message: dict[str, Any]) -> None:
        await self.presence.put(self.peer_id, self.entry)

    # --- events from the channel layer ---

    async def room_replaced(self, event: dict[str, Any]) -> None:
        if event["channel"] == self.channel_name:
            return
        if event["peer_id"] != self.peer_id:
            self.leave_reason = "left"
        await self._depart()
        await self.close(code=room_services.CLOSE_REPLACED)

    async def room_removed(self, event: dict[str, Any]) -> None:
        self.leave_reason = "left"
        await self._depart()
        await self.close(code=room_services.CLOSE_NOT_MEMBER)

    async def room_peer_joined(self, event: dict[str, Any]) -> None:
        peer_id, entry = event["peer_id"], event["entry"]
        if peer_id == self.peer_id or entry["user_id"] == self.user_id:
            return
        self.peer_channels[peer_id] = entry["channel"]
        await self.send_json({"type": "peer_joined", "peer": _public(peer_id, entry)})

    async def room_peer_left(self, event: dict[str, Any]) -> None:
        if event["peer_id"] == self.peer_id:
            return
        self.peer_channels.pop(event["peer_id"], None)
        await self.send_json({"type": "peer_left", "peer_id": event["peer_id"], "reason": event["reason"]})

    async def room_peer_media(self, event: dict[str, Any]) -> None:
        if event["peer_id"] != self.peer_id:
            await self.send_json(
                {"type": "peer_media", "peer_id": event["peer_id"], "audio": event["audio"], "video": event["video"]}
            )

    async def room_peer_screen(self, event: dict[str, Any]) -> None:
        if event["peer_id"] != self.peer_id:
            await self.send_json({"type": "peer_screen", "peer_id": event["peer_id"], "on": event["on"]})

    async def room_relay(self, event: dict[str, Any]) -> None:
        await self.send_json(event["payload"])

    async def room_chat(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "chat", "message": event["message"]})

    async def room_recording(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "recording", **event["state"]})

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "ended"})
        self.leave_reason = "left"
        await self._depart()
        await self.close(code=room_services.CLOSE_ENDED)
