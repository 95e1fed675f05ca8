"""The room's WebSocket on the real Redis channel layer (WebsocketCommunicator, real database)."""

import asyncio
import json
import math
import secrets
import time

import pytest
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from mentorship.asgi import application
from mentorship.routing import websocket_urlpatterns
from sessions_app import services
from sessions_app.models import Booking, Recording, RoomVisit, Session, SessionMessage
from sessions_app.room import services as room_services
from sessions_app.room.chat_safety import MASK
from sessions_app.room.services import (
    CLOSE_CONSENT,
    CLOSE_ENDED,
    CLOSE_NOT_MEMBER,
    CLOSE_NOT_OPEN,
    CLOSE_REPLACED,
    CLOSE_SIGN_IN,
)
from tests.factories import (
    BookingFactory,
    UserFactory,
    live_group_session,
    minor_user,
    room_consent,
    room_member,
)

pytestmark = pytest.mark.django_db(transaction=True)

router = URLRouter(websocket_urlpatterns)
QUIET = 0.3


def _communicator(user, session_id, token=None):
    path = f"/ws/sessions/{session_id}/?peer={token or secrets.token_hex(8)}"
    communicator = WebsocketCommunicator(router, path)
    communicator.scope["user"] = user
    return communicator


async def join(user, session, token=None):
    """Connect as `user` and return (communicator, welcome)."""
    communicator = _communicator(user, session.pk, token)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    welcome = await communicator.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return communicator, welcome


async def expect_refused(user, session_id, code):
    communicator = _communicator(user, session_id)
    await communicator.connect(timeout=5)
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": code}
    await communicator.disconnect()


async def next_of_type(communicator, kind, timeout=3):
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message


async def group_size(session_id) -> int:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        return await client.zcard(f"peerlearn-{settings.PEERLEARN_ENV}:group:room.{session_id}")
    finally:
        await client.aclose()


@pytest.fixture
def session():
    """A group session that started five minutes ago."""
    return live_group_session(starts_in_minutes=-5)


@pytest.fixture
def mentor(session):
    room_consent(session, session.mentor)
    return session.mentor


@pytest.fixture
def student(session):
    return room_member(session)


# --- who gets in -----------------------------------------------------------------------------------------------


async def test_outsider_is_refused_and_never_joins_the_group(session, mentor):
    outsider = await sync_to_async(UserFactory)()
    await expect_refused(outsider, session.pk, CLOSE_NOT_MEMBER)
    assert await group_size(session.pk) == 0


async def test_anonymous_visitor_is_refused(session):
    from django.contrib.auth.models import AnonymousUser

    await expect_refused(AnonymousUser(), session.pk, CLOSE_SIGN_IN)


async def test_unconfirmed_student_is_refused(session):
    pending = await sync_to_async(UserFactory)()
    await sync_to_async(BookingFactory)(
        session=session, student=pending, status="pending_payment", hold_expires_at=session.starts_at
    )
    await sync_to_async(room_consent)(session, pending)
    await expect_refused(pending, session.pk, CLOSE_NOT_MEMBER)


async def test_early_arrival_is_refused_until_ten_minutes_before():
    early = await sync_to_async(live_group_session)(starts_in_minutes=30)
    member = await sync_to_async(room_member)(early)
    await expect_refused(member, early.pk, CLOSE_NOT_OPEN)
    assert await group_size(early.pk) == 0


async def test_member_joins_without_recording_consent_when_nothing_can_be_recorded(session):
    student = await sync_to_async(UserFactory)()
    await sync_to_async(BookingFactory)(session=session, student=student)
    communicator, welcome = await join(student, session)
    assert welcome["recording"]["active"] is False
    await communicator.disconnect()


async def test_member_without_recording_consent_is_refused_when_a_minor_is_present(session):
    student = await sync_to_async(UserFactory)()
    await sync_to_async(BookingFactory)(session=session, student=student)
    await sync_to_async(BookingFactory)(session=session, student=await sync_to_async(minor_user)())
    await expect_refused(student, session.pk, CLOSE_CONSENT)


async def test_member_without_recording_consent_is_refused_while_recording_runs(session, mentor):
    student = await sync_to_async(UserFactory)()
    await sync_to_async(BookingFactory)(session=session, student=student)
    mentor_socket, _ = await join(mentor, session)
    await mentor_socket.send_json_to({"type": "record", "action": "start"})
    assert (await next_of_type(mentor_socket, "recording"))["active"] is True
    await expect_refused(student, session.pk, CLOSE_CONSENT)
    await mentor_socket.disconnect()


async def test_session_cookie_authenticates_through_the_real_asgi_stack(session, student):
    client = Client()
    await sync_to_async(client.force_login)(student)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    communicator = WebsocketCommunicator(
        application, f"/ws/sessions/{session.pk}/?peer={secrets.token_hex(8)}", headers=headers
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "welcome"
    await communicator.disconnect()


async def test_mentor_entering_takes_the_session_live_and_attendance_is_recorded(session, mentor):
    communicator, welcome = await join(mentor, session)
    assert welcome["media_mode"] == "video" and welcome["room_mode"] == "mesh"
    refreshed = await sync_to_async(Session.objects.get)(pk=session.pk)
    assert refreshed.status == Session.Status.LIVE
    await communicator.send_json_to({"type": "leave"})
    assert (await communicator.receive_output(timeout=3))["type"] == "websocket.close"
    visit = await sync_to_async(RoomVisit.objects.get)(session=session, user=mentor)
    assert visit.left_at is not None and visit.left_at >= visit.joined_at


# --- presence and signalling -----------------------------------------------------------------------------------


async def test_members_see_each_other_join_and_leave(session, mentor, student):
    mentor_socket, _ = await join(mentor, session)
    student_socket, welcome = await join(student, session)
    assert [peer["name"] for peer in welcome["peers"]] == [mentor.get_full_name()]
    assert welcome["peers"][0]["is_mentor"] is True

    joined = await next_of_type(mentor_socket, "peer_joined")
    assert joined["peer"]["peer_id"] == welcome["peer_id"]
    # Members are known by a per-room pseudonym, never by their account id.
    assert "channel" not in joined["peer"] and "user_id" not in joined["peer"]
    assert not welcome["peer_id"].startswith(f"{student.pk}.")

    await student_socket.send_json_to({"type": "leave"})
    left = await next_of_type(mentor_socket, "peer_left")
    assert left == {"type": "peer_left", "peer_id": welcome["peer_id"], "reason": "left"}
    await mentor_socket.disconnect()


async def test_offer_is_relayed_only_to_its_target_inside_the_room(session, mentor, student):
    other_student = await sync_to_async(room_member)(session)
    mentor_socket, mentor_welcome = await join(mentor, session)
    student_socket, student_welcome = await join(student, session)
    bystander, _ = await join(other_student, session)
    await next_of_type(mentor_socket, "peer_joined")
    await next_of_type(mentor_socket, "peer_joined")
    await next_of_type(student_socket, "peer_joined")

    offer = {"type": "offer", "to": mentor_welcome["peer_id"], "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
    await student_socket.send_json_to(offer)
    relayed = await next_of_type(mentor_socket, "offer")
    assert relayed == {
        "type": "offer",
        "sdp": offer["sdp"],
        "from": student_welcome["peer_id"],
    }
    assert await bystander.receive_nothing(timeout=QUIET)
    for socket in (mentor_socket, student_socket, bystander):
        await socket.disconnect()


async def test_nothing_leaks_into_another_room(session, mentor, student):
    elsewhere = await sync_to_async(live_group_session)(starts_in_minutes=-5)
    outsider_member = await sync_to_async(room_member)(elsewhere)
    other_socket, _ = await join(outsider_member, elsewhere)
    mentor_socket, mentor_welcome = await join(mentor, session)
    student_socket, _ = await join(student, session)
    await student_socket.send_json_to({"type": "chat", "text": "Only for this room"})
    await next_of_type(mentor_socket, "chat")

    # A peer id of another room is unknown here: the offer is refused, not delivered.
    other_peer = await sync_to_async(lambda: RoomVisit.objects.get(user=outsider_member).peer_id)()
    await student_socket.send_json_to({"type": "offer", "to": other_peer, "sdp": "v=0"})
    assert (await next_of_type(student_socket, "error"))["code"] == "peer_gone"
    assert await other_socket.receive_nothing(timeout=QUIET)
    for socket in (other_socket, mentor_socket, student_socket):
        await socket.disconnect()


async def test_media_and_screen_state_reach_the_others(session, mentor, student):
    mentor_socket, _ = await join(mentor, session)
    student_socket, welcome = await join(student, session)
    await next_of_type(mentor_socket, "peer_joined")
    await student_socket.send_json_to({"type": "media", "audio": False, "video": True})
    assert await next_of_type(mentor_socket, "peer_media") == {
        "type": "peer_media",
        "peer_id": welcome["peer_id"],
        "audio": False,
        "video": True,
    }
    await student_socket.send_json_to({"type": "screen", "on": True})
    assert (await next_of_type(mentor_socket, "peer_screen"))["on"] is True
    await mentor_socket.disconnect()
    await student_socket.disconnect()


async def test_a_second_tab_replaces_the_first(session, student):
    first, _ = await join(student, session)
    second, welcome = await join(student, session)
    assert (await first.receive_output(timeout=3)) == {"type": "websocket.close", "code": CLOSE_REPLACED}
    assert welcome["peers"] == []
    await second.disconnect()


async def test_a_cancelled_booking_closes_the_students_open_socket():
    session = await sync_to_async(live_group_session)(starts_in_minutes=5)
    await sync_to_async(room_consent)(session, session.mentor)
    student = await sync_to_async(room_member)(session)
    mentor_socket, _ = await join(session.mentor, session)
    student_socket, _ = await join(student, session)
    await next_of_type(mentor_socket, "peer_joined")
    booking = await sync_to_async(Booking.objects.get)(session=session, student=student)
    await sync_to_async(services.booking_cancel)(booking=booking, actor=student)
    assert await student_socket.receive_output(timeout=3) == {"type": "websocket.close", "code": CLOSE_NOT_MEMBER}
    assert (await next_of_type(mentor_socket, "peer_left"))["reason"] == "left"
    await student_socket.send_json_to({"type": "chat", "text": "still listening?"})
    assert await mentor_socket.receive_nothing(timeout=QUIET)
    assert not await sync_to_async(SessionMessage.objects.filter(session=session).exists)()
    await mentor_socket.disconnect()


async def test_above_four_video_senders_only_the_mentor_sends_video(session, mentor, student):
    for _ in range(4):
        await sync_to_async(room_member)(session)
    mentor_socket, mentor_welcome = await join(mentor, session)
    student_socket, student_welcome = await join(student, session)
    assert (mentor_welcome["room_mode"], mentor_welcome["media_mode"]) == ("presenter", "video")
    assert (student_welcome["room_mode"], student_welcome["media_mode"]) == ("presenter", "audio")
    await student_socket.send_json_to({"type": "screen", "on": True})
    assert (await next_of_type(student_socket, "error"))["code"] == "not_allowed"
    await mentor_socket.send_json_to({"type": "screen", "on": True})
    assert (await next_of_type(student_socket, "peer_screen"))["on"] is True
    await mentor_socket.disconnect()
    await student_socket.disconnect()


# --- chat ------------------------------------------------------------------------------------------------------


async def test_chat_is_stored_broadcast_and_replayed_on_reconnect(session, mentor, student):
    mentor_socket, _ = await join(mentor, session)
    token = secrets.token_hex(8)
    student_socket, _ = await join(student, session, token)
    await student_socket.send_json_to({"type": "chat", "text": "  <b>Why</b> is friction constant?  "})
    seen_by_mentor = (await next_of_type(mentor_socket, "chat"))["message"]
    seen_by_student = (await next_of_type(student_socket, "chat"))["message"]
    assert seen_by_mentor == seen_by_student
    assert seen_by_mentor["text"] == "<b>Why</b> is friction constant?"
    assert "sender_id" not in seen_by_mentor and seen_by_mentor["kind"] == "text"
    # Members tell their own messages (no "Report" link) by the room pseudonym, never by the account id.
    assert seen_by_mentor["sender"] == room_services.room_pseudonym(session_id=session.pk, user_id=student.pk)
    assert str(student.pk) not in seen_by_mentor["sender"]

    stored = await sync_to_async(SessionMessage.objects.get)(session=session)
    assert stored.sender_id == student.pk and stored.text == "<b>Why</b> is friction constant?"

    await student_socket.disconnect()
    again, welcome = await join(student, session, token)
    assert [m["text"] for m in welcome["history"]] == ["<b>Why</b> is friction constant?"]
    await again.disconnect()
    await mentor_socket.disconnect()


async def test_other_students_see_a_minor_by_first_name_and_initial_only(session, mentor, student):
    minor = await sync_to_async(minor_user)(full_name="Kavya Lakshmi Rao")
    await sync_to_async(BookingFactory)(session=session, student=minor)
    await sync_to_async(room_consent)(session, minor)
    minor_socket, _ = await join(minor, session)
    await minor_socket.send_json_to({"type": "chat", "text": "hello everyone"})
    await next_of_type(minor_socket, "chat")
    student_socket, welcome = await join(student, session)
    [peer] = [p for p in welcome["peers"] if p["name"] != mentor.get_full_name()]
    assert peer["name"] == "Kavya R."
    assert [m["sender_name"] for m in welcome["history"]] == ["Kavya R."]
    assert "Kavya Lakshmi Rao" not in json.dumps(welcome)
    await minor_socket.disconnect()
    await student_socket.disconnect()


async def test_contact_details_are_hidden_for_everyone_when_a_minor_is_present(session, mentor):
    minor = await sync_to_async(minor_user)()
    await sync_to_async(BookingFactory)(session=session, student=minor)
    await sync_to_async(room_consent)(session, minor)
    mentor_socket, welcome = await join(mentor, session)
    assert welcome["recording"]["required"] is True
    await mentor_socket.send_json_to({"type": "chat", "text": "WhatsApp me on +91 98765 43210 or ravi@okaxis"})
    message = (await next_of_type(mentor_socket, "chat"))["message"]
    assert message["text"] == f"WhatsApp me on {MASK} or {MASK}"
    stored = await sync_to_async(SessionMessage.objects.get)(session=session)
    assert stored.text == message["text"] and stored.was_masked
    await mentor_socket.disconnect()


async def test_contact_details_stay_in_a_room_of_adults(session, mentor):
    mentor_socket, _ = await join(mentor, session)
    await mentor_socket.send_json_to({"type": "chat", "text": "Mail me: mentor@example.com"})
    assert (await next_of_type(mentor_socket, "chat"))["message"]["text"] == "Mail me: mentor@example.com"
    await mentor_socket.disconnect()


# --- robustness ------------------------------------------------------------------------------------------------


async def test_malformed_messages_are_dropped_without_closing_the_socket(session, mentor):
    communicator, _ = await join(mentor, session)
    frames = [
        "not json",
        "[1, 2]",
        json.dumps({"type": "nuke"}),
        json.dumps({"type": "chat", "text": ["x"]}),
        json.dumps({"type": "chat", "text": "x" * 5000}),
        "{" * 70_000,
    ]
    for frame in frames:
        await communicator.send_to(text_data=frame)
    await communicator.send_to(bytes_data=b"\x00\x01binary")
    await communicator.send_json_to({"type": "chat", "text": "still here"})
    message = await next_of_type(communicator, "chat")
    assert message["message"]["text"] == "still here"
    assert await sync_to_async(SessionMessage.objects.filter(session=session).count)() == 1
    await communicator.disconnect()


async def test_more_than_fifty_messages_a_second_are_dropped(session, mentor, student):
    mentor_socket, _ = await join(mentor, session)
    student_socket, _ = await join(student, session)
    await next_of_type(mentor_socket, "peer_joined")
    sent = 300
    started = time.monotonic()
    for index in range(sent):
        await student_socket.send_json_to({"type": "media", "audio": index % 2 == 0, "video": True})
    assert (await next_of_type(student_socket, "error"))["code"] == "rate_limited"
    delivered = 0
    last_delivery = started
    while not await mentor_socket.receive_nothing(timeout=QUIET):
        if (await mentor_socket.receive_json_from())["type"] == "peer_media":
            delivered += 1
            last_delivery = time.monotonic()
    # The bucket holds 50 and refills 50 a second for as long as the consumer was still working through the burst.
    allowed = 50 + math.ceil((last_delivery - started) * 50) + 1
    assert 50 <= delivered <= allowed < sent
    await mentor_socket.disconnect()
    await student_socket.disconnect()


async def test_a_flood_of_chat_is_limited_by_when_it_arrived_not_when_it_was_handled(session, mentor):
    communicator, _ = await join(mentor, session)
    started = time.monotonic()
    for index in range(1000):
        await communicator.send_json_to({"type": "chat", "text": f"spam {index}"})
    sent_in = time.monotonic() - started
    while not await communicator.receive_nothing(timeout=1):
        await communicator.receive_json_from()
    stored = await sync_to_async(SessionMessage.objects.filter(session=session).count)()
    assert 50 <= stored <= 50 + math.ceil(sent_in * 50) + 1 < 100
    await communicator.disconnect()


async def test_a_nul_byte_in_chat_is_refused_and_the_socket_stays_open(session, mentor):
    communicator, _ = await join(mentor, session)
    await communicator.send_json_to({"type": "chat", "text": "hi\x00there"})
    assert (await next_of_type(communicator, "error"))["code"] == "invalid_message"
    await communicator.send_json_to({"type": "chat", "text": "hi there"})
    assert (await next_of_type(communicator, "chat"))["message"]["text"] == "hi there"
    assert await sync_to_async(SessionMessage.objects.filter(session=session).count)() == 1
    await communicator.disconnect()


# --- mentor controls -------------------------------------------------------------------------------------------


async def test_students_cannot_record_or_end_the_session(session, student):
    communicator, _ = await join(student, session)
    await communicator.send_json_to({"type": "record", "action": "start"})
    assert (await next_of_type(communicator, "error"))["code"] == "not_allowed"
    await communicator.send_json_to({"type": "end"})
    assert (await next_of_type(communicator, "error"))["code"] == "not_allowed"
    assert not await sync_to_async(Recording.objects.exists)()
    await communicator.disconnect()


async def test_mentor_records_and_everyone_sees_it(session, mentor, student):
    mentor_socket, _ = await join(mentor, session)
    student_socket, _ = await join(student, session)
    await mentor_socket.send_json_to({"type": "record", "action": "start"})
    state = await next_of_type(student_socket, "recording")
    recording = await sync_to_async(Recording.objects.get)(session=session)
    assert state == {
        "type": "recording",
        "active": True,
        "recording_id": recording.pk,
        "started_by": mentor.pk,
        "required": False,
    }
    await mentor_socket.send_json_to({"type": "record", "action": "stop"})
    assert (await next_of_type(student_socket, "recording"))["active"] is False
    await mentor_socket.disconnect()
    await student_socket.disconnect()


async def test_recording_cannot_be_stopped_with_a_minor_present(session, mentor):
    minor = await sync_to_async(minor_user)()
    await sync_to_async(BookingFactory)(session=session, student=minor)
    communicator, _ = await join(mentor, session)
    await communicator.send_json_to({"type": "record", "action": "start"})
    await next_of_type(communicator, "recording")
    await communicator.send_json_to({"type": "record", "action": "stop"})
    assert (await next_of_type(communicator, "error"))["code"] == "recording_required"
    assert await sync_to_async(Recording.objects.filter(session=session, stopped_at__isnull=True).exists)()
    await communicator.disconnect()


async def test_mentor_ends_the_session_for_everyone(session, mentor, student):
    mentor_socket, _ = await join(mentor, session)
    student_socket, _ = await join(student, session)
    await asyncio.sleep(0)
    await mentor_socket.send_json_to({"type": "end"})
    assert (await next_of_type(student_socket, "ended")) == {"type": "ended"}
    assert await student_socket.receive_output(timeout=3) == {"type": "websocket.close", "code": CLOSE_ENDED}
    refreshed = await sync_to_async(Session.objects.get)(pk=session.pk)
    assert refreshed.status == Session.Status.COMPLETED
    await expect_refused(student, session.pk, CLOSE_ENDED)
    await mentor_socket.disconnect()


async def test_mentor_ends_the_session_before_its_start_once_both_have_joined():
    early = await sync_to_async(live_group_session)(starts_in_minutes=8)
    await sync_to_async(room_consent)(early, early.mentor)
    member = await sync_to_async(room_member)(early)
    mentor_socket, _ = await join(early.mentor, early)
    student_socket, _ = await join(member, early)
    await mentor_socket.send_json_to({"type": "end"})
    assert (await next_of_type(student_socket, "ended")) == {"type": "ended"}
    refreshed = await sync_to_async(Session.objects.get)(pk=early.pk)
    assert refreshed.status == Session.Status.COMPLETED
    await mentor_socket.disconnect()
    await student_socket.disconnect()
