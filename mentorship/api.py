"""The public JSON API v1 at `/api/v1/`: one Ninja router per app (`<app>/api.py`), calling that app's services
and selectors. Authentication, errors, pagination, rate limits and idempotency live in the `api` app; sign-up,
sign-in, MFA, password reset and app tokens are allauth's headless "app" client under `/api/v1/auth/`."""

from ninja import NinjaAPI, Swagger

from api.auth import SIGNED_IN
from api.errors import install_handlers
from api.parser import StrictJsonParser
from api.ratelimit import IpThrottle, UserThrottle

DESCRIPTION = """
PeerLearn's JSON API for the mobile apps, partners and scripts.

**Authentication.** Mobile apps sign up and sign in through django-allauth's headless API for the *app* client
under `/api/v1/auth/app/v1/`, described in [its own reference](/api/v1/auth/openapi.html)
(`POST auth/signup`, `POST auth/email/verify`, `POST auth/login`,
`POST auth/2fa/authenticate`, `POST auth/password/request` and `auth/password/reset`, `GET/DELETE auth/session`);
every answer there carries `meta.session_token`: send it as the `X-Session-Token` header on every call here.
The site's own JavaScript uses the session cookie and sends the CSRF token in `X-CSRFToken` on unsafe methods.
Staff endpoints need a staff account whose sign-in passed two-factor authentication.

**Errors.** Every failure has one shape: `{"error": {"code": "slot_taken", "message": "…", "fields": {…}}}`,
the message in the user's language (`Accept-Language` for visitors). 401 not signed in, 403 not allowed,
404 not found (also for other people's objects), 409 conflicts with the current state, 422 invalid values
(`fields` names them), 429 rate limited (see `Retry-After`).

**Lists** are cursor-paginated: pass `limit` (1–100) and the `next_cursor` of the previous page as `cursor`.

**Idempotency.** POSTs that create bookings, payment orders, refunds and tickets accept an `Idempotency-Key`
header: a retry with the same key and body returns the first answer (`Idempotent-Replayed: true`), the same key
with a different body is a 422.

**Money** is in integer paise; **times** are ISO 8601 in UTC unless a `tz` is given.
"""


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="PeerLearn API",
        version="1.0.0",
        description=DESCRIPTION,
        urls_namespace="api-v1",
        docs=Swagger(settings={"persistAuthorization": True}),
        docs_url="/docs",
        openapi_url="/openapi.json",
        auth=SIGNED_IN,
        throttle=[UserThrottle(), IpThrottle()],
        parser=StrictJsonParser(),
    )
    install_handlers(api)
    from accounts.api import notifications_router
    from accounts.api import router as accounts_router
    from adminpanel.api import router as staff_router
    from adminpanel.api import support_router
    from matching.api import router as matching_router
    from mentors.api import mentor_side_router
    from mentors.api import router as mentors_router
    from payments.api import router as payments_router
    from sessions_app.api import router as sessions_router
    from sessions_app.messaging.api import router as messages_router

    api.add_router("/me", accounts_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/mentors", mentors_router)
    api.add_router("/", matching_router)
    api.add_router("/", sessions_router)
    api.add_router("/", messages_router)
    api.add_router("/payments", payments_router)
    api.add_router("/mentor", mentor_side_router)
    api.add_router("/staff", staff_router)
    api.add_router("/support", support_router)
    return api


api = build_api()
