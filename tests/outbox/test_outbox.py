"""The outbox delivers what a committed change owes: once, later if need be, never twice at the same time."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Notification
from outbox.models import OutboxMessage
from outbox.services import MAX_ATTEMPTS, enqueue, outbox_deliver, outbox_sweep
from payments.models import Payment
from payments.tasks import capture_authorized_payment
from sessions_app import tasks
from sessions_app.models import Booking
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed_booking():
    return BookingFactory(status=Booking.Status.CONFIRMED, confirmed_at=timezone.now())


def test_a_redelivered_notice_reaches_each_person_once(
    confirmed_booking, mailoutbox, django_capture_on_commit_callbacks
):
    message = enqueue(tasks.notify_booking, confirmed_booking.pk, "confirmed")
    # The notifications owe their emails through the outbox too: run those as they commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(message_id=message.pk, worker_task_id="first") == "done"
    sent = (Notification.objects.count(), len(mailoutbox))
    # The worker died after sending and before it acknowledged: the broker hands the task to another worker.
    OutboxMessage.objects.filter(pk=message.pk).update(done_at=None, leased_until=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(message_id=message.pk, worker_task_id="second") == "done"

    assert sent == (2, 2)  # student and mentor
    assert (Notification.objects.count(), len(mailoutbox)) == sent


def test_the_same_event_twice_is_two_notices(confirmed_booking, mailoutbox):
    """Deduplication is per owed message, not per kind of event: a second reschedule is news again."""
    for _time in range(2):
        message = enqueue(tasks.notify_booking, confirmed_booking.pk, "rescheduled")
        outbox_deliver(message_id=message.pk, worker_task_id=f"task-{message.pk}")

    assert Notification.objects.filter(recipient=confirmed_booking.student).count() == 2


def test_a_message_running_in_one_worker_is_not_run_by_another(
    confirmed_booking, mailoutbox, django_capture_on_commit_callbacks
):
    message = enqueue(tasks.notify_booking, confirmed_booking.pk, "confirmed")
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() + dt.timedelta(minutes=5), leased_by="running-elsewhere"
    )

    assert outbox_deliver(message_id=message.pk, worker_task_id="republished-copy") == "skipped"
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(message_id=message.pk, worker_task_id="running-elsewhere") == "done"
    assert len(mailoutbox) == 2


def test_a_failing_task_is_retried_later_with_backoff_then_given_up_loudly(create_payment_for_capture, razorpay_keys):
    payment, razorpay_payment_id = create_payment_for_capture()
    message = enqueue(capture_authorized_payment, payment.pk, razorpay_payment_id)
    razorpay_keys.state.fail_next_requests = 1  # the gateway answers 503 once

    with pytest.raises(Exception, match="not responding"):
        outbox_deliver(message_id=message.pk, worker_task_id="t1")

    message.refresh_from_db()
    assert message.done_at is None and message.failed_at is None
    assert message.available_at > timezone.now()
    assert outbox_sweep() == 0  # not due yet
    with time_machine.travel(message.available_at + dt.timedelta(seconds=1), tick=False):
        assert outbox_sweep() == 1  # eager here: published and run

    message.refresh_from_db()
    payment.refresh_from_db()
    assert message.done_at is not None
    assert payment.status == Payment.Status.CAPTURED

    stuck = enqueue(capture_authorized_payment, payment.pk + 1000, razorpay_payment_id)
    OutboxMessage.objects.filter(pk=stuck.pk).update(attempts=MAX_ATTEMPTS - 1)
    with pytest.raises(Payment.DoesNotExist):
        outbox_deliver(message_id=stuck.pk, worker_task_id="last")
    stuck.refresh_from_db()
    assert stuck.failed_at is not None
    assert "DoesNotExist" in stuck.last_error


def test_the_sweep_republishes_a_message_the_broker_lost(
    confirmed_booking, mailoutbox, django_capture_on_commit_callbacks
):
    message = enqueue(tasks.notify_booking, confirmed_booking.pk, "confirmed")
    # Published, then Redis restarted empty: nothing will ever run it unless the sweep publishes it again.
    OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now())

    assert outbox_sweep() == 0  # it may still be queued
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(
        timezone.now() + dt.timedelta(minutes=3), tick=False
    ):
        assert outbox_sweep() == 1

    message.refresh_from_db()
    assert message.done_at is not None
    assert len(mailoutbox) == 2


@pytest.fixture
def create_payment_for_capture(razorpay_keys):
    from payments import registry
    from payments.services import payment_apply_state, payment_create
    from tests.factories import UserFactory
    from tests.payments.conftest import RecordingHandler

    registry.register_purpose("outbox-test", RecordingHandler("outbox-test"))

    def create():
        payment = payment_create(
            payer=UserFactory(), purpose="outbox-test", reference_id=1, amount_paise=10_000,
            payee=UserFactory(role="mentor"), description="Outbox test",
        )
        payment_id = razorpay_keys.pay(payment.razorpay_order_id)["razorpay_payment_id"]
        payment_apply_state(
            order_id=payment.razorpay_order_id, razorpay_payment_id=payment_id, status="authorized",
            amount_paise=10_000,
        )
        return payment, payment_id

    yield create
    registry.unregister_purpose("outbox-test")


def test_a_message_stored_under_a_task_name_from_before_the_naming_scheme_still_runs(
    confirmed_booking, mailoutbox, django_capture_on_commit_callbacks
):
    message = OutboxMessage.objects.create(
        task_name="sessions_app.tasks.notify_booking", args=[confirmed_booking.pk, "confirmed"]
    )

    # The notices' emails are owed through the outbox in turn: run what the delivery committed.
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(message_id=message.pk, worker_task_id="after-the-rename") == "done"

    assert len(mailoutbox) == 2  # student and mentor
