"""Sending SMS through a small provider interface (``settings.SMS_BACKEND``).

The console backend prints each message (development and tests); a production provider (MSG91, Twilio, …)
is a class with the same ``send`` method, named in ``SMS_BACKEND``.
"""

import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


def send_sms(*, to: str, body: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to=to, body=body)
