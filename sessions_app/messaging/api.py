"""`/api/v1/messages/…`: my student–mentor threads (and, read-only, those of the minors in my care), a thread's
messages, writing in a thread, asking a mentor, a mentor opening a thread with a student who booked them, and
marking a thread read. The same services and rules as the messaging pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile

from accounts.models import User
from api.auth import ApiRequest
from api.errors import ApiError, ErrorEnvelope, form_error, from_validation_error, not_found
from api.idempotency import IdempotencyKey, run_once
from api.pagination import Page, PageParams, keyset_page, list_page
from mentors.selectors import public_profile
from sessions_app.messaging import selectors, services
from sessions_app.messaging.forms import MessageForm
from sessions_app.models import DirectMessage, MessageThread

router = Router(tags=["messages"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 422: ErrorEnvelope,
          429: ErrorEnvelope}  # fmt: skip
ThreadPath = Path(..., description="The thread's id (a UUID).")
ImageFile = File(None, description="A JPEG, PNG or WebP image of at most 5 MB.")


class PersonOut(Schema):
    id: int
    name: str


class ThreadOut(Schema):
    id: uuid.UUID
    role: str = Field(..., description="My part in the thread: student, mentor or guardian (read-only).")
    can_write: bool
    student: PersonOut
    mentor: PersonOut
    mentor_slug: str | None
    unread: int | None = Field(
        None, description="In the list: messages from the other side I have not read (none for guardians)."
    )
    last_text: str | None = Field(None, description="In the list: the latest message's text.")
    last_message_at: dt.datetime


class MessageOut(Schema):
    id: int
    kind: str
    mine: bool
    sender_id: int
    text: str
    image_url: str | None
    was_masked: bool
    removed: bool = Field(..., description="Hidden by moderation: its text and image are withheld.")
    created_at: dt.datetime


class SentOut(Schema):
    thread: ThreadOut
    message: MessageOut


def _person(user: User) -> dict:
    return {"id": user.pk, "name": user.get_public_name()}


def _thread(thread: MessageThread, viewer: User, role: str) -> dict:
    profile = getattr(thread.mentor, "mentor_profile", None) if role != "mentor" else None
    can_write = role in ("student", "mentor") and viewer.status == User.Status.ACTIVE
    return {
        "id": thread.uuid, "role": role, "can_write": can_write, "student": _person(thread.student),
        "mentor": _person(thread.mentor), "mentor_slug": profile.slug if profile is not None else None,
        "unread": getattr(thread, "unread", None), "last_text": getattr(thread, "last_text", None),
        "last_message_at": thread.last_message_at,
    }  # fmt: skip


def _access_data(access: selectors.ThreadAccess) -> dict:
    return _thread(access.thread, access.viewer, access.role)


def _message(message: DirectMessage, viewer: User) -> dict:
    removed = message.hidden_at is not None
    image_url = None
    if message.image and not removed:
        image_url = reverse("sessions_app:message_image", kwargs={"message_id": message.pk})
    return {
        "id": message.pk, "kind": message.kind, "mine": message.sender_id == viewer.pk, "sender_id": message.sender_id,
        "text": "" if removed else message.text, "image_url": image_url, "was_masked": message.was_masked,
        "removed": removed, "created_at": message.created_at,
    }  # fmt: skip


def _access(request: ApiRequest, thread_id: uuid.UUID) -> selectors.ThreadAccess:
    try:
        return selectors.get_thread_for_user(request.user, thread_id)
    except Http404:
        raise not_found() from None


def _refused(error: ValidationError) -> ApiError:
    """A service's refusal; sending too fast is a 429 like every other rate limit."""
    refused = from_validation_error(error)
    if refused.code == "rate_limited":
        refused.status = 429
    return refused


def _message_form(text: str, image: UploadedFile | None) -> MessageForm:
    files: MultiValueDict[str, Any] = MultiValueDict({"image": [image]} if image is not None else {})
    form = MessageForm({"text": text}, files)
    if not form.is_valid():
        raise form_error(form)
    return form


class MessageIn(Schema):
    text: str = Field("", max_length=services.MAX_TEXT, description="The message (may be empty with an image).")


@router.get("/messages/threads", response={200: Page[ThreadOut], **ERRORS}, operation_id="message_threads")
def message_threads(request: ApiRequest, params: Query[PageParams]):
    """My conversations with mentors or students, most recent first, with unread counts; then, read-only, those of
    the minors in my care (as their guardian)."""
    user = request.user
    rows = [(thread, selectors.thread_role(user, thread) or "student") for thread in selectors.inbox_threads(user)]
    rows += [(thread, "guardian") for thread in selectors.guardian_threads(user)]
    return list_page(rows, params, kind="threads", convert=lambda row: _thread(row[0], user, row[1]))


@router.get("/messages/threads/{thread_id}", response={200: ThreadOut, **ERRORS}, operation_id="message_thread")
def message_thread(request: ApiRequest, thread_id: uuid.UUID = ThreadPath):
    return _access_data(_access(request, thread_id))


@router.get(
    "/messages/threads/{thread_id}/messages",
    response={200: Page[MessageOut], **ERRORS},
    operation_id="message_thread_messages",
)
def message_thread_messages(request: ApiRequest, params: Query[PageParams], thread_id: uuid.UUID = ThreadPath):
    """The thread's messages, newest first (follow `next_cursor` for older ones). Reading does not mark them read:
    see `POST …/read`."""
    access = _access(request, thread_id)
    messages = DirectMessage.objects.filter(thread=access.thread)
    return keyset_page(messages, params, order=["-created_at", "-id"], kind="thread-messages",
                       convert=lambda m: _message(m, request.user))  # fmt: skip


@router.post(
    "/messages/threads/{thread_id}/messages",
    response={201: MessageOut, **ERRORS},
    operation_id="message_send",
)
def message_send(
    request: ApiRequest,
    data: Form[MessageIn],
    image: UploadedFile | None = ImageFile,
    thread_id: uuid.UUID = ThreadPath,
):
    """Write in my thread (form or multipart: `text`, and optionally `image`, a JPEG, PNG or WebP of at most 5 MB).
    Guardians can read but not write (403). Contact details are masked in a minor's thread."""
    access = _access(request, thread_id)
    if not access.can_write:
        raise ApiError(403, "read_only", _("You can read this conversation but not write in it."))
    form = _message_form(data.text, image)
    try:
        message = services.message_send(access=access, text=form.cleaned_data["text"], image=form.cleaned_data["image"])
    except ValidationError as error:
        raise _refused(error) from None
    return 201, _message(message, request.user)


@router.post("/messages/threads/{thread_id}/read", response={200: ThreadOut, **ERRORS}, operation_id="message_read")
def message_read(request: ApiRequest, thread_id: uuid.UUID = ThreadPath):
    """I have seen everything in this thread up to now (nothing is recorded for a guardian)."""
    access = _access(request, thread_id)
    services.thread_mark_read(access=access)
    return _access_data(_access(request, thread_id))


def _image_digest(image: UploadedFile | None) -> str | None:
    if image is None:
        return None
    digest = hashlib.sha256()
    for chunk in image.chunks():
        digest.update(chunk)
    image.seek(0)
    return digest.hexdigest()


@router.post("/mentors/{slug}/questions", response={201: SentOut, **ERRORS}, operation_id="message_ask")
def message_ask(
    request: ApiRequest,
    data: Form[MessageIn],
    image: UploadedFile | None = ImageFile,
    slug: str = Path(..., max_length=80),
    idempotency_key: str | None = IdempotencyKey,
):
    """Ask a mentor a question (students): continues our thread if there is one, else starts it (limited per day).
    Honours `Idempotency-Key`."""
    mentor = public_profile_or_404(slug)
    student = request.user

    def create() -> tuple[int, Any]:
        form = _message_form(data.text, image)
        try:
            message = services.thread_ask(
                student=student, mentor=mentor.user, text=form.cleaned_data["text"], image=form.cleaned_data["image"]
            )
        except ValidationError as error:
            raise _refused(error) from None
        access = selectors.get_thread_for_user(student, message.thread.uuid)
        return 201, {
            "thread": ThreadOut.model_validate(_access_data(access)).model_dump(mode="json"),
            "message": MessageOut.model_validate(_message(message, student)).model_dump(mode="json"),
        }

    body = {"slug": slug, "text": data.text, "image": _image_digest(image)}
    return run_once(request, key=idempotency_key, operation="message_ask", body=body, create=create)


def public_profile_or_404(slug: str):
    try:
        return public_profile(slug)
    except Http404:
        raise not_found() from None


@router.post(
    "/mentor/students/{student_id}/thread",
    response={200: ThreadOut, **ERRORS},
    tags=["mentor side"],
    operation_id="message_thread_start",
)
def message_thread_start(request: ApiRequest, student_id: int = Path(..., ge=1, le=2**63 - 1)):
    """Open (or return to) my thread with a student who booked a session with me (mentors)."""
    student = User.objects.filter(pk=student_id, role=User.Role.STUDENT).first()
    if student is None:
        raise not_found()
    try:
        thread = services.thread_start_by_mentor(mentor=request.user, student=student)
    except ValidationError:
        raise not_found() from None
    return _access_data(_access(request, thread.uuid))
