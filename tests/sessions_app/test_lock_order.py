"""A late payment and a rebooking of the same expired slot, at the same moment, in real threads: never a 500."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from payments.models import Refund
from payments.services import payment_verify_callback
from sessions_app import services
from sessions_app.models import Booking
from tests.factories import language, student_with_profile
from tests.sessions_app.conftest import local_slot

RACES = 12


def _in_thread(barrier: threading.Barrier, outcomes: list, name: str, work) -> threading.Thread:
    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append((name, work()))
        except ValidationError as exc:
            outcomes.append((name, exc.code))
        except Exception as exc:  # noqa: BLE001 - anything else would have been a 500
            outcomes.append((name, exc))
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_late_payment_racing_a_rebooking_of_the_expired_slot_ends_with_one_owner_and_never_an_error(
    mentor, razorpay_keys
):
    for race in range(RACES):
        start = local_slot(days=2 + race // 6, hour=10 + race % 6)
        first, second = student_with_profile(languages=("hi",)), student_with_profile(languages=("hi",))
        hold = services.booking_hold_one_to_one(
            student=first, mentor=mentor, starts_at=start, duration_minutes=60, session_type="career_counselling",
            language=language("hi"), questionnaire=services.Questionnaire(purpose="Maths"),
        )
        payment = services.booking_start_payment(booking=hold)
        paid = razorpay_keys.pay(payment.razorpay_order_id)
        Booking.objects.filter(pk=hold.pk).update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))

        def late_payment(payment=payment, paid=paid):
            return payment_verify_callback(payment=payment, **paid).status

        def rebooking(second=second, start=start):
            return services.booking_hold_one_to_one(
                student=second, mentor=mentor, starts_at=start, duration_minutes=60,
                session_type="career_counselling", language=language("hi"),
                questionnaire=services.Questionnaire(purpose="Physics"),
            ).status

        barrier, outcomes = threading.Barrier(2), []
        threads = [_in_thread(barrier, outcomes, "payment", late_payment),
                   _in_thread(barrier, outcomes, "rebooking", rebooking)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        results = dict(outcomes)
        assert results["payment"] == "captured", results
        assert results["rebooking"] in {Booking.Status.PENDING_PAYMENT, "slot_taken"}, results
        owners = Booking.objects.filter(
            session__mentor=mentor.user, session__starts_at=start, status__in=Booking.ACTIVE_STATUSES
        )
        assert owners.count() == 1, results
        if not owners.filter(student=first).exists():
            assert Refund.objects.filter(payment=payment, amount_paise=payment.amount_paise).exists()
