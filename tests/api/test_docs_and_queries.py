"""The schema and the interactive docs (assets served by us, allowed by the CSP), and bounded queries per
endpoint."""

import re

import pytest
from django.test import Client

from tests.api.conftest import ApiClient, local_slot, token_for
from tests.factories import BookingFactory, GroupSessionFactory, listed_mentor

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_and_documents_every_error_status(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) > 40
    for operation in operations:
        assert {"401", "403", "404", "422", "429"} <= set(operation["responses"]), operation["operationId"]


def test_the_docs_load_only_our_own_assets_under_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows scripts from 'self' only
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    for source in sources:
        assert Client().get(source).status_code == 200, source


@pytest.fixture
def api(student, mentor):
    for _ in range(5):
        listed_mentor()
    import datetime as dt

    for days in (3, 4, 5):
        starts = local_slot(days=days)
        group = GroupSessionFactory(mentor=mentor.user, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
        BookingFactory(student=student, session=group)
    return ApiClient(token_for(student))


@pytest.mark.parametrize(("path", "most"), [
    ("/me", 12),
    ("/mentors", 12),
    ("/mentors?q=physics&sort=rating", 14),
    ("/bookings", 14),
    ("/bookings?tab=past", 14),
    ("/group-sessions", 10),
    ("/payments", 12),
    ("/progress", 12),
    ("/messages/threads", 12),
    ("/recommendations", 16),
])  # fmt: skip
def test_lists_run_a_bounded_number_of_queries(api, path, most, django_assert_max_num_queries):
    api.get(path)  # caches warm, as on a live server
    with django_assert_max_num_queries(most):
        assert api.get(path).status_code == 200


def test_mentor_pages_run_a_bounded_number_of_queries(api, mentor, django_assert_max_num_queries):
    for path, most in (
        (f"/mentors/{mentor.slug}", 12),
        (f"/mentors/{mentor.slug}/slots?days=7", 12),
        (f"/mentors/{mentor.slug}/reviews", 10),
        (f"/mentors/{mentor.slug}/similar", 12),
    ):
        api.get(path)
        with django_assert_max_num_queries(most):
            assert api.get(path).status_code == 200, path


def test_holding_a_slot_runs_a_bounded_number_of_queries(api, mentor, django_assert_max_num_queries):
    body = {"starts_at": local_slot().isoformat(), "duration_minutes": 60, "session_type": "career_counselling",
            "language": "hi", "purpose": "Choosing an engineering branch"}  # fmt: skip
    with django_assert_max_num_queries(40):
        assert api.post(f"/mentors/{mentor.slug}/bookings", body).status_code == 201


def test_the_auth_endpoints_are_documented_without_a_cdn(client):
    spec = client.get("/api/v1/auth/openapi.json").json()
    assert any("/auth/login" in path for path in spec["paths"])
    html = client.get("/api/v1/auth/openapi.html").content.decode()
    sources = re.findall(r'(?:src|href|spec-url)="([^"]+)"', html)
    assert sources and all(source.startswith("/") and not source.startswith("//") for source in sources), sources
