import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, mentor_with_weekly_hours, student_with_profile

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
LOGIN = "/api/v1/auth/app/v1/auth/login"


def local_slot(*, days: int = 2, hour: int = 10) -> dt.datetime:
    day = timezone.now().astimezone(KOLKATA).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=KOLKATA).astimezone(dt.UTC)


class ApiClient:
    """JSON requests to /api/v1/ with an app token (X-Session-Token) from allauth headless, or none."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.token = token

    def _headers(self, headers: dict | None) -> dict:
        extra = dict(headers or {})
        if self.token:
            extra["X-Session-Token"] = self.token
        return extra

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def _send(self, method: str, path: str, body, headers):
        return getattr(self.client, method)(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path: str, body=None, headers: dict | None = None):
        return self._send("post", path, body, headers)

    def put(self, path: str, body=None, headers: dict | None = None):
        return self._send("put", path, body, headers)

    def delete(self, path: str, headers: dict | None = None):
        return self.client.delete(f"/api/v1{path}", headers=self._headers(headers))


def token_for(user, password: str = DEFAULT_PASSWORD) -> str:
    response = Client().post(LOGIN, {"email": user.email, "password": password}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


@pytest.fixture
def api_for():
    """`api_for(user)`: an ApiClient signed in with an app token; `api_for(None)`: anonymous."""
    return lambda user: ApiClient(token_for(user) if user is not None else None)


@pytest.fixture
def mentor(db):
    """An approved mentor open 09:00–17:00 Kolkata every day, ₹1,200 an hour, speaking Hindi and English."""
    from matching.services import search_document_refresh

    mentor = mentor_with_weekly_hours()
    search_document_refresh(mentor_id=mentor.pk)
    return mentor


@pytest.fixture
def student(db):
    return student_with_profile(languages=("hi", "en"))


@pytest.fixture
def other_student(db):
    return student_with_profile(languages=("hi", "en"))


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def staff_api(db):
    """A support agent signed in through the headless API with password and TOTP (a token that passed MFA)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import support_user

    staff = support_user()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = Client()
    first = client.post(LOGIN, {"email": staff.email, "password": DEFAULT_PASSWORD}, content_type="application/json")
    assert first.status_code == 401, first.content  # the second factor is still owed
    token = first.json()["meta"]["session_token"]
    second = client.post(
        "/api/v1/auth/app/v1/auth/2fa/authenticate",
        {"code": totp_code(secret)},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert second.status_code == 200, second.content
    api = ApiClient(second.json()["meta"]["session_token"])
    api.user = staff
    return api
