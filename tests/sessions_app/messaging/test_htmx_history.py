"""A message thread: htmx swaps get the conversation, history restores the whole page."""

import pytest
from django.conf import settings
from django.urls import reverse

from sessions_app.messaging import services
from tests.htmx import assert_page_or_partial

pytestmark = pytest.mark.django_db


def test_message_thread(client, adult_student, mentor_profile):
    thread = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello from history").thread
    client.force_login(adult_student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("sessions_app:message_thread", args=[thread.uuid])
    assert_page_or_partial(client, url, fragment="Hello from history")
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="conversation"')
