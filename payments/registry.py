"""Purposes: the apps that sell something register how their payments are handled.

``payments`` never imports those apps. Each registers a handler in its ``AppConfig.ready``::

    register_purpose("booking", BookingPaymentHandler())

The handler's methods run inside the transaction that changed the payment, once per real transition, with the
payment row locked; they must not call the gateway (use ``transaction.on_commit`` for side effects).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from accounts.models import User
    from payments.models import Payment, Refund


@dataclass(frozen=True)
class PaymentSubject:
    """What a payment bought, worded in the active language when asked; ``starts_at`` (aware) is for the page to
    show in the viewer's zone."""

    title: str
    starts_at: dt.datetime | None = None


class PurposeHandler(Protocol):
    def on_captured(self, payment: "Payment") -> None:
        """The money is ours (in escrow): confirm what was bought. Also called after an earlier ``on_failed``."""

    def on_failed(self, payment: "Payment") -> None:
        """The payment failed: release whatever was held for it."""

    def on_refund_processed(self, payment: "Payment", refund: "Refund") -> None:
        """Razorpay has paid a refund back to the student."""

    def return_url(self, payment: "Payment") -> str:
        """Where to send the payer after checkout, paid or not."""

    def describe(self, payments: Sequence["Payment"], *, viewer: "User") -> dict[int, PaymentSubject]:
        """What each payment (all of this purpose) bought, by payment id, as `viewer` (payer or payee) reads it, for
        histories, earnings and the checkout page, in the active language and with a fixed number of queries
        however many payments."""


_handlers: dict[str, PurposeHandler] = {}


def register_purpose(purpose: str, handler: PurposeHandler) -> None:
    """Register (or replace, e.g. on autoreload) the handler of a purpose."""
    missing = [
        name
        for name in ("on_captured", "on_failed", "on_refund_processed", "return_url", "describe")
        if not callable(getattr(handler, name, None))
    ]
    if missing:
        raise ImproperlyConfigured(f"Payment handler for {purpose!r} lacks {', '.join(missing)}.")
    _handlers[purpose] = handler


def unregister_purpose(purpose: str) -> None:
    _handlers.pop(purpose, None)


def get_handler(purpose: str) -> PurposeHandler:
    try:
        return _handlers[purpose]
    except KeyError:
        raise ImproperlyConfigured(f"No payment handler registered for purpose {purpose!r}.") from None


def is_registered(purpose: str) -> bool:
    return purpose in _handlers
