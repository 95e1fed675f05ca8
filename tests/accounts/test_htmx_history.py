"""The notifications inbox: htmx swaps get the fragment, history restores the whole page."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.services import notification_raise
from tests.factories import UserFactory
from tests.htmx import assert_page_or_partial

pytestmark = pytest.mark.django_db


def test_notifications_inbox(client):
    user = UserFactory()
    notification = notification_raise(
        recipient=user, kind="support.reply", params={"ticket": 7, "subject": "Refund", "reply": "Done."}
    )
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fragment = f'data-notification-id="{notification.pk}"'
    assert_page_or_partial(client, reverse("accounts:notifications"), fragment=fragment)
    assert_page_or_partial(client, reverse("accounts:notifications"), {"show": "unread"}, fragment=fragment)
