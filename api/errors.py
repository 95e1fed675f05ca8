"""One error envelope for every failure: `{"error": {"code", "message", "fields"}}`, the message in the user's
language. Services raise Django's `ValidationError` (with a code); the handlers here turn it, and Ninja's and
Django's own exceptions, into that envelope with the right status."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

# Service error codes that describe a conflict with the current state rather than bad input.
CONFLICT_CODES = frozenset(
    {"slot_taken", "mentor_busy", "already_booked", "full", "inactive", "expired", "not_bookable", "started",
     "not_full", "already_paid", "in_progress"}
)  # fmt: skip
FORBIDDEN_CODES = frozenset({"forbidden", "own_session", "student_cannot_book"})


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorEnvelope(Schema):
    error: ErrorBody


class ApiError(Exception):
    """An error to answer with: raised anywhere in an endpoint."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = str(message)
        self.fields = fields or {}


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def envelope(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def from_validation_error(exc: DjangoValidationError) -> ApiError:
    """A service's ValidationError: 409 for a conflict with the current state, 403 for a refusal, else 422."""
    fields: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            fields["non_field" if name == "__all__" else name] = [str(m) for e in errors for m in e.messages]
        first = next(iter(exc.error_dict.values()))[0]
        code = first.code or "invalid"
    else:
        code = next((e.code for e in exc.error_list if e.code), "invalid")
    message = " ".join(str(m) for m in exc.messages) or _("The request is not valid.")
    status = 409 if code in CONFLICT_CODES else 403 if code in FORBIDDEN_CODES else 422
    return ApiError(status, code, message, fields)


def form_error(form) -> ApiError:
    """A bound Django form's errors (the pages' own validation) as a 422."""
    fields = {
        ("non_field" if name == "__all__" else name): [str(m) for m in errors] for name, errors in form.errors.items()
    }
    messages = [message for errors in fields.values() for message in errors]
    return ApiError(422, "validation_error", " ".join(messages) or _("The request is not valid."), fields)


def _location(loc: tuple | list) -> str:
    # Ninja reports ("body", "payload", "field") or ("query", "field"): keep what names the field.
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header", "cookie", "form", "file")]
    if len(parts) > 1 and parts[0] in ("payload", "data", "filters"):
        parts = parts[1:]
    return ".".join(parts) or "non_field"


def install_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, code: str, message: str, fields=None) -> HttpResponse:
        return api.create_response(request, envelope(code, message, fields), status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        response = respond(request, exc.status, exc.code, exc.message, exc.fields)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_location(error.get("loc", ())), []).append(str(error.get("msg", "")))
        return respond(request, 422, "validation_error", _("Some of the values are not valid."), fields)

    @api.exception_handler(DjangoValidationError)
    def service_error(request, exc: DjangoValidationError):
        error = from_validation_error(exc)
        return respond(request, error.status, error.code, error.message, error.fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, "not_authenticated", _("Sign in to continue."))

    @api.exception_handler(AuthorizationError)
    def unauthorized(request, exc):
        return respond(request, 403, "forbidden", _("You do not have permission to do this."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, "forbidden", _("You do not have permission to do this."))

    @api.exception_handler(Http404)
    def missing(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        return respond(request, 429, "rate_limited", _("Too many requests. Please wait a moment and try again."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:
            # Ninja's only 400 is a body it cannot parse: an invalid request like any other, so a 422.
            message = _("The request body is not valid JSON.")
            return respond(request, 422, "validation_error", message, {"body": [message]})
        code = {405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "error")
        return respond(request, exc.status_code, code, str(exc.message) if exc.message else _("Bad request."))

    @api.exception_handler(RawPostDataException)
    def form_body(request, exc: RawPostDataException):
        # A multipart PUT/PATCH/DELETE is read as a form (for the uploads, see settings.MIDDLEWARE): sent to an
        # endpoint that takes JSON, it has no JSON body to read.
        message = _("The request body is not valid JSON.")
        return respond(request, 422, "validation_error", message, {"body": [message]})

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, "server_error", _("Something went wrong on our side. Please try again."))
