"""While Redis is down, pages keep serving from PostgreSQL (DESIGN.md §7), and rate limits fail open on purpose."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from mentorship.resilient_cache import count_hit
from payments.models import Payment
from sessions_app.models import Booking
from sessions_app.views import BOOKING_ATTEMPTS_PER_MINUTE
from tests.factories import language
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db


def book(client, mentor, start):
    return client.post(
        reverse("sessions_app:book", args=[mentor.slug]),
        {
            "session_type": "career_counselling",
            "language": language("hi").pk,
            "duration": 60,
            "date": start.date().isoformat(),
            "starts_at": start.isoformat(),
            "purpose": "Which branch after class 12?",
        },
    )


def test_cache_reads_miss_and_writes_do_nothing_and_a_breaker_skips_redis(redis_down):
    assert cache.get("anything", "default") == "default"
    cache.set("anything", 1)
    assert cache.add("anything", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert count_hit("counter", window_seconds=60) is None

    started = time.monotonic()
    for _call in range(200):
        cache.get("anything")
    assert time.monotonic() - started < 0.5  # the breaker is open: no connection attempts


def test_pages_serve_from_postgresql_while_redis_is_down(client, redis_down, mentor, student):
    assert client.get(reverse("matching:search")).status_code == 200
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 200
    assert client.get(reverse("account_login")).status_code == 200
    response = client.post(reverse("account_login"), {"login": student.email, "password": "wrong-password"})
    assert response.status_code == 200  # the form, with its error

    client.force_login(student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("matching:search"), {"q": "maths"}).status_code == 200
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert client.get(reverse("sessions_app:book", args=[mentor.slug])).status_code == 200


def test_booking_and_payment_work_while_redis_is_down_and_their_rate_limits_fail_open(
    client, redis_down, mentor, student, razorpay_keys, committed
):
    client.force_login(student)
    for hour in range(10, 11 + BOOKING_ATTEMPTS_PER_MINUTE):
        Booking.objects.filter(student=student).update(status=Booking.Status.CANCELLED)
        response = book(client, mentor, local_slot(days=2, hour=hour))
        assert response.status_code == 302  # to checkout, however many attempts
    payment = Booking.objects.get(student=student, status=Booking.Status.PENDING_PAYMENT).payment
    # The same checkout result posted again and again (a double click, a retry): never a 500, never a 429.
    result = razorpay_keys.pay(payment.razorpay_order_id)
    for _attempt in range(3):
        with committed():
            response = client.post(reverse("payments:callback", args=[payment.pk]), {"outcome": "success", **result})
        assert response.status_code == 302

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
