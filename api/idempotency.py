"""`Idempotency-Key` on the POSTs that create bookings, orders, refunds and tickets.

The first request with a key claims it (a row, unique per user and key) and stores its answer; a retry with the
same key and body gets that answer again, with `Idempotent-Replayed: true`; the same key with another body is a
422; a retry while the first is still running is a 409. Server errors are not stored, so they can be retried."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Header

from api.auth import ApiRequest
from api.errors import ApiError, envelope
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IdempotencyKey = Header(
    None,
    alias=HEADER,
    max_length=MAX_KEY_LENGTH,
    description="A unique key per intended creation; retries replay the first answer.",
)


def _fingerprint(operation: str, body: Any) -> str:
    return hashlib.sha256(json.dumps([operation, body], sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    request: ApiRequest, *, key: str | None, operation: str, body: Any, create: Callable[[], tuple[int, Any]]
) -> JsonResponse:
    """Run `create` (returning (status, JSON-ready body)) at most once per key; replay its stored answer."""
    if not key:
        return _respond(*_answer(create))
    if "\x00" in key:
        raise ApiError(422, "validation_error", _("The Idempotency-Key is not valid."), {HEADER: [_("Not valid.")]})
    fingerprint = _fingerprint(operation, body)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=request.user, key=key, operation=operation, request_hash=fingerprint
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=request.user, key=key)
        if record.request_hash != fingerprint:
            raise ApiError(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was already used with a different request."),
                {HEADER: [_("Already used.")]},
            ) from None
        if record.status_code is None:
            raise ApiError(409, "in_progress", _("The first request with this key is still being processed.")) from None
        response = _respond(record.status_code, record.response_body)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        status, data = _answer(create)
    except Exception:
        record.delete()
        raise
    record.status_code, record.response_body = status, data
    record.save(update_fields=["status_code", "response_body"])
    return _respond(status, data)


def _answer(create: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The answer to store: the created object, or the error envelope of a refusal (4xx)."""
    from django.core.exceptions import ValidationError

    from api.errors import from_validation_error

    try:
        return create()
    except ValidationError as exc:
        error = from_validation_error(exc)
    except ApiError as exc:
        if exc.status == 429:
            raise
        error = exc
    return error.status, envelope(error.code, error.message, error.fields)


def _respond(status: int, data: Any) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False)
