"""Recordings: chunked upload by the recorder, playback for the session's people only, deletion after expiry."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Recording, RecordingChunk
from sessions_app.room import services as room_services
from sessions_app.room.recording import WEBM_MAGIC, recordings_delete_expired
from sessions_app.room.tasks import delete_expired_recordings
from tests.factories import BookingFactory, GuardianConsentFactory, UserFactory, live_group_session

pytestmark = pytest.mark.django_db

FIRST = WEBM_MAGIC + b"\x9f\x42\x86\x81\x01" + bytes(range(200))
SECOND = bytes(range(256)) * 3


@pytest.fixture
def session():
    return live_group_session(starts_in_minutes=-5)


@pytest.fixture
def student(session):
    student = UserFactory()
    BookingFactory(session=session, student=student)
    return student


@pytest.fixture
def recording(session):
    state = room_services.recording_start(session_id=session.pk, mentor_id=session.mentor_id)
    recording = Recording.objects.get(pk=state["recording_id"])
    yield recording
    for chunk in RecordingChunk.objects.filter(recording__session=session):
        chunk.file.delete(save=False)


def upload(client, recording, sequence, data, content_type="video/webm;codecs=vp8,opus"):
    url = reverse("sessions_app:recording_chunk", args=[recording.session_id, recording.pk, sequence])
    return client.post(url, data=data, content_type=content_type)


@pytest.fixture
def uploaded(client, recording):
    client.force_login(recording.started_by)
    assert upload(client, recording, 0, FIRST).status_code == 201
    assert upload(client, recording, 1, SECOND).status_code == 201
    client.logout()
    recording.refresh_from_db()
    return recording


def test_chunks_are_appended_in_order_and_a_retry_is_stored_once(client, recording):
    client.force_login(recording.started_by)
    assert upload(client, recording, 0, FIRST).status_code == 201
    assert upload(client, recording, 1, SECOND).status_code == 201
    assert upload(client, recording, 1, SECOND).status_code == 201
    recording.refresh_from_db()
    assert (recording.chunk_count, recording.size_bytes) == (2, len(FIRST) + len(SECOND))
    stored = b"".join(chunk.file.open("rb").read() for chunk in recording.chunks.order_by("sequence"))
    assert stored == FIRST + SECOND


def test_only_the_recorder_uploads(client, recording, student):
    client.force_login(student)
    assert upload(client, recording, 0, FIRST).status_code == 403
    assert not RecordingChunk.objects.exists()


@pytest.mark.parametrize(
    ("sequence", "data", "content_type", "status"),
    [
        (0, b"not a webm file", "video/webm", 400),
        (0, FIRST, "text/plain", 400),
        (1, b"", "video/webm", 400),
    ],
)
def test_bad_chunks_are_refused(client, recording, sequence, data, content_type, status):
    client.force_login(recording.started_by)
    assert upload(client, recording, sequence, data, content_type).status_code == status
    assert not RecordingChunk.objects.exists()


def test_an_oversized_chunk_is_refused(client, recording, settings):
    settings.RECORDING_CHUNK_MAX_BYTES = 1024
    client.force_login(recording.started_by)
    assert upload(client, recording, 1, b"x" * 1025).status_code == 413


def test_late_chunks_are_accepted_briefly_after_stop(client, recording):
    client.force_login(recording.started_by)
    Recording.objects.filter(pk=recording.pk).update(stopped_at=timezone.now() - dt.timedelta(seconds=30))
    assert upload(client, recording, 0, FIRST).status_code == 201
    Recording.objects.filter(pk=recording.pk).update(stopped_at=timezone.now() - dt.timedelta(minutes=5))
    assert upload(client, recording, 1, SECOND).status_code == 400


def test_a_participant_plays_the_recording(client, uploaded, student, django_assert_max_num_queries):
    client.force_login(student)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("sessions_app:recording_play", args=[uploaded.pk]))
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/webm"
    assert response["Content-Length"] == str(len(FIRST + SECOND))
    assert body == FIRST + SECOND


def test_playback_supports_byte_ranges_across_chunks(client, uploaded, student):
    client.force_login(student)
    start = len(FIRST) - 10
    response = client.get(
        reverse("sessions_app:recording_play", args=[uploaded.pk]), headers={"range": f"bytes={start}-{start + 19}"}
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{start + 19}/{len(FIRST + SECOND)}"
    assert b"".join(response.streaming_content) == (FIRST + SECOND)[start : start + 20]
    unsatisfiable = client.get(
        reverse("sessions_app:recording_play", args=[uploaded.pk]), headers={"range": "bytes=99999-"}
    )
    assert unsatisfiable.status_code == 416


def test_the_guardian_of_a_minor_participant_may_watch(client, uploaded):
    consent = GuardianConsentFactory(granted=True)
    BookingFactory(session=uploaded.session, student=consent.student)
    guardian = UserFactory(email=consent.guardian_email)
    client.force_login(guardian)
    assert client.get(reverse("sessions_app:recording_play", args=[uploaded.pk])).status_code == 200


def test_others_cannot_watch(client, uploaded):
    url = reverse("sessions_app:recording_play", args=[uploaded.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    other_session_student = UserFactory()
    BookingFactory(student=other_session_student)
    client.force_login(other_session_student)
    assert client.get(url).status_code == 404


def test_expired_recordings_are_unavailable_and_then_deleted(client, uploaded, student):
    paths = [chunk.file.name for chunk in uploaded.chunks.all()]
    storage = uploaded.chunks.first().file.storage
    assert all(storage.exists(path) for path in paths)
    Recording.objects.filter(pk=uploaded.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    client.force_login(student)
    assert client.get(reverse("sessions_app:recording_play", args=[uploaded.pk])).status_code == 404
    assert delete_expired_recordings() == 1
    assert not Recording.objects.exists() and not RecordingChunk.objects.exists()
    assert not any(storage.exists(path) for path in paths)
    assert recordings_delete_expired() == 0


def test_recordings_expire_after_the_retention_period(recording, settings):
    assert recording.expires_at == recording.session.ends_at + dt.timedelta(days=settings.RECORDING_RETENTION_DAYS)
