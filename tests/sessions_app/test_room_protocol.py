import time

import pytest

from sessions_app.room.protocol import CHAT_MAX_LENGTH, TokenBucket, validate_message

PEER = "3f9c0a12b7de.0123456789abcdef"


@pytest.mark.parametrize(
    "message",
    [
        {"type": "offer", "to": PEER, "sdp": "v=0..."},
        {"type": "answer", "to": PEER, "sdp": "v=0..."},
        {
            "type": "ice",
            "to": PEER,
            "candidate": {
                "candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                "sdpMid": "0",
                "sdpMLineIndex": 0,
                "usernameFragment": "abcd",
            },
        },
        {"type": "ice", "to": PEER, "candidate": None},
        {"type": "media", "audio": True, "video": False},
        {"type": "screen", "on": True},
        {"type": "chat", "text": "Hello"},
        {"type": "chat", "text": "x" * CHAT_MAX_LENGTH},
        {"type": "record", "action": "start"},
        {"type": "end"},
        {"type": "leave"},
        {"type": "ping"},
    ],
)
def test_well_formed_messages_pass(message):
    assert validate_message(message) == message


@pytest.mark.parametrize(
    "message",
    [
        None,
        [],
        "chat",
        {},
        {"type": "shutdown"},
        {"type": "offer", "to": PEER},
        {"type": "offer", "to": "room.1", "sdp": "v=0"},
        {"type": "offer", "to": PEER, "sdp": "v=0", "extra": 1},
        {"type": "ice", "to": PEER, "candidate": {"candidate": 5}},
        {"type": "media", "audio": "yes", "video": False},
        {"type": "chat", "text": ""},
        {"type": "chat", "text": "   "},
        {"type": "chat", "text": "x" * (CHAT_MAX_LENGTH + 1)},
        {"type": "chat", "text": ["hi"]},
        {"type": "record", "action": "pause"},
    ],
)
def test_malformed_messages_are_rejected(message):
    assert validate_message(message) is None


def test_token_bucket_allows_a_burst_then_the_rate():
    bucket = TokenBucket(rate=50, capacity=50)
    allowed = sum(bucket.take() for _ in range(200))
    assert 50 <= allowed <= 52
    time.sleep(0.1)
    assert 4 <= sum(bucket.take() for _ in range(20)) <= 6
