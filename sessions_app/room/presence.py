"""Who is in a room right now: one Redis hash per session, shared by every Daphne node.

Each field is a peer id (``<user id>.<token the page chose>``, stable across the page's reconnects) and holds the
peer's public state plus the channel name its socket listens on. Entries carry a ``seen`` time refreshed by the
socket's pings, so a node that died without cleaning up leaves nothing visible for long.
"""

import asyncio
import json
import time
import weakref
from typing import Any

import redis.asyncio as aioredis
from django.conf import settings

STALE_AFTER_SECONDS = 90

# Removes the field only if it still belongs to this socket: a reconnect of the same page may already own it.
_REMOVE_IF_OWNER = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
if cjson.decode(raw)['channel'] ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
"""

# One client per event loop: redis.asyncio connections belong to the loop that opened them.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = weakref.WeakKeyDictionary()


def _client() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(settings.REDIS_CHANNEL_LAYER_URL, **settings.REDIS_PRESENCE_OPTIONS)
        _clients[loop] = client
    return client


def _key(session_id: int) -> str:
    return f"peerlearn-{settings.PEERLEARN_ENV}:room:{session_id}:peers"


class RoomPresence:
    def __init__(self, session_id: int, *, ttl_seconds: int) -> None:
        self.key = _key(session_id)
        self.ttl_seconds = max(ttl_seconds, 60)

    async def put(self, peer_id: str, entry: dict[str, Any]) -> None:
        entry = {**entry, "seen": time.time()}
        client = _client()
        async with client.pipeline(transaction=True) as pipe:
            pipe.hset(self.key, peer_id, json.dumps(entry))
            pipe.expire(self.key, self.ttl_seconds)
            await pipe.execute()

    async def get(self, peer_id: str) -> dict[str, Any] | None:
        raw = await _client().hget(self.key, peer_id)
        if raw is None:
            return None
        entry = json.loads(raw)
        return entry if time.time() - entry["seen"] <= STALE_AFTER_SECONDS else None

    async def update(self, peer_id: str, **fields: Any) -> dict[str, Any] | None:
        """Merge fields into the peer's entry (only its own socket writes it, so no lost updates)."""
        entry = await self.get(peer_id)
        if entry is None:
            return None
        entry.update(fields)
        await self.put(peer_id, entry)
        return entry

    async def remove(self, peer_id: str, *, channel_name: str) -> bool:
        removed = await _client().eval(_REMOVE_IF_OWNER, 1, self.key, peer_id, channel_name)
        return bool(removed)

    async def all(self) -> dict[str, dict[str, Any]]:
        raw = await _client().hgetall(self.key)
        now = time.time()
        entries = {}
        stale = []
        for peer_id, value in raw.items():
            entry = json.loads(value)
            if now - entry["seen"] <= STALE_AFTER_SECONDS:
                entries[peer_id.decode()] = entry
            else:
                stale.append(peer_id)
        if stale:
            await _client().hdel(self.key, *stale)
        return entries
