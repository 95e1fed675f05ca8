"""A broker (Redis) outage never fails a request whose change is saved, and never loses the work it owes."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Notification
from outbox.models import OutboxMessage
from outbox.services import outbox_sweep
from payments.models import Refund
from sessions_app.models import Booking

pytestmark = pytest.mark.django_db


def test_cancellation_during_a_broker_outage_succeeds_and_its_refund_and_notices_follow_the_sweep(
    client, paid_booking, committed, broker
):
    booking = paid_booking()
    notices_before = Notification.objects.count()
    url = reverse("sessions_app:booking_cancel", args=[booking.uuid])
    broker.down()

    cancelled_at = booking.session.starts_at - dt.timedelta(days=1, hours=1)
    with time_machine.travel(cancelled_at, tick=False):
        client.force_login(booking.student)
        with committed():
            response = client.post(url, {"note": "Exams moved"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not Refund.objects.exists()
    owed = OutboxMessage.objects.filter(done_at__isnull=True)
    assert {message.task_name for message in owed} >= {
        "sessions_app.tasks.refund_booking",
        "sessions_app.tasks.notify_booking",
    }

    broker.up()
    with time_machine.travel(cancelled_at + dt.timedelta(seconds=30), tick=False), committed():
        published = outbox_sweep()

    assert published == len(owed)
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    assert Refund.objects.get(payment=booking.payment).amount_paise == booking.price_paise
    assert Notification.objects.count() == notices_before + 2  # the student and the mentor


def test_payment_callback_during_a_broker_outage_confirms_and_the_confirmation_notices_follow(
    hold_slot, student, razorpay_keys, committed, broker
):
    from payments.services import payment_verify_callback
    from sessions_app import services

    booking = services.booking_start_payment(booking=hold_slot(student)).reference_id
    payment = Booking.objects.get(pk=booking).payment
    broker.down()
    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))

    assert Booking.objects.get(pk=booking).status == Booking.Status.CONFIRMED
    assert not Notification.objects.filter(recipient=student).exists()

    broker.up()
    with committed():
        outbox_sweep()

    assert Notification.objects.filter(recipient=student).count() == 1
