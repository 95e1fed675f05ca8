"""Property-based tests of every operation in the live /api/v1/openapi.json (schemathesis against the project's
WSGI app, in-process), signed in with an app token as a student who has bookings, a payment and mentors to book:
no server errors, every status code documented, responses matching their schemas and content types."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_for
from tests.factories import BookingFactory, GroupSessionFactory, PaymentFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def student_token(db, settings, student, mentor):
    settings.API_RATE_LIMIT_PER_USER = 1_000_000
    settings.API_RATE_LIMIT_PER_IP = 1_000_000
    group = GroupSessionFactory(mentor=mentor.user)
    BookingFactory(session=group, student=student)
    PaymentFactory(payer=student)
    token = token_for(student)
    # Requests through the WSGI handler must not close the test's database connection at their end (Django's own
    # test client disconnects the same handlers, and connects them again after each of its requests).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield token
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_every_operation_conforms(case, student_token):
    case.call_and_validate(headers={"X-Session-Token": student_token}, checks=CHECKS)
