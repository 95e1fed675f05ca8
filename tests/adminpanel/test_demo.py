import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from adminpanel.models import DailyMetric, Ticket
from adminpanel.selectors import ticket_queue

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_support_desk_tickets_with_the_emergency_first(client, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent

    assert Ticket.objects.count() == 3
    top = ticket_queue().first()
    assert top.is_emergency and top.requester.email == "student.school@demo.peerlearn.test"
    assert DailyMetric.objects.filter(metric="signups", language_code="*", state="*").exists()
    client.force_login(User.objects.get(email="support@demo.peerlearn.test"))
    assert "EMERGENCY" in client.get(reverse("adminpanel:ticket_queue")).content.decode()
