"""Staff queues and the application page: htmx swaps get the fragment, history restores the whole page."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import MentorProfileFactory, TicketFactory, UserFactory
from tests.htmx import assert_page_or_partial

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(is_staff=True, role=User.Role.ADMIN, time_zone="Asia/Kolkata")
    client.force_login(user)
    return user


def test_verification_queue_and_application(client, admin):
    mentor = MentorProfileFactory(pending=True)
    assert_page_or_partial(client, reverse("adminpanel:verification_queue"), fragment='id="queue-results"')
    assert_page_or_partial(client, reverse("adminpanel:application", args=[mentor.pk]), fragment='id="workflow"')


def test_ticket_queue(client, admin):
    TicketFactory()
    assert_page_or_partial(client, reverse("adminpanel:ticket_queue"), fragment='id="ticket-results"')


def test_audit_log(client, admin):
    assert_page_or_partial(client, reverse("adminpanel:audit_log"), fragment='id="audit-results"')
