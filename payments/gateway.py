"""The payment gateway: Razorpay through its SDK, or an offline stand-in when no keys are configured.

Both expose the same small interface and return Razorpay-shaped dicts, so the services never know which one runs.
The offline gateway exists for development (``make run``) and browser journeys; it is refused in production.
"""

import hashlib
import hmac
import secrets
import threading
import time
from typing import Any

import razorpay
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from razorpay.errors import BadRequestError, SignatureVerificationError

from payments.models import Payment

__all__ = [
    "GatewayRejected",
    "GatewayUnavailable",
    "OfflineGateway",
    "RazorpayGateway",
    "SignatureVerificationError",
    "gateway_for",
]


class GatewayError(Exception):
    """The gateway did not do what we asked."""


class GatewayRejected(GatewayError):
    """The gateway refused the request (a 4xx): retrying the same request will not help."""


class GatewayUnavailable(GatewayError):
    """The gateway could not be reached or failed (network, timeout, 5xx): retry later, idempotently."""


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class RazorpayGateway:
    """Razorpay through the official SDK (2.0.1). Every call carries a timeout: the SDK sets none."""

    kind = Payment.Gateway.RAZORPAY
    _local = threading.local()

    def __init__(self, *, key_id: str, key_secret: str, base_url: str | None, timeout: float) -> None:
        self.key_id = key_id
        self._key_secret = key_secret
        self._base_url = base_url
        self._timeout = timeout

    @property
    def client(self) -> razorpay.Client:
        # requests.Session is not thread-safe; one client per thread keeps connections alive between calls.
        cache_key = (self.key_id, self._key_secret, self._base_url)
        clients = getattr(self._local, "clients", None)
        if clients is None:
            clients = self._local.clients = {}
        client = clients.get(cache_key)
        if client is None:
            options = {"base_url": self._base_url} if self._base_url else {}
            client = clients[cache_key] = razorpay.Client(auth=(self.key_id, self._key_secret), **options)
        return client

    def _call(self, method, *args: Any, **kwargs: Any) -> dict:
        try:
            return method(*args, timeout=self._timeout, **kwargs)
        except BadRequestError as exc:
            raise GatewayRejected(str(exc)) from exc
        except (
            razorpay.errors.ServerError,
            razorpay.errors.GatewayError,
            requests.RequestException,
            ValueError,
        ) as exc:
            raise GatewayUnavailable(str(exc) or exc.__class__.__name__) from exc

    def create_order(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> dict:
        data = {"amount": amount_paise, "currency": "INR", "receipt": receipt, "notes": notes}
        return self._call(self.client.order.create, data)

    def verify_checkout_signature(self, *, order_id: str, payment_id: str, signature: str) -> None:
        """Raise ``SignatureVerificationError`` unless Checkout signed ``order_id|payment_id`` with our secret."""
        self.client.utility.verify_payment_signature(
            {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}
        )

    def fetch_payment(self, payment_id: str) -> dict:
        return self._call(self.client.payment.fetch, payment_id, {})

    def order_payments(self, order_id: str) -> list[dict]:
        return self._call(self.client.order.payments, order_id, {}).get("items", [])

    def capture_payment(self, *, payment_id: str, amount_paise: int) -> dict:
        # A fresh dict each time: the SDK writes the amount into its (mutable default) data argument.
        return self._call(self.client.payment.capture, payment_id, amount_paise, {"currency": "INR"})

    def create_refund(self, *, payment_id: str, amount_paise: int, notes: dict[str, str], idempotency_key: str) -> dict:
        # The dict form: the SDK's positional (payment_id, amount) signature is shadowed and broken.
        return self._call(
            self.client.payment.refund,
            payment_id,
            {"amount": amount_paise, "notes": notes},
            headers={"X-Refund-Idempotency": idempotency_key},
        )

    def fetch_refund(self, *, payment_id: str, refund_id: str) -> dict:
        return self._call(self.client.payment.fetch_refund_id, payment_id, refund_id)

    def payment_refunds(self, payment_id: str) -> list[dict]:
        """Every refund the gateway has for a payment, ours or made on the dashboard."""
        return self._call(self.client.payment.fetch_multiple_refund, payment_id, {"count": 100}).get("items", [])

    def create_payout(self, *, data: dict, idempotency_key: str) -> dict:
        # RazorpayX payouts have no SDK resource; the client's generic POST signs and sends them.
        return self._call(self.client.post, "/v1/payouts", data, headers={"X-Payout-Idempotency": idempotency_key})

    def fetch_payout(self, payout_id: str) -> dict:
        return self._call(self.client.get, f"/v1/payouts/{payout_id}", {})


class OfflineGateway:
    """A local stand-in for Razorpay when no keys are configured.

    Orders, payments and refunds live in the shared cache (Redis), so every web and worker process sees the same
    state. Checkout results are signed exactly as Razorpay signs them, with ``RAZORPAY_TEST_KEY_SECRET``, and are
    verified through the SDK's own ``verify_payment_signature``.
    """

    kind = Payment.Gateway.OFFLINE
    TTL_SECONDS = 30 * 24 * 3600

    def __init__(self) -> None:
        self.key_id = settings.RAZORPAY_TEST_KEY_ID
        self._key_secret = settings.RAZORPAY_TEST_KEY_SECRET

    @staticmethod
    def _new_id(prefix: str) -> str:
        return f"{prefix}_test_{secrets.token_hex(7)}"

    def _get(self, kind: str, object_id: str) -> dict:
        found = cache.get(f"payments:offline:{kind}:{object_id}")
        if found is None:
            raise GatewayRejected(f"The id provided does not exist: {object_id}")
        return found

    def _put(self, kind: str, entity: dict) -> dict:
        cache.set(f"payments:offline:{kind}:{entity['id']}", entity, self.TTL_SECONDS)
        return entity

    def create_order(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> dict:
        if not isinstance(amount_paise, int) or amount_paise < 100:
            raise GatewayRejected("The amount must be at least INR 1.00.")
        order = {
            "id": self._new_id("order"),
            "entity": "order",
            "amount": amount_paise,
            "amount_paid": 0,
            "currency": "INR",
            "receipt": receipt,
            "status": "created",
            "notes": notes,
            "payment_ids": [],
            "created_at": int(time.time()),
        }
        return self._put("order", order)

    def simulate_checkout(self, *, order_id: str, succeed: bool) -> dict:
        """What Checkout.js would hand back: a signed authorized payment, or a failed one with its error."""
        order = self._get("order", order_id)
        payment = {
            "id": self._new_id("pay"),
            "entity": "payment",
            "amount": order["amount"],
            "currency": "INR",
            "status": "authorized" if succeed else "failed",
            "order_id": order_id,
            "method": "upi",
            "captured": False,
            "amount_refunded": 0,
            "refund_status": None,
            "error_code": None if succeed else "BAD_REQUEST_ERROR",
            "error_description": None if succeed else "Payment was declined in the test checkout.",
            "created_at": int(time.time()),
        }
        self._put("payment", payment)
        order["payment_ids"].append(payment["id"])
        self._put("order", order)
        if not succeed:
            return {"error": {"description": payment["error_description"], "metadata": {"payment_id": payment["id"]}}}
        return {
            "razorpay_payment_id": payment["id"],
            "razorpay_order_id": order_id,
            "razorpay_signature": _sign(self._key_secret, f"{order_id}|{payment['id']}"),
        }

    def verify_checkout_signature(self, *, order_id: str, payment_id: str, signature: str) -> None:
        razorpay.Client(auth=(self.key_id, self._key_secret)).utility.verify_payment_signature(
            {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}
        )

    def fetch_payment(self, payment_id: str) -> dict:
        return self._get("payment", payment_id)

    def order_payments(self, order_id: str) -> list[dict]:
        return [self._get("payment", payment_id) for payment_id in self._get("order", order_id)["payment_ids"]]

    def capture_payment(self, *, payment_id: str, amount_paise: int) -> dict:
        payment = self._get("payment", payment_id)
        if payment["status"] != "authorized":
            raise GatewayRejected("This payment has already been captured" if payment["captured"] else "Not authorized")
        if payment["amount"] != amount_paise:
            raise GatewayRejected("Capture amount must be equal to the amount authorized")
        payment.update(status="captured", captured=True)
        order = self._get("order", payment["order_id"])
        order.update(status="paid", amount_paid=payment["amount"])
        self._put("order", order)
        return self._put("payment", payment)

    def create_refund(self, *, payment_id: str, amount_paise: int, notes: dict[str, str], idempotency_key: str) -> dict:
        remembered = cache.get(f"payments:offline:refund-key:{idempotency_key}")
        if remembered is not None:
            if remembered["amount"] != amount_paise or remembered["payment_id"] != payment_id:
                raise GatewayRejected("Idempotency key was reused with a different request")
            return remembered
        payment = self._get("payment", payment_id)
        if payment["status"] not in {"captured", "refunded"}:
            raise GatewayRejected("Only captured payments can be refunded")
        if amount_paise > payment["amount"] - payment["amount_refunded"]:
            raise GatewayRejected("The refund amount provided is greater than amount captured")
        payment["amount_refunded"] += amount_paise
        payment["refund_status"] = "full" if payment["amount_refunded"] == payment["amount"] else "partial"
        if payment["amount_refunded"] == payment["amount"]:
            payment["status"] = "refunded"
        self._put("payment", payment)
        refund = {
            "id": self._new_id("rfnd"),
            "entity": "refund",
            "amount": amount_paise,
            "currency": "INR",
            "payment_id": payment_id,
            "notes": notes,
            # No webhooks reach a laptop: offline refunds complete at once.
            "status": "processed",
            "created_at": int(time.time()),
        }
        payment.setdefault("refund_ids", []).append(refund["id"])
        self._put("payment", payment)
        cache.set(f"payments:offline:refund-key:{idempotency_key}", refund, self.TTL_SECONDS)
        return self._put("refund", refund)

    def fetch_refund(self, *, payment_id: str, refund_id: str) -> dict:
        return self._get("refund", refund_id)

    def payment_refunds(self, payment_id: str) -> list[dict]:
        return [self._get("refund", refund_id) for refund_id in self._get("payment", payment_id).get("refund_ids", [])]

    def create_payout(self, *, data: dict, idempotency_key: str) -> dict:
        remembered = cache.get(f"payments:offline:payout-key:{idempotency_key}")
        if remembered is not None:
            if remembered["amount"] != data["amount"]:
                raise GatewayRejected("Idempotency key was reused with a different request")
            return remembered
        payout = {
            "id": self._new_id("pout"),
            "entity": "payout",
            "fund_account_id": self._new_id("fa"),
            "amount": data["amount"],
            "currency": "INR",
            "mode": data.get("mode", "IMPS"),
            "purpose": data.get("purpose", "payout"),
            "reference_id": data.get("reference_id"),
            "notes": data.get("notes") or {},
            "status": "processed",
            "created_at": int(time.time()),
        }
        cache.set(f"payments:offline:payout-key:{idempotency_key}", payout, self.TTL_SECONDS)
        return self._put("payout", payout)

    def fetch_payout(self, payout_id: str) -> dict:
        return self._get("payout", payout_id)


def keys_configured() -> bool:
    return bool(settings.RAZORPAY_KEY_ID and settings.RAZORPAY_KEY_SECRET)


def gateway_for(payment: Payment | None = None) -> RazorpayGateway | OfflineGateway:
    """The gateway a payment was made through, or (for new payments) the one the settings choose."""
    use_offline = payment.gateway == Payment.Gateway.OFFLINE if payment is not None else not keys_configured()
    if use_offline:
        if settings.IS_PRODUCTION:
            raise ImproperlyConfigured("RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET must be set in production.")
        return OfflineGateway()
    if not keys_configured():
        raise GatewayUnavailable("Razorpay keys are not configured.")
    return RazorpayGateway(
        key_id=settings.RAZORPAY_KEY_ID,
        key_secret=settings.RAZORPAY_KEY_SECRET,
        base_url=settings.RAZORPAY_BASE_URL,
        timeout=settings.RAZORPAY_TIMEOUT_SECONDS,
    )
