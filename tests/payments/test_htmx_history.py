"""Payment history and earnings: htmx "load more" gets the rows, history restores the whole page."""

import pytest
from django.urls import reverse

from tests.factories import PaymentFactory
from tests.htmx import HISTORY_RESTORE, assert_page_or_partial

pytestmark = pytest.mark.django_db


def test_history(client, student):
    PaymentFactory.create_batch(2, payer=student)
    client.force_login(student)
    assert_page_or_partial(client, reverse("payments:history"), fragment='data-testid="payment-row"')


def test_earnings(client, captured_payment, mentor):
    captured_payment()
    client.force_login(mentor)
    assert_page_or_partial(client, reverse("payments:earnings"), fragment='data-testid="earning-row"')
    restored = client.get(reverse("payments:earnings"), headers=HISTORY_RESTORE)
    assert 'data-testid="balance-escrow"' in restored.content.decode()
