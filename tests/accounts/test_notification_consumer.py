"""The notification socket on the real Redis channel layer: signed-in owners only, every tab, nobody else."""

import pytest
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accounts.consumers import CLOSE_SIGN_IN
from accounts.notifications.live import notification_group_name
from accounts.services import notification_mark_all_read, notification_raise
from mentorship.asgi import application
from mentorship.routing import websocket_urlpatterns
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

router = URLRouter(websocket_urlpatterns)


@pytest.fixture(autouse=True)
def _pushes_not_paused(monkeypatch):
    """A push that failed in an earlier test (Redis stopped on purpose) pauses pushes for a while: not here."""
    from accounts.notifications import live

    monkeypatch.setattr(live, "_paused_until", 0.0)


async def group_size(user_id: int) -> int:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        return await client.zcard(f"peerlearn-{settings.PEERLEARN_ENV}:group:{notification_group_name(user_id)}")
    finally:
        await client.aclose()


async def open_tab(user):
    communicator = WebsocketCommunicator(router, "/ws/notifications/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "unread"
    return communicator, hello


def raise_notice(user, **params):
    return notification_raise(
        recipient=user, kind="accounts.notice", params={"title": "Hello", **params}, link="/somewhere/"
    )


async def test_anonymous_sockets_are_refused():
    communicator = WebsocketCommunicator(router, "/ws/notifications/")
    communicator.scope["user"] = AnonymousUser()
    connected, code = await communicator.connect(timeout=5)
    assert not connected and code == CLOSE_SIGN_IN


async def test_a_socket_without_a_session_cookie_is_refused_by_the_real_stack():
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    assert not connected and code == CLOSE_SIGN_IN


async def test_the_session_cookie_signs_the_socket_in_and_it_starts_with_the_unread_count():
    user = await sync_to_async(UserFactory)()
    await sync_to_async(raise_notice)(user)
    client = Client()
    await sync_to_async(client.force_login)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "unread", "unread": 1}
    await communicator.disconnect()


async def test_every_open_tab_of_the_owner_gets_it_and_nobody_else_does():
    owner, stranger = await sync_to_async(UserFactory)(), await sync_to_async(UserFactory)()
    tabs = [(await open_tab(owner))[0] for _ in range(3)]
    other, _ = await open_tab(stranger)

    notification = await sync_to_async(raise_notice)(owner, title="Your session is booked")

    for tab in tabs:
        message = await tab.receive_json_from(timeout=5)
        assert message["type"] == "notification" and message["unread"] == 1
        assert message["notification"]["id"] == notification.pk
        assert message["notification"]["title"] == "Your session is booked"
        assert message["notification"]["link"] == "/somewhere/"
        assert f'id="notification-{notification.pk}"' in message["notification"]["html"]
    assert await other.receive_nothing(timeout=0.5)
    for tab in [*tabs, other]:
        await tab.disconnect()


async def test_marking_read_in_one_tab_updates_the_count_in_the_others():
    owner = await sync_to_async(UserFactory)()
    await sync_to_async(raise_notice)(owner)
    first, hello = await open_tab(owner)
    second, _ = await open_tab(owner)
    assert hello["unread"] == 1

    await sync_to_async(notification_mark_all_read)(user=owner)

    for tab in (first, second):
        assert await tab.receive_json_from(timeout=5) == {"type": "unread", "unread": 0}
        await tab.disconnect()


async def test_the_push_is_worded_in_the_recipients_language_not_the_senders():
    student = await sync_to_async(UserFactory)(ui_language="hi")
    tab, _ = await open_tab(student)

    def raise_in_english():
        from django.utils import translation

        with translation.override("en"):
            return notification_raise(
                recipient=student, kind="support.reply", params={"ticket": 1, "subject": "Login", "reply": "ठीक है"}
            )

    await sync_to_async(raise_in_english)()
    message = await tab.receive_json_from(timeout=5)
    assert message["notification"]["title"].startswith("सहायता")
    await tab.disconnect()


async def test_a_closed_tab_leaves_the_group():
    owner = await sync_to_async(UserFactory)()
    first, _ = await open_tab(owner)
    second, _ = await open_tab(owner)
    assert await group_size(owner.pk) == 2
    await first.disconnect()
    assert await group_size(owner.pk) == 1
    await second.disconnect()
    assert await group_size(owner.pk) == 0
