"""The core journey through the API alone, as a mobile app drives it with an app token: sign up, verify the email
(the link from the sent email), onboard, search, book, pay against the fake Razorpay (the real SDK), see the
booking, cancel with the refund the policy gives."""

import re

import pytest
from django.core import mail
from django.test import Client

from sessions_app.models import Booking
from tests.api.conftest import ApiClient

AUTH = "/api/v1/auth/app/v1"
pytestmark = pytest.mark.django_db


def auth_post(client: Client, path: str, body: dict, token: str | None = None):
    headers = {"X-Session-Token": token} if token else {}
    return client.post(f"{AUTH}{path}", body, content_type="application/json", headers=headers)


def test_a_student_signs_up_books_pays_and_cancels_through_the_api(
    mentor, razorpay_keys, django_capture_on_commit_callbacks
):
    client = Client()
    # Sign up: the account exists, the email still has to be verified (allauth headless answers 401 + flows).
    response = auth_post(
        client,
        "/auth/signup",
        {
            "email": "asha@example.test",
            "password": "Mango-Tree-Lantern-42",
            "full_name": "Asha Reddy",
            "consent_processing": True,
        },
    )
    assert response.status_code == 401, response.content
    token = response.json()["meta"]["session_token"]
    assert any(flow["id"] == "verify_email" and flow.get("is_pending") for flow in response.json()["data"]["flows"])

    # Verify with the key from the emailed link.
    link = re.search(r"/accounts/confirm-email/([-:\w]+)/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    response = auth_post(client, "/auth/email/verify", {"key": link.group(1)}, token)
    assert response.status_code == 200, response.content
    token = response.json()["meta"].get("session_token", token)
    api = ApiClient(token, client=Client())

    me = api.get("/me").json()
    assert me["email"] == "asha@example.test" and me["onboarding"]["step"] == 1

    # Onboard: the seven sections, in order, with the site's rules.
    from accounts.models import Language

    hindi = Language.objects.get(code="hi")
    english = Language.objects.get(code="en")
    sections = [
        ("basic", {"full_name": "Asha Reddy", "date_of_birth": "2004-05-17", "phone": "+919876543210",
                   "city": "Hyderabad", "state": "Telangana", "country": "India", "time_zone": "Asia/Kolkata",
                   "primary_language": hindi.pk}),
        ("level", {"academic_level": "school"}),
        ("academics", {"school_name": "Kendriya Vidyalaya", "board": "cbse", "class_grade": 12, "stream": "science_pcm",
                       "subjects": ["Physics", "Mathematics", "Chemistry"]}),
        ("languages", {"primary_language": hindi.pk, "additional_languages": [english.pk]}),
        ("goals", {"industries": ["technology"], "career_timeline": "1_year"}),
        ("interests", {"interests": ["Physics"], "challenges": ["exam_preparation"]}),
        ("photo", {"notify_email": True, "notify_in_app": True, "notify_reminders": True}),
    ]  # fmt: skip
    for slug, body in sections:
        response = api.put(f"/me/onboarding/{slug}", body)
        assert response.status_code == 200, (slug, response.content)
    me = response.json()
    assert me["onboarding"]["completed"] is True and me["can_book"] is True

    # Search and pick the mentor, then a slot.
    results = api.get("/mentors", {"language": "hi", "subject": "Physics"}).json()["items"]
    assert [m["slug"] for m in results] == [mentor.slug]
    assert results[0]["compatibility"]["percent"] > 0
    slots = api.get(f"/mentors/{mentor.slug}/slots", {"duration": 60, "days": 7}).json()["items"]
    # More than 24 h ahead, so cancelling later refunds everything.
    slot = next(s for s in slots if s["start"] >= _in_hours(30))

    # Book (hold) with an Idempotency-Key, create the Razorpay order, pay, verify.
    booking = api.post(f"/mentors/{mentor.slug}/bookings", {
        "starts_at": slot["start"], "duration_minutes": 60, "session_type": "career_counselling", "language": "hi",
        "purpose": "Choosing between engineering branches",
    }, headers={"Idempotency-Key": "journey-book-1"}).json()  # fmt: skip
    assert booking["status"] == "pending_payment" and booking["price_paise"] == 120_000
    order = api.post(f"/bookings/{booking['id']}/payment-order", headers={"Idempotency-Key": "journey-order-1"})
    assert order.status_code == 201, order.content
    order = order.json()
    assert order["gateway"] == "razorpay" and order["amount_paise"] == 120_000
    checkout_result = razorpay_keys.pay(order["razorpay_order_id"])  # the customer pays in Razorpay Checkout
    with django_capture_on_commit_callbacks(execute=True):
        paid = api.post(f"/payments/{order['payment_id']}/verify", {"outcome": "success", **checkout_result})
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "captured"

    # See it.
    detail = api.get(f"/bookings/{booking['id']}").json()
    assert detail["status"] == "confirmed" and detail["refund_preview"]["percent"] == 100
    assert [b["id"] for b in api.get("/bookings").json()["items"]] == [booking["id"]]
    assert api.get("/payments").json()["items"][0]["status"] == "captured"

    # Cancel: more than 24 h ahead, so a full refund.
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.post(f"/bookings/{booking['id']}/cancel", {"note": "Exam date moved"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] in ("cancelled", "refunded")
    stored = Booking.objects.get(uuid=booking["id"])
    assert stored.refund_paise == 120_000
    assert razorpay_keys.state.payment(checkout_result["razorpay_payment_id"])["amount_refunded"] == 120_000


def _in_hours(hours: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.now() + dt.timedelta(hours=hours)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
