"""A local fake of the Razorpay API for tests: a real HTTP server the real ``razorpay`` SDK talks to.

It keeps orders, payments, refunds and payouts in memory and enforces the rules our code relies on: basic auth with
the test key, integer amounts of at least 100 paise in INR, capture only of an authorised payment for its exact
amount, refunds never above what is captured and not yet refunded, and idempotency keys (``X-Refund-Idempotency``,
``X-Payout-Idempotency``: the same key and body give the same result, a different body is an error). Errors have
Razorpay's shape, so the SDK raises its own exceptions.

Test-only control endpoints stand in for the customer in Checkout (``POST /_test/orders/<id>/pay`` and ``/fail``),
and ``webhook()`` builds a delivery signed with the webhook secret exactly as Razorpay signs it.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY_ID = "rzp_test_fakeKey123456"
KEY_SECRET = "fake_key_secret_for_tests"
WEBHOOK_SECRET = "fake_webhook_secret_for_tests"

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(14))}"


def hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class RazorpayError(Exception):
    def __init__(self, status: int, description: str, code: str = "BAD_REQUEST_ERROR", field: str | None = None):
        super().__init__(description)
        self.status = status
        self.body = {
            "error": {
                "code": code,
                "description": description,
                "source": "business" if status < 500 else "internal",
                "step": "payment_initiation",
                "reason": "input_validation_failed" if status < 500 else "server_error",
                "metadata": {},
                "field": field,
            }
        }


def _amount(value, *, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RazorpayError(400, f"The {field} must be an integer.", field=field)
    if value < 100:
        raise RazorpayError(400, "The amount must be atleast INR 1.00", field=field)
    return value


class FakeRazorpayState:
    """Everything the fake gateway knows. Guarded by one lock: the server is threaded."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.orders: dict[str, dict] = {}
            self.payments: dict[str, dict] = {}
            self.refunds: dict[str, dict] = {}
            self.payouts: dict[str, dict] = {}
            self.fund_accounts: dict[str, dict] = {}
            self.idempotency: dict[tuple[str, str], tuple[str, dict]] = {}
            self.requests: list[tuple[str, str]] = []
            # How new refunds start: "pending" (wait for refund.processed, as usual) or "processed" (instant refunds).
            self.refund_initial_status = "pending"
            # Fail the next N API calls with a 5xx, to exercise retries and reconciliation.
            self.fail_next_requests = 0
            # Answer refund requests this many seconds late (a slow bank), to catch a worker in the middle of one.
            self.refund_delay_seconds = 0.0
            # How new payouts start: "processing" (as usual) or "queued" (RazorpayX's balance is low).
            self.payout_initial_status = "processing"

    # --- orders and payments ----------------------------------------------------------------------------------

    def create_order(self, body: dict) -> dict:
        amount = _amount(body.get("amount"))
        if body.get("currency", "INR") != "INR":
            raise RazorpayError(400, "The currency provided is not supported.", field="currency")
        receipt = body.get("receipt")
        if receipt is not None and (not isinstance(receipt, str) or len(receipt) > 40):
            raise RazorpayError(400, "The receipt may not be greater than 40 characters.", field="receipt")
        notes = body.get("notes") or {}
        if not isinstance(notes, dict) or len(notes) > 15:
            raise RazorpayError(400, "The notes must be an object of at most 15 keys.", field="notes")
        order = {
            "id": new_id("order"),
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": "INR",
            "receipt": receipt,
            "offer_id": None,
            "status": "created",
            "attempts": 0,
            "notes": notes,
            "created_at": int(time.time()),
        }
        self.orders[order["id"]] = order
        return order

    def order(self, order_id: str) -> dict:
        try:
            return self.orders[order_id]
        except KeyError:
            raise RazorpayError(400, "The id provided does not exist") from None

    def payment(self, payment_id: str) -> dict:
        try:
            return self.payments[payment_id]
        except KeyError:
            raise RazorpayError(400, "The id provided does not exist") from None

    def attempt(self, order_id: str, *, succeed: bool, method: str = "upi") -> dict:
        """The customer pays (or fails to pay) in Checkout: a new payment attempt on the order."""
        order = self.order(order_id)
        if order["status"] == "paid":
            raise RazorpayError(400, "Order has already been paid")
        order["attempts"] += 1
        order["status"] = "attempted"
        payment = {
            "id": new_id("pay"),
            "entity": "payment",
            "amount": order["amount"],
            "currency": "INR",
            "status": "authorized" if succeed else "failed",
            "order_id": order_id,
            "invoice_id": None,
            "international": False,
            "method": method,
            "amount_refunded": 0,
            "refund_status": None,
            "captured": False,
            "description": None,
            "email": "student@example.test",
            "contact": "+919999999999",
            "notes": order["notes"],
            "fee": None,
            "tax": None,
            "error_code": None if succeed else "BAD_REQUEST_ERROR",
            "error_description": None if succeed else "Payment failed because the bank declined it.",
            "error_reason": None if succeed else "payment_failed",
            "created_at": int(time.time()),
        }
        self.payments[payment["id"]] = payment
        return payment

    def capture(self, payment_id: str, body: dict) -> dict:
        payment = self.payment(payment_id)
        amount = _amount(body.get("amount"))
        if body.get("currency", "INR") != payment["currency"]:
            raise RazorpayError(400, "The currency should be same as the payment currency.", field="currency")
        if payment["status"] != "authorized":
            if payment["captured"]:
                raise RazorpayError(400, "This payment has already been captured")
            raise RazorpayError(400, "Only payments which have been authorized and not yet captured can be captured")
        if amount != payment["amount"]:
            raise RazorpayError(400, "Capture amount must be equal to the amount authorized", field="amount")
        payment["status"] = "captured"
        payment["captured"] = True
        payment["fee"] = payment["amount"] * 2 // 100
        payment["tax"] = payment["fee"] * 18 // 118
        order = self.orders[payment["order_id"]]
        order.update(status="paid", amount_paid=payment["amount"], amount_due=0)
        return payment

    def order_payments(self, order_id: str) -> dict:
        self.order(order_id)
        items = [p for p in self.payments.values() if p["order_id"] == order_id]
        return {"entity": "collection", "count": len(items), "items": items}

    # --- refunds ----------------------------------------------------------------------------------------------

    def _idempotent(self, kind: str, key: str | None, body: dict, create) -> dict:
        if not key:
            return create()
        fingerprint = json.dumps(body, sort_keys=True)
        remembered = self.idempotency.get((kind, key))
        if remembered is not None:
            if remembered[0] != fingerprint:
                raise RazorpayError(400, "Different request body sent for the same idempotency key")
            return remembered[1]
        result = create()
        self.idempotency[(kind, key)] = (fingerprint, result)
        return result

    def create_refund(self, payment_id: str, body: dict, key: str | None) -> dict:
        def create() -> dict:
            payment = self.payment(payment_id)
            if payment["status"] not in {"captured", "refunded"}:
                raise RazorpayError(400, "The payment has not been captured")
            amount = _amount(body.get("amount", payment["amount"] - payment["amount_refunded"]))
            if amount > payment["amount"] - payment["amount_refunded"]:
                raise RazorpayError(400, "The refund amount provided is greater than amount captured", field="amount")
            payment["amount_refunded"] += amount
            fully = payment["amount_refunded"] == payment["amount"]
            payment["refund_status"] = "full" if fully else "partial"
            if fully:
                payment["status"] = "refunded"
            refund = {
                "id": new_id("rfnd"),
                "entity": "refund",
                "amount": amount,
                "currency": "INR",
                "payment_id": payment_id,
                "notes": body.get("notes") or {},
                "receipt": body.get("receipt"),
                "acquirer_data": {"arn": None},
                "created_at": int(time.time()),
                "batch_id": None,
                "status": self.refund_initial_status,
                "speed_processed": "normal",
                "speed_requested": body.get("speed", "normal"),
            }
            self.refunds[refund["id"]] = refund
            return refund

        return self._idempotent("refund", key, body, create)

    def refund(self, refund_id: str) -> dict:
        try:
            return self.refunds[refund_id]
        except KeyError:
            raise RazorpayError(400, "The id provided does not exist") from None

    def settle_refund(self, refund_id: str, *, succeed: bool = True) -> dict:
        refund = self.refund(refund_id)
        refund["status"] = "processed" if succeed else "failed"
        if not succeed:
            payment = self.payments[refund["payment_id"]]
            payment["amount_refunded"] -= refund["amount"]
            payment["status"] = "captured"
            payment["refund_status"] = "partial" if payment["amount_refunded"] else None
        return refund

    # --- payouts (RazorpayX) ----------------------------------------------------------------------------------

    def create_payout(self, body: dict, key: str | None) -> dict:
        if not key:
            raise RazorpayError(400, "X-Payout-Idempotency header is required")

        def create() -> dict:
            amount = _amount(body.get("amount"))
            for field in ("account_number", "mode", "purpose"):
                if not body.get(field):
                    raise RazorpayError(400, f"The {field} field is required.", field=field)
            fund_account_id = body.get("fund_account_id") or self._composite_fund_account(body.get("fund_account"))
            if body.get("currency", "INR") != "INR":
                raise RazorpayError(400, "The currency provided is not supported.", field="currency")
            payout = {
                "id": new_id("pout"),
                "entity": "payout",
                "fund_account_id": fund_account_id,
                "amount": amount,
                "currency": "INR",
                "notes": body.get("notes") or {},
                "fees": 0,
                "tax": 0,
                "status": self.payout_initial_status,
                "status_details": None,
                "purpose": body["purpose"],
                "utr": None,
                "mode": body["mode"],
                "reference_id": body.get("reference_id"),
                "narration": body.get("narration"),
                "failure_reason": None,
                "created_at": int(time.time()),
            }
            self.payouts[payout["id"]] = payout
            return payout

        return self._idempotent("payout", key, body, create)

    def _composite_fund_account(self, fund_account) -> str:
        """The composite payout API creates the contact and fund account inline."""
        if not isinstance(fund_account, dict) or not isinstance(fund_account.get("contact"), dict):
            raise RazorpayError(400, "The fund account id field is required.", field="fund_account_id")
        if not fund_account["contact"].get("name"):
            raise RazorpayError(400, "The contact name field is required.", field="name")
        kind = fund_account.get("account_type")
        if kind == "bank_account":
            bank = fund_account.get("bank_account") or {}
            if not re.fullmatch(r"[A-Z]{4}0[A-Z0-9]{6}", bank.get("ifsc", "")) or not bank.get("account_number"):
                raise RazorpayError(400, "The bank account details are invalid.", field="bank_account")
        elif kind == "vpa":
            if "@" not in (fund_account.get("vpa") or {}).get("address", ""):
                raise RazorpayError(400, "The vpa address is invalid.", field="address")
        else:
            raise RazorpayError(400, "The account type field is invalid.", field="account_type")
        fund_account_id = new_id("fa")
        self.fund_accounts[fund_account_id] = fund_account
        return fund_account_id

    def payout(self, payout_id: str) -> dict:
        try:
            return self.payouts[payout_id]
        except KeyError:
            raise RazorpayError(400, "The id provided does not exist") from None

    PAYOUT_OUTCOMES = {
        # outcome: (failure description, where it failed)
        "processing": (None, None),
        "processed": (None, None),
        "reversed": ("Beneficiary bank is offline", "beneficiary_bank"),
        "failed": ("Invalid beneficiary account number or IFSC", "beneficiary_bank"),
    }

    def settle_payout(self, payout_id: str, *, outcome: str = "processed") -> dict:
        """The bank's answer: processed (with a UTR), reversed (after processing, the money came back) or failed;
        "processing" moves a queued payout on."""
        payout = self.payout(payout_id)
        description, source = self.PAYOUT_OUTCOMES[outcome]
        payout["status"] = outcome
        if outcome == "processed":
            payout["utr"] = new_id("UTR")
        payout["failure_reason"] = description
        payout["status_details"] = (
            {"reason": f"{outcome}_by_bank", "description": description, "source": source} if description else None
        )
        return payout


class _Handler(BaseHTTPRequestHandler):
    server: "FakeRazorpayServer"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY each response waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True

    routes = [
        ("POST", r"/v1/orders", "create_order"),
        ("GET", r"/v1/orders/(?P<order_id>[^/]+)", "get_order"),
        ("GET", r"/v1/orders/(?P<order_id>[^/]+)/payments", "get_order_payments"),
        ("GET", r"/v1/payments/(?P<payment_id>[^/]+)", "get_payment"),
        ("POST", r"/v1/payments/(?P<payment_id>[^/]+)/capture", "capture_payment"),
        ("POST", r"/v1/payments/(?P<payment_id>[^/]+)/refund", "refund_payment"),
        ("GET", r"/v1/payments/(?P<payment_id>[^/]+)/refunds", "get_payment_refunds"),
        ("GET", r"/v1/payments/(?P<payment_id>[^/]+)/refunds/(?P<refund_id>[^/]+)", "get_payment_refund"),
        ("GET", r"/v1/refunds/(?P<refund_id>[^/]+)", "get_refund"),
        ("POST", r"/v1/payouts", "create_payout"),
        ("GET", r"/v1/payouts/(?P<payout_id>[^/]+)", "get_payout"),
        ("POST", r"/_test/orders/(?P<order_id>[^/]+)/pay", "test_pay"),
        ("POST", r"/_test/orders/(?P<order_id>[^/]+)/fail", "test_fail"),
        ("POST", r"/_test/refunds/(?P<refund_id>[^/]+)/(?P<outcome>processed|failed)", "test_settle_refund"),
        (
            "POST",
            r"/_test/payouts/(?P<payout_id>[^/]+)/(?P<outcome>processing|processed|reversed|failed)",
            "test_settle_payout",
        ),
    ]

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet test output
        return

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _authenticated(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            key_id, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return hmac.compare_digest(key_id, self.server.key_id) and hmac.compare_digest(secret, self.server.key_secret)

    def _route(self, method: str, path: str) -> tuple[str, re.Match] | None:
        for route_method, pattern, name in self.routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return name, match
        return None

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        state = self.server.state
        try:
            route = self._route(method, path)
            if route is None:
                raise RazorpayError(404, "The requested URL was not found on the server.")
            name, match = route
            if not path.startswith("/_test/") and not self._authenticated():
                raise RazorpayError(401, "The api key provided is invalid")
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                raise RazorpayError(400, "The request body is not valid JSON.") from None
            with state.lock:
                state.requests.append((method, path))
                if state.fail_next_requests and not path.startswith("/_test/"):
                    state.fail_next_requests -= 1
                    raise RazorpayError(503, "The server is temporarily unavailable.", code="SERVER_ERROR")
                result = getattr(self, f"_{name}")(state, body, **match.groupdict())
            self._send(200, result)
        except RazorpayError as exc:
            self._send(exc.status, exc.body)

    def _create_order(self, state, body):
        return state.create_order(body)

    def _get_order(self, state, body, order_id):
        return state.order(order_id)

    def _get_order_payments(self, state, body, order_id):
        return state.order_payments(order_id)

    def _get_payment(self, state, body, payment_id):
        return state.payment(payment_id)

    def _capture_payment(self, state, body, payment_id):
        return state.capture(payment_id, body)

    def _refund_payment(self, state, body, payment_id):
        if state.refund_delay_seconds:
            # Holding the state lock meanwhile would stall every other request; this one is slow on its own.
            state.lock.release()
            try:
                time.sleep(state.refund_delay_seconds)
            finally:
                state.lock.acquire()
        return state.create_refund(payment_id, body, self.headers.get("X-Refund-Idempotency"))

    def _get_payment_refunds(self, state, body, payment_id):
        state.payment(payment_id)
        items = [refund for refund in state.refunds.values() if refund["payment_id"] == payment_id]
        return {"entity": "collection", "count": len(items), "items": items}

    def _get_payment_refund(self, state, body, payment_id, refund_id):
        refund = state.refund(refund_id)
        if refund["payment_id"] != payment_id:
            raise RazorpayError(400, "The id provided does not exist")
        return refund

    def _get_refund(self, state, body, refund_id):
        return state.refund(refund_id)

    def _create_payout(self, state, body):
        return state.create_payout(body, self.headers.get("X-Payout-Idempotency"))

    def _get_payout(self, state, body, payout_id):
        return state.payout(payout_id)

    def _test_pay(self, state, body, order_id):
        payment = state.attempt(order_id, succeed=True, method=body.get("method", "upi"))
        return {
            "razorpay_payment_id": payment["id"],
            "razorpay_order_id": order_id,
            "razorpay_signature": hmac_hex(self.server.key_secret, f"{order_id}|{payment['id']}"),
        }

    def _test_fail(self, state, body, order_id):
        payment = state.attempt(order_id, succeed=False, method=body.get("method", "card"))
        return {
            "error": {
                "code": payment["error_code"],
                "description": payment["error_description"],
                "reason": payment["error_reason"],
                "metadata": {"payment_id": payment["id"], "order_id": order_id},
            }
        }

    def _test_settle_refund(self, state, body, refund_id, outcome):
        return state.settle_refund(refund_id, succeed=outcome == "processed")

    def _test_settle_payout(self, state, body, payout_id, outcome):
        return state.settle_payout(payout_id, outcome=outcome)


class FakeRazorpayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, key_id: str = KEY_ID, key_secret: str = KEY_SECRET, webhook_secret: str = WEBHOOK_SECRET):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.key_id = key_id
        self.key_secret = key_secret
        self.webhook_secret = webhook_secret
        self.state = FakeRazorpayState()
        self._thread = threading.Thread(target=self.serve_forever, name="fake-razorpay", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeRazorpayServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    def reset(self) -> None:
        self.state.reset()

    # --- the customer, over HTTP like a browser through Checkout ------------------------------------------------

    def _control(self, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def pay(self, order_id: str, *, method: str = "upi") -> dict:
        """Checkout's success result for a new authorised attempt: payment id, order id and the real signature."""
        return self._control(f"/_test/orders/{order_id}/pay", {"method": method})

    def fail(self, order_id: str, *, method: str = "card") -> dict:
        """Checkout's ``payment.failed`` result for a new failed attempt."""
        return self._control(f"/_test/orders/{order_id}/fail", {"method": method})

    def settle_refund(self, refund_id: str, *, succeed: bool = True) -> dict:
        return self._control(f"/_test/refunds/{refund_id}/{'processed' if succeed else 'failed'}")

    def settle_payout(self, payout_id: str, *, succeed: bool = True, outcome: str | None = None) -> dict:
        """The bank's answer to a payout: ``outcome`` processed, reversed, failed or processing (``succeed=False``
        is a reversal)."""
        return self._control(f"/_test/payouts/{payout_id}/{outcome or ('processed' if succeed else 'reversed')}")

    # --- webhooks ---------------------------------------------------------------------------------------------

    def webhook(
        self,
        event: str,
        *,
        payment_id: str | None = None,
        refund_id: str | None = None,
        payout_id: str | None = None,
        event_id: str | None = None,
        secret: str | None = None,
    ) -> tuple[str, dict[str, str]]:
        """A webhook delivery for the current state of an entity: (raw body, headers), signed like Razorpay's."""
        with self.state.lock:
            payload: dict = {}
            contains = []
            if refund_id is not None:
                refund = self.state.refund(refund_id)
                payload["refund"] = {"entity": dict(refund)}
                payment_id = payment_id or refund["payment_id"]
                contains.append("refund")
            if payment_id is not None:
                payment = self.state.payment(payment_id)
                payload["payment"] = {"entity": dict(payment)}
                contains.append("payment")
                if event == "order.paid":
                    payload["order"] = {"entity": dict(self.state.order(payment["order_id"]))}
                    contains.append("order")
            if payout_id is not None:
                payload["payout"] = {"entity": dict(self.state.payout(payout_id))}
                contains.append("payout")
        body = json.dumps(
            {
                "entity": "event",
                "account_id": "acc_FakeAccount0001",
                "event": event,
                "contains": contains,
                "payload": payload,
                "created_at": int(time.time()),
            }
        )
        headers = {
            "X-Razorpay-Signature": hmac_hex(secret or self.webhook_secret, body),
            "X-Razorpay-Event-Id": event_id or new_id("evt")[4:],
            "Content-Type": "application/json",
        }
        return body, headers


def start_fake_razorpay() -> FakeRazorpayServer:
    return FakeRazorpayServer().start()
