import threading

import pytest
from django.db import connection, connections

from payments.models import LedgerTransaction, Payment
from payments.selectors import mentor_balances
from payments.services import payment_apply_state
from tests.factories import PaymentFactory, UserFactory


def run_in_threads(count: int, target) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(index)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_callback_webhooks_and_reconciliation_capture_exactly_once(test_purpose):
    mentor = UserFactory(role="mentor")
    payment = PaymentFactory(payee=mentor, amount_paise=70_000)

    def report(index: int) -> None:
        # Half say "failed" for another attempt, half "captured": all race for the same row.
        captured = index % 2 == 0
        payment_apply_state(
            order_id=payment.razorpay_order_id,
            razorpay_payment_id="pay_good" if captured else f"pay_bad{index}",
            status="captured" if captured else "failed",
            amount_paise=70_000,
        )

    errors = run_in_threads(12, report)

    assert errors == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert test_purpose.events().count("captured") == 1
    assert LedgerTransaction.objects.filter(payment=payment, kind=LedgerTransaction.Kind.CAPTURE).count() == 1
    assert mentor_balances(mentor).escrow_paise == 70_000
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM payments_ledgerentry "
            "GROUP BY transaction_id HAVING sum(amount_paise) <> 0) unbalanced"
        )
        assert cursor.fetchone()[0] == 0
