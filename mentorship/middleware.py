import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.files.storage import storages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

# Scripts and styles are all served from our own origin (htmx and Alpine's CSP build are vendored; the CSP build
# never evaluates strings, so no 'unsafe-eval'); Razorpay's Checkout.js is allowed by name. Images come from us,
# or from the media bucket when uploads live in object storage; WebSockets only to this site's own host.
CONTENT_SECURITY_POLICY = [
    "default-src 'self'",
    "script-src 'self' https://checkout.razorpay.com",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:{media}",
    "media-src 'self' blob:",
    "connect-src 'self' {websocket} https://api.razorpay.com https://lumberjack.razorpay.com",
    "frame-src 'self' https://api.razorpay.com https://checkout.razorpay.com",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
# Camera, microphone and screen capture are for the live room only; every other page may not ask for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), display-capture=()"
ROOM_PERMISSIONS_POLICY = "camera=(self), microphone=(self), display-capture=(self)"
MEDIA_PAGES = {"sessions_app:room"}


@functools.cache
def _media_origin() -> str:
    """The origin uploaded images are served from when it is not ours (an S3 bucket), else ''."""
    parts = urlsplit(storages["default"].url("probe.png"))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def content_security_policy(request: HttpRequest) -> str:
    websocket = f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"
    return "; ".join(CONTENT_SECURITY_POLICY).format(media=_media_origin(), websocket=websocket)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        match = request.resolver_match
        media = match is not None and match.view_name in MEDIA_PAGES
        response.headers.setdefault("Permissions-Policy", ROOM_PERMISSIONS_POLICY if media else PERMISSIONS_POLICY)
        return response


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectNulMiddleware:
    """A NUL character in the path, the query string or form data is refused with 400 before any view sees it:
    no text we store or look up may contain one (PostgreSQL refuses it, which would otherwise be a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            message = _("The request contained a character that is not allowed.")
            if request.path.startswith("/api/v1/"):
                # The JSON API's error envelope (api/errors.py): invalid input is a 422 there.
                body = {"error": {"code": "validation_error", "message": message, "fields": {"query": [message]}}}
                return JsonResponse(body, status=422)
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        sources = [request.GET]
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            sources.append(request.POST)
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for source in sources
            for key, values in source.lists()
        )
