"""What a browser may send to the room socket, and how fast.

Every incoming frame is checked against the schema of its ``type`` before any handler sees it; anything else is
dropped. Server → browser messages are documented in ``sessions_app/room/consumer.py``.
"""

import time
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

# SDP of a 4-way mesh with simulcast stays far below this; it bounds what one frame can make us parse.
MAX_FRAME_CHARS = 64 * 1024
CHAT_MAX_LENGTH = 1000
PEER_ID_PATTERN = r"^[0-9a-f]{12}\.[0-9a-f]{8,32}$"

_PEER = {"type": "string", "pattern": PEER_ID_PATTERN}
_ICE_CANDIDATE = {
    "type": "object",
    "properties": {
        "candidate": {"type": "string", "maxLength": 2048},
        "sdpMid": {"type": ["string", "null"], "maxLength": 64},
        "sdpMLineIndex": {"type": ["integer", "null"], "minimum": 0, "maximum": 64},
        "usernameFragment": {"type": ["string", "null"], "maxLength": 256},
    },
    "required": ["candidate"],
    "additionalProperties": False,
}


def _message(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"type": "string"}, **properties},
        "required": ["type", *required],
        "additionalProperties": False,
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "offer": _message({"to": _PEER, "sdp": {"type": "string", "minLength": 1, "maxLength": 60_000}}, ("to", "sdp")),
    "answer": _message({"to": _PEER, "sdp": {"type": "string", "minLength": 1, "maxLength": 60_000}}, ("to", "sdp")),
    "ice": _message({"to": _PEER, "candidate": {"oneOf": [_ICE_CANDIDATE, {"type": "null"}]}}, ("to", "candidate")),
    "media": _message({"audio": {"type": "boolean"}, "video": {"type": "boolean"}}, ("audio", "video")),
    "screen": _message({"on": {"type": "boolean"}}, ("on",)),
    "chat": _message(
        {"text": {"type": "string", "minLength": 1, "maxLength": CHAT_MAX_LENGTH, "pattern": r"\S"}}, ("text",)
    ),
    "record": _message({"action": {"enum": ["start", "stop"]}}, ("action",)),
    "end": _message({}),
    "leave": _message({}),
    "ping": _message({}),
}
_VALIDATORS = {kind: Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}
for _validator in _VALIDATORS.values():
    Draft202012Validator.check_schema(_validator.schema)


def validate_message(message: object) -> dict[str, Any] | None:
    """The message if it is one the room understands, else None."""
    if not isinstance(message, dict):
        return None
    validator = _VALIDATORS.get(message.get("type"))  # type: ignore[arg-type]
    if validator is None or not validator.is_valid(message) or _has_nul(message):
        return None
    return message


def _has_nul(value: object) -> bool:
    # PostgreSQL text cannot hold NUL, and no offer, candidate or chat line needs one.
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


@dataclass
class TokenBucket:
    """Allows ``rate`` messages per second on average and bursts of up to ``capacity``."""

    rate: float
    capacity: float
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def take(self, now: float | None = None) -> bool:
        """Spend a token for a frame that arrived at ``now`` (monotonic; default: this moment)."""
        now = time.monotonic() if now is None else max(now, self.updated)
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
