"""Recordings: chunks uploaded while the session runs, who may watch, streaming them back, and expiry.

The mentor's browser records and POSTs a chunk every few seconds. Chunks are separate objects in private storage
(local disk in development, S3 in production, neither of which appends), and playback streams them in order as
one WebM file, with byte ranges so the player can seek.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sessions_app.models import Booking
from sessions_app.models.room import Recording, RecordingChunk

logger = logging.getLogger(__name__)

# The recorder's last chunks arrive after "stop" (the browser flushes, retries): accepted this long.
LATE_CHUNK_WINDOW = dt.timedelta(minutes=2)
ACCEPTED_CONTENT_TYPES = ("video/webm", "audio/webm")
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"
STREAM_BLOCK_BYTES = 256 * 1024
VIEWING_BOOKING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def recording_chunk_append(
    *,
    recording_id: int,
    session_id: int,
    uploader: User,
    sequence: int,
    data: bytes,
    content_type: str,
    now: dt.datetime | None = None,
) -> RecordingChunk:
    """Store one chunk of a running recording; a chunk sent twice (a retried upload) is stored once."""
    now = now or timezone.now()
    try:
        recording = Recording.objects.get(pk=recording_id, session_id=session_id)
    except Recording.DoesNotExist:
        raise Http404 from None
    if recording.started_by_id != uploader.pk:
        raise PermissionDenied
    if recording.stopped_at is not None and now > recording.stopped_at + LATE_CHUNK_WINDOW:
        raise ValidationError(_("This recording has ended."), code="closed")
    if content_type.split(";")[0].strip().lower() not in ACCEPTED_CONTENT_TYPES:
        raise ValidationError(_("Recordings are WebM video."), code="content_type")
    if not data or len(data) > settings.RECORDING_CHUNK_MAX_BYTES:
        raise ValidationError(_("This part of the recording is empty or too large."), code="size")
    if sequence == 0 and not data.startswith(WEBM_MAGIC):
        raise ValidationError(_("Recordings are WebM video."), code="content_type")
    existing = RecordingChunk.objects.filter(recording=recording, sequence=sequence).first()
    if existing is not None:
        return existing
    chunk = RecordingChunk(recording=recording, sequence=sequence, size_bytes=len(data))
    # The object is written before the row: a failed insert leaves a file we delete, never a row without a file.
    chunk.file.save(f"{sequence:06d}.webm", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            chunk.save()
            Recording.objects.filter(pk=recording.pk).update(
                size_bytes=F("size_bytes") + len(data), chunk_count=F("chunk_count") + 1
            )
    except IntegrityError:
        chunk.file.delete(save=False)
        return RecordingChunk.objects.get(recording=recording, sequence=sequence)
    return chunk


def _guardian_student_ids(user: User) -> set[int]:
    from accounts.models import GuardianConsent

    return set(
        GuardianConsent.objects.filter(
            guardian_email__iexact=user.email, status=GuardianConsent.Status.GRANTED
        ).values_list("student_id", flat=True)
    )


def viewable_recordings_q(user: User, now: dt.datetime) -> Q:
    """Recordings ``user`` may watch: of sessions they hosted or attended, or a minor in their care attended."""
    students = {user.pk} | _guardian_student_ids(user)
    attended = Booking.objects.filter(student__in=students, status__in=VIEWING_BOOKING_STATUSES).values("session_id")
    return Q(expires_at__gt=now) & (Q(session__mentor=user) | Q(session__in=attended))


def get_recording_for_viewer(user: User, recording_id: int, now: dt.datetime | None = None) -> Recording:
    """The recording if ``user`` may watch it now; 404 for everyone else (its existence is not revealed)."""
    now = now or timezone.now()
    if not user.is_authenticated:
        raise Http404
    recording = Recording.objects.filter(viewable_recordings_q(user, now), pk=recording_id).first()
    if recording is None or recording.size_bytes == 0:
        raise Http404
    return recording


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str, size: int) -> ByteRange | None:
    """The first range of a ``Range: bytes=…`` header, clipped to the file; None when absent or unsatisfiable."""
    if not header.startswith("bytes=") or size == 0:
        return None
    first = header[len("bytes=") :].split(",")[0].strip()
    start_text, _sep, end_text = first.partition("-")
    try:
        if start_text == "":
            suffix = int(end_text)
            if suffix <= 0:
                return None
            return ByteRange(max(size - suffix, 0), size - 1)
        start = int(start_text)
        end = int(end_text) if end_text else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return None
    return ByteRange(start, min(end, size - 1))


def recording_stream(recording: Recording, byte_range: ByteRange | None = None) -> Iterator[bytes]:
    """The recording's bytes in order (only those in ``byte_range``), read block by block from storage."""
    start = byte_range.start if byte_range else 0
    end = byte_range.end if byte_range else recording.size_bytes - 1
    offset = 0
    for chunk in recording.chunks.order_by("sequence").only("file", "size_bytes"):
        chunk_start, chunk_end = offset, offset + chunk.size_bytes - 1
        offset += chunk.size_bytes
        if chunk_end < start:
            continue
        if chunk_start > end:
            break
        skip = max(start - chunk_start, 0)
        remaining = min(end, chunk_end) - max(start, chunk_start) + 1
        with chunk.file.open("rb") as handle:
            handle.seek(skip)
            while remaining > 0:
                block = handle.read(min(STREAM_BLOCK_BYTES, remaining))
                if not block:
                    break
                remaining -= len(block)
                yield block


def recordings_delete_expired(*, now: dt.datetime | None = None) -> int:
    """Delete recordings past their expiry date: every stored chunk, then the rows. Returns how many."""
    now = now or timezone.now()
    deleted = 0
    for recording in Recording.objects.filter(expires_at__lte=now).iterator():
        for chunk in recording.chunks.all():
            chunk.file.delete(save=False)
        recording.delete()
        deleted += 1
    if deleted:
        logger.info("Deleted %s expired recordings", deleted)
    return deleted
