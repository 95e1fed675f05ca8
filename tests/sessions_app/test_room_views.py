"""Request tests for the room's pages and what follows a session (full pages and HTMX partials)."""

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from sessions_app.models import FollowUpTask, MentorNote, ProgressMilestone, Review, RoomConsent, Tip
from tests.factories import (
    BookingFactory,
    FollowUpTaskFactory,
    GroupSessionFactory,
    SessionMessageFactory,
    UserFactory,
    live_group_session,
    minor_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def session():
    return live_group_session(starts_in_minutes=-5, title="Optics doubt clinic")


@pytest.fixture
def student(session):
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)
    return student


# --- the room page -----------------------------------------------------------------------------------------------


def test_the_room_page_gives_the_browser_its_configuration(
    client, session, student, settings, django_assert_max_num_queries
):
    settings.STUN_URLS = ["stun:stun.example.test:3478"]
    settings.TURN_URLS = ["turn:turn.example.test:3478?transport=udp"]
    settings.TURN_USERNAME, settings.TURN_CREDENTIAL = "peer", "secret"
    client.force_login(student)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sessions_app:room", args=[session.pk]))
    assert response.status_code == 200
    assert b'<script id="room-config" type="application/json">' in response.content
    config = response.context["config"]
    assert config["user"] == {
        "id": student.pk,
        "name": "Asha R.",
        "isMentor": False,
        "canTip": True,
        "timeZone": "Asia/Kolkata",
        "consented": False,
    }
    # An adults' session nobody is recording: nobody is asked to agree to recording.
    assert config["consentNeeded"] is False
    assert config["iceServers"] == [
        {"urls": ["stun:stun.example.test:3478"]},
        {"urls": ["turn:turn.example.test:3478?transport=udp"], "username": "peer", "credential": "secret"},
    ]
    assert config["urls"]["socket"] == f"/ws/sessions/{session.pk}/"
    assert "__id__" in config["urls"]["recordingChunk"] and "__seq__" in config["urls"]["recordingChunk"]
    assert b"Send a tip" in response.content


def test_an_empty_ice_list_is_fine_on_a_lan(client, session):
    client.force_login(session.mentor)
    response = client.get(reverse("sessions_app:room", args=[session.pk]))
    assert response.context["config"]["iceServers"] == []
    assert response.context["config"]["user"]["canTip"] is False
    assert b"tip-panel" not in response.content


def test_a_minor_gets_no_tip_panel_and_is_told_about_recording(client, session):
    minor = minor_user()
    BookingFactory(session=session, student=minor)
    client.force_login(minor)
    response = client.get(reverse("sessions_app:room", args=[session.pk]))
    assert response.context["config"]["recordingRequired"] is True
    assert response.context["config"]["consentNeeded"] is True
    assert response.context["config"]["user"]["canTip"] is False


def test_members_are_asked_to_agree_while_the_mentor_records(client, session, student):
    from sessions_app.room.services import recording_start

    recording_start(session_id=session.pk, mentor_id=session.mentor_id)
    client.force_login(student)
    config = client.get(reverse("sessions_app:room", args=[session.pk])).context["config"]
    assert config["consentNeeded"] is True and config["user"]["consented"] is False
    # Starting the recording was the mentor's own agreement.
    assert RoomConsent.objects.filter(session=session, user=session.mentor).exists()


def test_outsiders_and_pending_students_are_refused(client, session):
    url = reverse("sessions_app:room", args=[session.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    pending = UserFactory()
    BookingFactory(session=session, student=pending, status="pending_payment", hold_expires_at=session.ends_at)
    client.force_login(pending)
    assert client.get(url).status_code == 403


def test_an_early_member_is_told_when_the_room_opens(client):
    session = GroupSessionFactory()  # three days ahead
    member = UserFactory()
    BookingFactory(session=session, student=member)
    client.force_login(member)
    response = client.get(reverse("sessions_app:room", args=[session.pk]))
    assert response.status_code == 403
    assert b"The room is not open now" in response.content


def test_consent_is_recorded_for_members_only(client, session, student):
    url = reverse("sessions_app:room_consent", args=[session.pk])
    client.force_login(student)
    assert client.post(url).json() == {"consented": True}
    assert client.post(url).status_code == 200
    assert RoomConsent.objects.filter(session=session, user=student).count() == 1
    client.force_login(UserFactory())
    assert client.post(url).status_code == 403


# --- tips --------------------------------------------------------------------------------------------------------


def test_a_tip_goes_to_the_checkout(client, session, student):
    client.force_login(student)
    response = client.post(reverse("sessions_app:tip", args=[session.pk]), {"amount": "200", "message": "Thank you"})
    tip = Tip.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:checkout", args=[tip.payment_id])
    assert (tip.amount_paise, tip.message, tip.mentor) == (20_000, "Thank you", session.mentor)


def test_a_custom_tip_outside_the_limits_is_shown_with_its_error(
    client, session, student, django_assert_max_num_queries
):
    client.force_login(student)
    url = reverse("sessions_app:tip", args=[session.pk])
    with django_assert_max_num_queries(10):
        response = client.post(url, {"amount": "custom", "custom_amount": "20000"})
    assert response.status_code == 400
    assert "custom_amount" in response.context["form"].errors
    assert client.post(url, {"amount": "custom"}).status_code == 400
    assert client.post(url, {"amount": "custom", "custom_amount": "15"}).status_code == 302
    assert Tip.objects.get().amount_paise == 1_500


def test_what_a_visitor_posts_to_the_tip_form_never_reaches_an_alpine_expression(client, session, student):
    client.force_login(student)
    payload = "custom' + alert(document.domain) + '"
    response = client.post(reverse("sessions_app:tip", args=[session.pk]), {"amount": payload, "custom_amount": "x"})
    assert response.status_code == 400
    directives = re.findall(rb'(?:x-[\w:.-]+|@[\w.:-]+|:[\w.-]+)="([^"]*)"', response.content)
    assert directives and not any(b"alert" in value or b"&#x27;" in value for value in directives)


def test_a_minor_cannot_open_the_tip_form(client, session):
    minor = minor_user()
    BookingFactory(session=session, student=minor)
    client.force_login(minor)
    response = client.post(reverse("sessions_app:tip", args=[session.pk]), {"amount": "50"})
    assert response.status_code == 403
    assert not Tip.objects.exists()


def test_the_tip_result_page_belongs_to_its_sender(client, session, student):
    tip = Tip.objects.create(session=session, student=student, mentor=session.mentor, amount_paise=5_000)
    client.force_login(student)
    response = client.get(reverse("sessions_app:tip_done", args=[tip.pk]))
    assert response.status_code == 200 and b'data-status="pending"' in response.content
    client.force_login(session.mentor)
    assert client.get(reverse("sessions_app:tip_done", args=[tip.pk])).status_code == 404


# --- after the session -------------------------------------------------------------------------------------------


@pytest.fixture
def after(session, student):
    session.status = "completed"
    session.save(update_fields=["status"])
    booking = student.bookings.get()
    booking.status = "completed"
    booking.save(update_fields=["status"])
    MentorNote.objects.create(session=session, author=session.mentor, body="Shared: revise lenses", is_shared=True)
    MentorNote.objects.create(session=session, author=session.mentor, body="Private: shy, encourage", is_shared=False)
    FollowUpTaskFactory(session=session, student=student, title="Ray diagrams")
    return booking


def test_the_mentor_sees_all_notes_and_the_student_only_shared_ones(
    client, session, student, after, django_assert_max_num_queries
):
    url = reverse("sessions_app:after_session", args=[session.pk])
    client.force_login(session.mentor)
    with django_assert_max_num_queries(14):
        mentor_view = client.get(url).content.decode()
    assert "Private: shy, encourage" in mentor_view and "Record a milestone for a student" in mentor_view
    client.force_login(student)
    with django_assert_max_num_queries(14):
        student_view = client.get(url).content.decode()
    assert "Shared: revise lenses" in student_view and "Private" not in student_view
    assert "Rate this session" in student_view and "Ray diagrams" in student_view
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_mentor_adds_a_note_through_htmx_and_gets_the_partial(client, session, after):
    client.force_login(session.mentor)
    url = reverse("sessions_app:note_add", args=[session.pk])
    response = client.post(url, {"body": "Next time: prisms", "is_shared": "on"}, headers=HTMX)
    assert response.status_code == 200
    assert b'id="notes"' in response.content and b"<html" not in response.content
    assert MentorNote.objects.filter(body="Next time: prisms", is_shared=True).exists()
    invalid = client.post(url, {"body": ""}, headers=HTMX)
    assert invalid.status_code == 400 and b'id="id_body_error"' in invalid.content
    full = client.post(url, {"body": "Without htmx"})
    assert full.status_code == 302


def test_students_cannot_write_notes_or_tasks(client, session, student, after):
    client.force_login(student)
    assert client.post(reverse("sessions_app:note_add", args=[session.pk]), {"body": "x"}).status_code == 403
    assert client.post(reverse("sessions_app:task_add", args=[session.pk]), {"title": "x"}).status_code == 403


def test_mentor_sets_a_task_and_the_student_ticks_it(client, session, student, after):
    client.force_login(session.mentor)
    response = client.post(
        reverse("sessions_app:task_add", args=[session.pk]),
        {"student": student.pk, "title": "Solve 10 lens problems", "due_on": "2099-01-15"},
        headers=HTMX,
    )
    assert response.status_code == 200 and b"Solve 10 lens problems" in response.content
    task = FollowUpTask.objects.get(title="Solve 10 lens problems")
    toggle = reverse("sessions_app:task_toggle", args=[task.pk])
    assert client.post(toggle, {"done": "1"}).status_code == 404  # only the student's own task
    client.force_login(student)
    ticked = client.post(toggle, {"done": "1"}, headers=HTMX)
    assert ticked.status_code == 200 and b'data-done="yes"' in ticked.content
    task.refresh_from_db()
    assert task.is_done


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("https://evil.example/", "/progress/"),
        ("//evil.example/", "/progress/"),
        ("/\\evil.example/", "/progress/"),
        ("javascript:alert(1)", "/progress/"),
        ("/sessions/?page=2", "/sessions/?page=2"),
    ],
)
def test_ticking_a_task_only_returns_to_pages_of_this_site(client, session, student, after, next_url, lands_on):
    task = FollowUpTask.objects.get(student=student)
    client.force_login(student)
    response = client.post(reverse("sessions_app:task_toggle", args=[task.pk]), {"done": "1", "next": next_url})
    assert response.status_code == 302
    expected = reverse("sessions_app:progress") if lands_on == "/progress/" else lands_on
    assert response["Location"] == expected


def test_mentor_records_a_milestone_for_a_student(client, session, student, after):
    client.force_login(session.mentor)
    response = client.post(
        reverse("sessions_app:milestone_add", args=[session.pk]),
        {"student": student.pk, "kind": "skill", "title": "Ray diagrams mastered", "next_steps": "Mirrors\nPrisms"},
        headers=HTMX,
    )
    assert response.status_code == 200
    milestone = ProgressMilestone.objects.get()
    assert (milestone.student, milestone.mentor, milestone.next_steps) == (
        student,
        session.mentor,
        ["Mirrors", "Prisms"],
    )


def test_the_student_downloads_the_session_bundle(client, session, student, after):
    SessionMessageFactory(session=session, sender=student, text="What is a virtual image?")
    client.force_login(student)
    response = client.get(reverse("sessions_app:session_bundle", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"README.md", "chat.txt", "session.json"}
    readme = archive.read("README.md").decode()
    assert "Shared: revise lenses" in readme and "Private" not in readme and "Ray diagrams" in readme
    assert "Asha R.: What is a virtual image?" in archive.read("chat.txt").decode()
    data = json.loads(archive.read("session.json"))
    assert data["tasks"][0]["title"] == "Ray diagrams" and data["session"]["title"] == "Optics doubt clinic"
    client.force_login(session.mentor)
    assert client.get(reverse("sessions_app:session_bundle", args=[session.pk])).status_code == 403


# --- reviews and progress ----------------------------------------------------------------------------------------


def test_the_student_reviews_then_edits_the_session(client, student, after, django_assert_max_num_queries):
    url = reverse("sessions_app:review", args=[after.uuid])
    client.force_login(student)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    assert client.post(url, {"rating": "6"}).status_code == 400
    assert client.post(url, {"rating": "4", "comment": "Clear"}).status_code == 302
    assert client.post(url, {"rating": "5", "comment": "Even clearer"}).status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.comment) == (5, "Even clearer")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_progress_page_shows_and_records_milestones(client, student, after, django_assert_max_num_queries):
    client.force_login(student)
    url = reverse("sessions_app:progress")
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200 and b"Ray diagrams" in response.content
    assert b'data-testid="hours-learned">1.0<' in response.content
    assert client.post(url, {"kind": "exam", "title": ""}).status_code == 400
    assert client.post(url, {"kind": "exam", "title": "Board exam: 92 in physics"}).status_code == 302
    assert ProgressMilestone.objects.get().recorded_by == student


def test_the_progress_panel_tag_renders_for_any_dashboard(rf, student, after, django_assert_max_num_queries):
    from django.template import RequestContext, Template

    request = rf.get("/dashboard/")
    request.user = student
    with django_assert_max_num_queries(3):
        html = Template("{% load room_progress %}{% student_progress_panel %}").render(RequestContext(request, {}))
    assert 'data-testid="student-progress"' in html and "Ray diagrams" in html
