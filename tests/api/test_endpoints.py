"""Request tests of /api/v1/: owners, other users, visitors and staff; validation; pagination; idempotency."""

import uuid

import pytest
from django.test import Client

from api.models import IdempotencyRecord
from matching.models import MentorSearchDocument
from sessions_app.models import Booking
from tests.api.conftest import ApiClient, local_slot, token_for
from tests.factories import (
    DEFAULT_PASSWORD,
    GroupSessionFactory,
    TicketFactory,
    UserFactory,
    listed_mentor,
    support_user,
)

pytestmark = pytest.mark.django_db


def hold_body(**overrides):
    body = {"starts_at": local_slot().isoformat(), "duration_minutes": 60, "session_type": "career_counselling",
            "language": "hi", "purpose": "Choosing an engineering branch"}  # fmt: skip
    return {**body, **overrides}


@pytest.fixture
def held(api_for, student, mentor):
    api = api_for(student)
    response = api.post(f"/mentors/{mentor.slug}/bookings", hold_body())
    assert response.status_code == 201, response.content
    return api, response.json()


# --- errors, authentication ------------------------------------------------------------------------------------


def test_visitors_are_refused_with_the_error_envelope(api_for):
    response = api_for(None).get("/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "not_authenticated", "message": "Sign in to continue.", "fields": {}}}


def test_an_invalid_token_is_refused_even_on_public_endpoints():
    response = ApiClient("not-a-token").get("/mentors")
    assert response.status_code == 401


def test_error_messages_are_in_the_users_language(api_for, student, settings):
    from django.core.management import call_command

    call_command("compiletranslations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # Django reads the compiled catalogues afresh
    student.ui_language = "hi"
    student.save(update_fields=["ui_language"])
    response = api_for(student).get(f"/bookings/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "नहीं मिला।"


def test_the_session_cookie_works_with_csrf_on_unsafe_methods(student, mentor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post(f"/api/v1/mentors/{mentor.slug}/bookings", hold_body(), content_type="application/json")
    assert response.status_code == 403
    client.get("/api/v1/me")  # any page sets the CSRF cookie? not the API: take it from the site
    client.get("/mentors/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/v1/mentors/{mentor.slug}/bookings",
        hold_body(),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "path",
    [
        "/mentors?price_min=abc",
        "/mentors?experience=99999999999999999999999",
        "/mentors/x/slots?start=2026-13-45",
        "/bookings?limit=0",
        "/bookings?cursor=forged",
    ],
)
def test_bad_input_is_a_422_with_fields(api_for, student, path):
    response = api_for(student).get(path)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"]


def test_nul_characters_are_refused_without_a_server_error(api_for, student, mentor):
    api = api_for(student)
    assert api.get("/mentors?q=a%00b").status_code == 422
    response = api.post(f"/mentors/{mentor.slug}/bookings", hold_body(purpose="a\x00b"))
    assert response.status_code == 422
    assert not Booking.objects.exists()


def test_a_body_that_is_not_json_is_a_422(api_for, student, mentor):
    api = api_for(student)
    response = api.client.post(
        f"/api/v1/mentors/{mentor.slug}/bookings",
        "{nope",
        content_type="application/json",
        headers={"X-Session-Token": api.token},
    )
    assert response.status_code == 422


def test_rate_limits_answer_429_with_retry_after(api_for, student, settings):
    settings.API_RATE_LIMIT_PER_USER = 3
    api = api_for(student)
    statuses = [api.get("/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/me")
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


# --- me ------------------------------------------------------------------------------------------------------------


def test_me_shows_profile_languages_and_onboarding(api_for, student):
    data = api_for(student).get("/me").json()
    assert data["email"] == student.email
    assert data["primary_language"] == "hi" and data["languages"] == ["en", "hi"]
    assert data["onboarding"]["completed"] is True
    assert data["student_profile"]["academic_level"]


def test_onboarding_sections_are_saved_with_the_sites_rules(api_for, student):
    api = api_for(student)
    response = api.put("/me/onboarding/goals", {"career_timeline": "not-a-choice"})
    assert response.status_code == 422
    assert "career_timeline" in response.json()["error"]["fields"]
    response = api.put("/me/onboarding/goals", {"industries": ["technology"], "career_timeline": "1_year"})
    assert response.status_code == 200, response.content
    assert response.json()["student_profile"]["industries"] == ["technology"]
    assert api.put("/me/onboarding/nowhere", {}).status_code == 404


def test_a_new_student_cannot_skip_onboarding_sections(db):
    user = UserFactory()
    response = ApiClient(token_for(user)).put("/me/onboarding/goals", {"industries": ["technology"]})
    assert response.status_code == 409
    assert response.json()["error"]["fields"]["section"] == ["basic"]


# --- mentors and discovery -----------------------------------------------------------------------------------------


def test_search_is_public_and_paginated_by_cursor(api_for):
    for _ in range(13):
        listed_mentor()
    anonymous = api_for(None)
    first = anonymous.get("/mentors", {"sort": "rating"}).json()
    assert len(first["items"]) == 12 and first["next_cursor"]
    second = anonymous.get("/mentors", {"sort": "rating", "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {m["id"] for m in first["items"]}.isdisjoint({m["id"] for m in second["items"]})


def test_search_cards_link_the_mentors_photo(api_for, student, mentor):
    document = MentorSearchDocument.objects.get(mentor_id=mentor.pk)
    document.photo = "photos/mentor.webp"
    document.save(update_fields=["photo"])
    card = api_for(student).get("/mentors").json()["items"][0]
    assert card["slug"] == mentor.slug and card["photo_url"] == document.photo_url != ""


def test_search_filters_and_compatibility_for_students(api_for, student, mentor):
    listed_mentor(languages=("ta",))
    data = api_for(student).get("/mentors", {"language": "hi"}).json()
    assert [m["slug"] for m in data["items"]] == [mentor.slug]
    assert api_for(student).get("/mentors", {"rating": 4, "sort": "rating"}).status_code == 200
    assert api_for(student).get("/mentors", {"rating": 3.5, "experience": 5}).status_code == 200
    assert data["items"][0]["compatibility"]["reasons"]


def test_mentor_detail_and_slots_in_a_time_zone(api_for, mentor):
    anonymous = api_for(None)
    detail = anonymous.get(f"/mentors/{mentor.slug}").json()
    assert detail["prices"][0] == {"duration_minutes": 30, "price_paise": 60000}
    slots = anonymous.get(f"/mentors/{mentor.slug}/slots", {"duration": 60, "days": 2, "tz": "Asia/Kolkata"}).json()
    assert slots["items"] and all(s["duration_minutes"] == 60 for s in slots["items"])
    assert anonymous.get(f"/mentors/{mentor.slug}/slots", {"tz": "Mars/Base"}).status_code == 422
    assert anonymous.get(f"/mentors/{mentor.slug}/slots", {"duration": 45}).status_code == 422
    assert anonymous.get("/mentors/nobody").status_code == 404


def test_not_interested_hides_a_mentor_from_recommendations(api_for, student, mentor):
    api = api_for(student)
    response = api.post(f"/recommendations/{mentor.pk}/not-interested")
    assert response.status_code == 200
    assert mentor.pk not in [r["mentor"]["id"] for r in api.get("/recommendations").json()["items"]]


# --- booking ---------------------------------------------------------------------------------------------------


def test_holding_a_slot_then_reading_it_as_owner_other_visitor_and_staff(held, api_for, other_student, staff_api):
    api, booking = held
    assert booking["status"] == "pending_payment" and booking["is_student"]
    path = f"/bookings/{booking['id']}"
    assert api.get(path).status_code == 200
    assert api_for(other_student).get(path).status_code == 404
    assert api_for(None).get(path).status_code == 401
    assert staff_api.get(path).status_code == 200
    assert api.get("/bookings").json()["items"][0]["id"] == booking["id"]
    assert api_for(other_student).get("/bookings").json()["items"] == []


def test_a_taken_slot_is_a_409(held, api_for, other_student, mentor):
    response = api_for(other_student).post(f"/mentors/{mentor.slug}/bookings", hold_body())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"


def test_booking_validation_names_the_fields(api_for, student, mentor):
    api = api_for(student)
    response = api.post(f"/mentors/{mentor.slug}/bookings", hold_body(language="ta", session_type="nap"))
    assert response.status_code == 422
    assert {"language", "session_type"} <= set(response.json()["error"]["fields"])
    response = api.post(f"/mentors/{mentor.slug}/bookings", {"duration_minutes": "long"})
    assert response.status_code == 422
    assert "starts_at" in response.json()["error"]["fields"]


def test_idempotency_key_replays_the_first_answer(api_for, student, mentor):
    api = api_for(student)
    headers = {"Idempotency-Key": "book-1"}
    first = api.post(f"/mentors/{mentor.slug}/bookings", hold_body(), headers=headers)
    again = api.post(f"/mentors/{mentor.slug}/bookings", hold_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    other = api.post(f"/mentors/{mentor.slug}/bookings", hold_body(purpose="Something else"), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_idempotency_keys_belong_to_one_user(api_for, student, other_student, mentor):
    headers = {"Idempotency-Key": "same-key"}
    assert api_for(student).post(f"/mentors/{mentor.slug}/bookings", hold_body(), headers=headers).status_code == 201
    later = hold_body(starts_at=local_slot(days=3).isoformat())
    response = api_for(other_student).post(f"/mentors/{mentor.slug}/bookings", later, headers=headers)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.count() == 2


def test_a_refusal_is_replayed_too(api_for, student, mentor):
    mentor.user.is_active = True
    api = api_for(student)
    headers = {"Idempotency-Key": "refused"}
    body = hold_body(starts_at=local_slot(hour=3).isoformat())  # 03:00 in Kolkata: outside the mentor's hours
    first = api.post(f"/mentors/{mentor.slug}/bookings", body, headers=headers)
    assert first.status_code == 409
    assert api.post(f"/mentors/{mentor.slug}/bookings", body, headers=headers).json() == first.json()


def test_cancel_with_refund_preview_by_owner_only(held, api_for, other_student):
    api, booking = held
    path = f"/bookings/{booking['id']}"
    preview = api.get(f"{path}/refund-preview").json()
    assert preview["amount_paise"] == 0  # nothing was paid for the hold yet
    assert api_for(other_student).post(f"{path}/cancel", {"note": ""}).status_code == 404
    response = api.post(f"{path}/cancel", {"note": "Exam moved"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.post(f"{path}/cancel", {}).status_code == 409


def test_group_sessions_list_detail_seat_and_waitlist(api_for, student, other_student, mentor):
    full = GroupSessionFactory(mentor=mentor.user, capacity=1)
    anonymous = api_for(None)
    listing = anonymous.get("/group-sessions").json()
    assert [s["id"] for s in listing["items"]] == [str(full.uuid)]
    response = api_for(student).post(f"/group-sessions/{full.uuid}/bookings")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    other = api_for(other_student)
    assert other.post(f"/group-sessions/{full.uuid}/bookings").json()["error"]["code"] == "full"
    assert other.post(f"/group-sessions/{full.uuid}/waitlist").json()["on_waitlist"] is True
    assert other.get(f"/group-sessions/{full.uuid}").json()["on_waitlist"] is True
    assert other.delete(f"/group-sessions/{full.uuid}/waitlist").json()["on_waitlist"] is False


def test_booking_attempts_are_rate_limited(api_for, student, mentor):
    api = api_for(student)
    outside_hours = hold_body(starts_at=local_slot(hour=3).isoformat())
    statuses = [api.post(f"/mentors/{mentor.slug}/bookings", outside_hours).status_code for _ in range(4)]
    assert statuses == [409, 409, 409, 429]


def test_progress_is_mine(api_for, student):
    data = api_for(student).get("/progress").json()
    assert data == {"hours_learned": 0.0, "sessions_completed": 0, "open_tasks": [], "recent_milestones": []}


# --- mentor side ------------------------------------------------------------------------------------------------


def test_mentor_side_is_for_mentors(api_for, student, mentor):
    assert api_for(student).get("/mentor/profile").json()["error"]["code"] == "mentors_only"
    api = api_for(mentor.user)
    assert api.get("/mentor/profile").json()["verification_status"] == "approved"
    rule = api.post("/mentor/availability/rules", {"weekday": 0, "start_time": "18:00", "end_time": "20:00"})
    assert rule.status_code == 201
    overlap = api.post("/mentor/availability/rules", {"weekday": 0, "start_time": "19:00", "end_time": "21:00"})
    assert overlap.status_code == 422
    assert api_for(listed_mentor().user).delete(f"/mentor/availability/rules/{rule.json()['id']}").status_code == 404
    assert api.delete(f"/mentor/availability/rules/{rule.json()['id']}").status_code == 200


def test_mentors_create_and_publish_group_sessions(api_for, mentor):
    api = api_for(mentor.user)
    body = {"title": "Optics in one evening", "description": "Lenses and mirrors.", "session_type": "exam_preparation",
            "category": "competitive_exams", "language": "en", "date": str(local_slot(days=5).date()), "time": "18:00",
            "time_zone": "Asia/Kolkata", "duration_minutes": 60, "capacity": 10, "price_rupees": 0}  # fmt: skip
    created = api.post("/mentor/group-sessions", body)
    assert created.status_code == 201, created.content
    session_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    published = api.post(f"/mentor/group-sessions/{session_id}/publish")
    assert published.json()["status"] == "scheduled"
    assert api_for(listed_mentor().user).post(f"/mentor/group-sessions/{session_id}/publish").status_code == 404


# --- staff and support ------------------------------------------------------------------------------------------


def test_staff_endpoints_need_staff(api_for, student):
    assert api_for(student).get("/staff/tickets").status_code == 403


def test_staff_without_two_factor_are_refused(db, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = True
    staff = support_user()
    response = Client().post(
        "/api/v1/auth/app/v1/auth/login",
        {"email": staff.email, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    token = response.json()["meta"]["session_token"]
    response = ApiClient(token).get("/staff/tickets")
    assert response.status_code == 403 and response.json()["error"]["code"] == "mfa_required"


def test_staff_with_two_factor_work_the_queues(staff_api, mentor):
    pending = listed_mentor(verification_status="documents_under_review")
    queue = staff_api.get("/staff/verification").json()
    assert pending.pk in [a["mentor_id"] for a in queue["items"]]
    ticket = TicketFactory()
    assert staff_api.get("/staff/tickets").json()["items"][0]["number"] == ticket.pk
    reply = staff_api.post(f"/staff/tickets/{ticket.pk}/reply", {"body": "Looking into it."})
    assert reply.status_code == 200 and reply.json()["messages"][-1]["from_staff"] is True


def test_tickets_are_opened_once_per_idempotency_key_and_private(api_for, student, other_student):
    api = api_for(student)
    body = {"category": "booking", "subject": "Refund?", "description": "My session was cancelled."}
    first = api.post("/support/tickets", body, headers={"Idempotency-Key": "t-1"})
    again = api.post("/support/tickets", body, headers={"Idempotency-Key": "t-1"})
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert len(api.get("/support/tickets").json()["items"]) == 1
    assert api_for(other_student).get(f"/support/tickets/{first.json()['id']}").status_code == 404


def test_a_cancel_retried_with_its_key_is_replayed_not_refused(held):
    api, booking = held
    path = f"/bookings/{booking['id']}/cancel"
    first = api.post(path, {"note": ""}, headers={"Idempotency-Key": "cancel-1"})
    again = api.post(path, {"note": ""}, headers={"Idempotency-Key": "cancel-1"})
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert api.post(path, {"note": ""}).status_code == 409


def test_old_idempotency_records_are_pruned(held, settings):
    import datetime as dt

    from django.utils import timezone

    from api.services import idempotency_records_prune

    api, booking = held
    api.post(f"/bookings/{booking['id']}/cancel", {}, headers={"Idempotency-Key": "old"})
    assert idempotency_records_prune(now=timezone.now()) == 0
    later = timezone.now() + dt.timedelta(days=settings.API_IDEMPOTENCY_DAYS, minutes=1)
    assert idempotency_records_prune(now=later) == 1
    assert not IdempotencyRecord.objects.exists()
