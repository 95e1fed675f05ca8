"""Request tests of `/api/v1/me/photo` and the messaging endpoints (`/messages/threads…`, asking a mentor, a mentor
opening a thread): owner, other user, anonymous and guardian, and validation errors in the error envelope."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart

from sessions_app.messaging import selectors, services
from sessions_app.models import DirectMessage, MessageThread
from tests.factories import BookingFactory, GroupSessionFactory, MentorProfileFactory, UserFactory
from tests.sessions_app.messaging.helpers import minor_with_guardian, png_upload

pytestmark = pytest.mark.django_db
BOUNDARY = "apitestboundary"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    """Photos and message images go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(DirectMessage._meta.get_field("image"), "storage", storage)


def put_multipart(api, path: str, data: dict):
    headers = {"X-Session-Token": api.token} if api.token else {}
    return api.client.put(
        f"/api/v1{path}",
        encode_multipart(BOUNDARY, data),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=headers,
    )


def post_form(api, path: str, data: dict, headers: dict | None = None):
    extra = dict(headers or {})
    if api.token:
        extra["X-Session-Token"] = api.token
    return api.client.post(f"/api/v1{path}", data, content_type=MULTIPART_CONTENT, headers=extra)


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"%PDF-1.4 not a picture", content_type="image/png")


# --- photo ------------------------------------------------------------------------------------------------------


def test_a_student_uploads_and_removes_a_photo(api_for, student):
    api = api_for(student)
    response = put_multipart(api, "/me/photo", {"photo": png_upload(size=(900, 600))})
    assert response.status_code == 200, response.content
    assert response.json()["photo_url"]
    student.refresh_from_db()
    assert student.photo.width == 512  # re-encoded and resized as on the site
    removed = api.delete("/me/photo")
    assert removed.status_code == 200 and removed.json()["photo_url"] is None
    student.refresh_from_db()
    assert not student.photo


def test_a_mentor_photo_is_cut_to_a_square_through_the_mentor_service(api_for, mentor):
    response = put_multipart(api_for(mentor.user), "/me/photo", {"photo": png_upload(size=(900, 600)), "keep": "top"})
    assert response.status_code == 200, response.content
    mentor.user.refresh_from_db()
    assert mentor.user.photo.width == mentor.user.photo.height == 512


def test_a_file_that_is_not_an_image_is_a_422_and_nothing_changes(api_for, student):
    response = put_multipart(api_for(student), "/me/photo", {"photo": not_an_image()})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "photo_not_image"
    student.refresh_from_db()
    assert not student.photo


def test_photo_needs_a_file_a_known_focus_and_a_sign_in(api_for, mentor):
    api = api_for(mentor.user)
    assert put_multipart(api, "/me/photo", {}).json()["error"]["code"] == "validation_error"
    bad_keep = put_multipart(api, "/me/photo", {"photo": png_upload(), "keep": "middle"})
    assert bad_keep.status_code == 422 and "keep" in bad_keep.json()["error"]["fields"]
    anonymous = api_for(None)
    assert put_multipart(anonymous, "/me/photo", {"photo": png_upload()}).status_code == 401
    assert anonymous.delete("/me/photo").status_code == 401


# --- messages ---------------------------------------------------------------------------------------------------


@pytest.fixture
def mentor_profile(db):
    return MentorProfileFactory()


def test_a_student_asks_a_mentor_and_both_see_the_thread(api_for, mentor_profile):
    student = UserFactory()
    api = api_for(student)
    response = post_form(api, f"/mentors/{mentor_profile.slug}/questions", {"text": "Do you mentor NEET aspirants?"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["thread"]["role"] == "student" and body["thread"]["can_write"] is True
    assert body["message"]["mine"] is True and body["message"]["text"] == "Do you mentor NEET aspirants?"

    mentor_api = api_for(mentor_profile.user)
    listed = mentor_api.get("/messages/threads").json()
    assert [t["id"] for t in listed["items"]] == [body["thread"]["id"]]
    assert listed["items"][0]["unread"] == 1 and listed["items"][0]["role"] == "mentor"
    reply = post_form(mentor_api, f"/messages/threads/{body['thread']['id']}/messages", {"text": "Yes, I do."})
    assert reply.status_code == 201 and reply.json()["mine"] is True
    read = mentor_api.post(f"/messages/threads/{body['thread']['id']}/read")
    assert read.status_code == 200
    assert mentor_api.get("/messages/threads").json()["items"][0]["unread"] == 0

    page = api.get(f"/messages/threads/{body['thread']['id']}/messages").json()
    assert [m["text"] for m in page["items"]] == ["Yes, I do.", "Do you mentor NEET aspirants?"]
    assert [m["mine"] for m in page["items"]] == [False, True]


def test_messages_page_by_cursor_newest_first(api_for, mentor_profile):
    student = UserFactory()
    thread = services.thread_ask(student=student, mentor=mentor_profile.user, text="m0").thread
    access = selectors.get_thread_for_user(student, thread.uuid)
    for number in range(1, 5):
        services.message_send(access=access, text=f"m{number}")
    api = api_for(student)
    first = api.get(f"/messages/threads/{thread.uuid}/messages", {"limit": 3}).json()
    assert [m["text"] for m in first["items"]] == ["m4", "m3", "m2"]
    second = api.get(f"/messages/threads/{thread.uuid}/messages", {"limit": 3, "cursor": first["next_cursor"]})
    assert [m["text"] for m in second.json()["items"]] == ["m1", "m0"] and second.json()["next_cursor"] is None
    forged = api.get(f"/messages/threads/{thread.uuid}/messages", {"cursor": "nope"})
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "invalid_cursor"


def test_an_image_message_and_a_non_image(api_for, mentor_profile):
    student = UserFactory()
    thread = services.thread_ask(student=student, mentor=mentor_profile.user, text="Hello").thread
    api = api_for(student)
    sent = post_form(api, f"/messages/threads/{thread.uuid}/messages", {"text": "", "image": png_upload()})
    assert sent.status_code == 201, sent.content
    assert sent.json()["image_url"].startswith("/messages/images/")
    refused = post_form(api, f"/messages/threads/{thread.uuid}/messages", {"image": not_an_image()})
    assert refused.status_code == 422 and "image" in refused.json()["error"]["fields"]
    empty = post_form(api, f"/messages/threads/{thread.uuid}/messages", {"text": "   "})
    assert empty.status_code == 422 and "text" in empty.json()["error"]["fields"]
    assert DirectMessage.objects.filter(thread=thread).count() == 2


def test_others_get_404_anonymous_401_and_the_guardian_reads_only(api_for, mentor_profile):
    minor, guardian = minor_with_guardian()
    thread = services.thread_ask(student=minor, mentor=mentor_profile.user, text="Call 98765 43210").thread
    base = f"/messages/threads/{thread.uuid}"
    for outsider in (UserFactory(), MentorProfileFactory().user):
        api = api_for(outsider)
        assert api.get(base).status_code == 404
        assert api.get(f"{base}/messages").json()["error"]["code"] == "not_found"
        assert post_form(api, f"{base}/messages", {"text": "Hi"}).status_code == 404
        assert api.post(f"{base}/read").status_code == 404
        assert api.get("/messages/threads").json()["items"] == []
    anonymous = api_for(None)
    assert anonymous.get("/messages/threads").status_code == 401
    assert anonymous.get(f"{base}/messages").status_code == 401

    guardian_api = api_for(guardian)
    listed = guardian_api.get("/messages/threads").json()["items"]
    assert [(t["id"], t["role"], t["can_write"]) for t in listed] == [(str(thread.uuid), "guardian", False)]
    texts = [m["text"] for m in guardian_api.get(f"{base}/messages").json()["items"]]
    assert texts and "98765" not in texts[0]  # masked in a minor's thread
    refused = post_form(guardian_api, f"{base}/messages", {"text": "Hi"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only"
    thread.refresh_from_db()
    before = (thread.student_read_at, thread.mentor_read_at)
    assert guardian_api.post(f"{base}/read").status_code == 200
    thread.refresh_from_db()
    assert (thread.student_read_at, thread.mentor_read_at) == before  # a guardian leaves no trace


def test_asking_honours_the_idempotency_key(api_for, mentor_profile):
    api = api_for(UserFactory())
    path = f"/mentors/{mentor_profile.slug}/questions"
    first = post_form(api, path, {"text": "Hello"}, headers={"Idempotency-Key": "ask-1"})
    again = post_form(api, path, {"text": "Hello"}, headers={"Idempotency-Key": "ask-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert DirectMessage.objects.count() == 1
    other = post_form(api, path, {"text": "Another"}, headers={"Idempotency-Key": "ask-1"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_asking_refusals(api_for, mentor_profile, settings):
    assert post_form(api_for(UserFactory()), "/mentors/no-such-mentor/questions", {"text": "Hi"}).status_code == 404
    assert post_form(api_for(None), f"/mentors/{mentor_profile.slug}/questions", {"text": "Hi"}).status_code == 401
    settings.MESSAGES_PER_HOUR = 1
    api = api_for(UserFactory())
    assert post_form(api, f"/mentors/{mentor_profile.slug}/questions", {"text": "One"}).status_code == 201
    limited = post_form(api, f"/mentors/{mentor_profile.slug}/questions", {"text": "Two"})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert MessageThread.objects.count() == 1 and DirectMessage.objects.count() == 1


def test_a_mentor_opens_a_thread_only_with_a_student_who_booked(api_for):
    session = GroupSessionFactory()
    student, stranger = UserFactory(), UserFactory()
    BookingFactory(session=session, student=student)
    api = api_for(session.mentor)
    opened = api.post(f"/mentor/students/{student.pk}/thread")
    assert opened.status_code == 200, opened.content
    assert opened.json()["role"] == "mentor" and opened.json()["student"]["id"] == student.pk
    assert api.post(f"/mentor/students/{student.pk}/thread").json()["id"] == opened.json()["id"]
    assert api.post(f"/mentor/students/{stranger.pk}/thread").status_code == 404
    assert api_for(stranger).post(f"/mentor/students/{student.pk}/thread").status_code == 404
    assert MessageThread.objects.count() == 1


def test_thread_list_runs_bounded_queries(api_for, django_assert_max_num_queries):
    student = UserFactory()
    for _ in range(6):
        mentor = MentorProfileFactory().user
        services.thread_ask(student=student, mentor=mentor, text="Hello")
    api = api_for(student)
    with django_assert_max_num_queries(12):
        response = api.get("/messages/threads")
    assert len(response.json()["items"]) == 6


def test_a_multipart_put_to_a_json_endpoint_is_a_422_not_a_server_error(api_for, student):
    # PUT uploads are read as forms for /me/photo; a JSON endpoint then finds no JSON body.
    api = api_for(student)
    for path in ("/me/onboarding/basic", "/notifications/preferences"):
        response = put_multipart(api, path, {"full_name": "Asha Rao"})
        assert response.status_code == 422, (path, response.content)
        assert response.json()["error"]["code"] == "validation_error"
