"""Sending SMS through a small provider interface (``settings.SMS_BACKEND``).

- ``ConsoleSmsBackend`` (development and tests, the default) prints each message, so ``make run`` shows them.
- ``TwilioSmsBackend`` (production) posts to Twilio's Messages API
  (``POST {SMS_TWILIO_API_URL}/2010-04-01/Accounts/{SID}/Messages.json`` with ``To``, ``From`` and ``Body``, basic
  auth with the account SID and auth token), with a timeout; a refusal or an unreachable API raises ``SmsError``,
  so the outbox task that sends it retries later. Settings: ``SMS_TWILIO_ACCOUNT_SID``, ``SMS_TWILIO_AUTH_TOKEN``,
  ``SMS_FROM_NUMBER`` (E.164) and, for tests, ``SMS_TWILIO_API_URL``.
Another provider (MSG91, Gupshup, …) is a class with the same ``send(*, to, body)`` method, named in ``SMS_BACKEND``.
"""

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider refused the message or could not be reached."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


class TwilioSmsBackend:
    def __init__(self) -> None:
        self.account_sid = settings.SMS_TWILIO_ACCOUNT_SID
        self.auth_token = settings.SMS_TWILIO_AUTH_TOKEN
        self.from_number = settings.SMS_FROM_NUMBER
        self.api_url = settings.SMS_TWILIO_API_URL.rstrip("/")
        if not (self.account_sid and self.auth_token and self.from_number):
            raise SmsError("Set SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_FROM_NUMBER for Twilio.")

    def send(self, *, to: str, body: str) -> None:
        url = f"{self.api_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310  (the URL is our own setting, https in production)
            url, data=data, method="POST", headers={"Authorization": f"Basic {credentials}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"Twilio refused the SMS ({exc.code}): {exc.read()[:300]!r}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Twilio unreachable: {exc}") from exc
        if answer.get("status") in ("failed", "undelivered"):
            raise SmsError(f"Twilio did not send the SMS: {answer.get('error_message') or answer.get('status')}")


def send_sms(*, to: str, body: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to=to, body=body)
