import pytest

from payments import registry
from payments.models import Payment
from payments.registry import PaymentSubject
from tests.factories import UserFactory


class RecordingHandler:
    """A purpose handler for tests: remembers every call, in order, with the payment's status at that moment."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self.calls: list[tuple[str, int, str]] = []

    def on_captured(self, payment: Payment) -> None:
        self.calls.append(("captured", payment.pk, payment.status))

    def on_failed(self, payment: Payment) -> None:
        self.calls.append(("failed", payment.pk, payment.status))

    def on_refund_processed(self, payment: Payment, refund) -> None:
        self.calls.append(("refund_processed", payment.pk, refund.status))

    def return_url(self, payment: Payment) -> str:
        return f"/test-purpose/{payment.reference_id}/"

    def describe(self, payments, *, viewer) -> dict[int, PaymentSubject]:
        return {payment.pk: PaymentSubject(title=f"Test purchase {payment.reference_id}") for payment in payments}

    def events(self) -> list[str]:
        return [name for name, _pk, _status in self.calls]


def _register(purpose: str):
    previous = registry._handlers.get(purpose)
    handler = RecordingHandler(purpose)
    registry.register_purpose(purpose, handler)
    return handler, previous


@pytest.fixture(autouse=True)
def test_purpose():
    """The "test" purpose (and "tip"), registered for the test and restored afterwards."""
    handler, previous = _register("test")
    tip_handler, previous_tip = _register("tip")
    handler.tip = tip_handler
    yield handler
    for purpose, old in (("test", previous), ("tip", previous_tip)):
        if old is None:
            registry.unregister_purpose(purpose)
        else:
            registry.register_purpose(purpose, old)


@pytest.fixture
def student(db):
    return UserFactory()


@pytest.fixture
def mentor(db):
    return UserFactory(role="mentor")


@pytest.fixture
def create_payment(razorpay_keys, student, mentor):
    """payment_create through the SDK against the fake server."""
    from payments.services import payment_create

    def create(amount_paise: int = 50_000, *, purpose: str = "test", payer=None, payee=mentor, reference_id: int = 7):
        return payment_create(
            payer=payer or student,
            purpose=purpose,
            reference_id=reference_id,
            amount_paise=amount_paise,
            payee=payee,
            description="Career counselling with a mentor",
        )

    return create


@pytest.fixture
def captured_payment(create_payment, razorpay_keys):
    """A payment paid through the fake Checkout and captured through the verify callback."""
    from payments.services import payment_verify_callback

    def make(amount_paise: int = 50_000, **kwargs) -> Payment:
        payment = create_payment(amount_paise, **kwargs)
        result = razorpay_keys.pay(payment.razorpay_order_id)
        return payment_verify_callback(payment=payment, **result)

    return make
