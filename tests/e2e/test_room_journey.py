"""The live room in two real Chromium contexts with fake camera and microphone (see tests/e2e/conftest.py)."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from sessions_app.models import Recording, RoomConsent, Session, SessionMessage, Tip
from sessions_app.room.recording import WEBM_MAGIC
from tests.factories import BookingFactory, UserFactory, live_group_session, minor_user

pytestmark = pytest.mark.e2e

CONNECTED_TIMEOUT = 20_000


def sign_in(context: BrowserContext, live_server, user) -> None:
    """Give the browser a signed-in session cookie for `user` (the sign-in form has its own journeys)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def enter_room(page: Page, session: Session, *, asked_to_consent: bool = False) -> None:
    page.goto(f"/sessions/{session.pk}/room/")
    expect(page.get_by_test_id("lobby")).to_be_visible()
    expect(page.get_by_test_id("local-video")).to_have_js_property("readyState", 4, timeout=10_000)
    if asked_to_consent:
        page.get_by_label("I agree that this session may be recorded").check()
    else:
        expect(page.get_by_test_id("recording-consent")).to_be_hidden()
    page.get_by_test_id("join").click()
    expect(page.get_by_test_id("room")).to_have_attribute("data-phase", "live")


def remote_tile(page: Page):
    return page.get_by_test_id("remote-tile")


def expect_video_flowing(page: Page) -> None:
    tile = remote_tile(page)
    expect(tile).to_have_attribute("data-state", "connected", timeout=CONNECTED_TIMEOUT)
    expect(tile).to_have_attribute("data-frames", "yes", timeout=CONNECTED_TIMEOUT)
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=remote-tile] video');"
        " return v && v.videoWidth > 0 && v.videoHeight > 0; }",
        timeout=CONNECTED_TIMEOUT,
    )


@pytest.fixture
def second_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_mentor_and_student_meet_chat_share_tip_end_and_review(page, second_context, live_server):
    session = live_group_session(starts_in_minutes=-2, title="Circular motion clinic")
    mentor = session.mentor
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)
    sign_in(page.context, live_server, mentor)
    student_page = second_context.new_page()
    sign_in(second_context, live_server, student)

    # Nobody records an adults' session unless the mentor turns recording on, so nobody is asked to agree.
    enter_room(page, session)
    enter_room(student_page, session)
    assert not RoomConsent.objects.filter(session=session).exists()

    # Both reach "connected" and decode the other's (fake) camera.
    expect_video_flowing(page)
    expect_video_flowing(student_page)
    expect(page.get_by_test_id("quality")).not_to_have_attribute("data-quality", "unknown", timeout=10_000)

    # Chat travels both ways through the server.
    student_page.get_by_test_id("chat-input").fill("Why is the normal force not doing work?")
    student_page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-log")).to_contain_text("Why is the normal force not doing work?")
    expect(page.get_by_test_id("chat-log")).to_contain_text("Asha R.")

    # The mentor shares the screen: the student's tile says so and keeps receiving frames; then it stops.
    page.get_by_test_id("toggle-screen").click()
    expect(page.get_by_test_id("toggle-screen")).to_have_attribute("aria-pressed", "true")
    expect(remote_tile(student_page)).to_have_attribute("data-screen", "on")
    student_page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=remote-tile] video');"
        " return new Promise(resolve => v.requestVideoFrameCallback(() => resolve(true))); }"
    )
    page.get_by_test_id("toggle-screen").click()
    expect(remote_tile(student_page)).to_have_attribute("data-screen", "off")

    # A tip through the test checkout, opened in a new tab; it shows in both chats and in the mentor's balance.
    student_page.get_by_text("₹100", exact=True).click()
    student_page.get_by_label("Message (optional)").fill("Thank you!")
    with second_context.expect_page() as checkout_info:
        student_page.get_by_test_id("tip-submit").click()
    checkout = checkout_info.value
    checkout.get_by_label("Payment succeeds").check()
    checkout.get_by_role("button", name="Pay ₹100").click()
    expect(checkout.get_by_test_id("tip-done")).to_have_attribute("data-status", "paid")
    checkout.close()
    for room_page in (page, student_page):
        expect(room_page.locator("[data-kind=tip]")).to_contain_text("Asha R. sent a tip of ₹100")
        expect(room_page.locator("[data-kind=tip]")).to_contain_text("Thank you!")
    assert Tip.objects.get(session=session).status == Tip.Status.PAID

    # The mentor ends the session for everyone.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("end-session").click()
    expect(page.get_by_test_id("ended")).to_be_visible()
    expect(student_page.get_by_test_id("ended")).to_be_visible()
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED

    earnings = page.context.new_page()
    earnings.goto("/payments/earnings/")
    # The app runs in its own server process with the real tax settings: without a PAN on file 5 % of the tip is
    # withheld (section 206AA), so ₹95 of the ₹100 is payable.
    expect(earnings.get_by_test_id("balance-available")).to_have_text("₹95")
    earnings.close()

    # The student rates the session; the review appears on the mentor's public profile.
    student_page.get_by_test_id("after-session-link").click()
    student_page.get_by_test_id("rate-session").click()
    student_page.get_by_label("5 stars").check()
    student_page.get_by_label("Your review").fill("Finally understood centripetal force.")
    student_page.get_by_test_id("review-submit").click()
    expect(student_page.get_by_test_id("review-box")).to_contain_text("5/5")
    student_page.goto(f"/mentor/{mentor.mentor_profile.slug}/")
    expect(student_page.locator("#reviews")).to_contain_text("Finally understood centripetal force.")
    expect(student_page.locator("#reviews")).to_contain_text("Asha")


def test_a_user_who_did_not_book_is_refused(page, live_server):
    session = live_group_session(starts_in_minutes=-2)
    outsider = UserFactory()
    sign_in(page.context, live_server, outsider)
    response = page.goto(f"/sessions/{session.pk}/room/")
    assert response.status == 403
    expect(page.get_by_test_id("lobby")).to_have_count(0)
    # The socket refuses too, whatever the page did.
    code = page.evaluate(
        """(sessionId) => new Promise((resolve) => {
            const ws = new WebSocket(`ws://${location.host}/ws/sessions/${sessionId}/?peer=0123456789abcdef`);
            ws.onclose = (event) => resolve(event.code);
        })""",
        session.pk,
    )
    assert code == 4403


def test_a_session_with_a_minor_is_recorded_from_the_mentors_browser(page, second_context, live_server):
    session = live_group_session(starts_in_minutes=-2)
    minor = minor_user(full_name="Ravi Teja")
    BookingFactory(session=session, student=minor)
    sign_in(page.context, live_server, session.mentor)
    student_page = second_context.new_page()
    sign_in(second_context, live_server, minor)

    enter_room(page, session, asked_to_consent=True)
    enter_room(student_page, session, asked_to_consent=True)
    expect_video_flowing(student_page)
    # Recording starts by itself, everyone sees it, and the mentor cannot stop it.
    expect(student_page.get_by_test_id("recording-indicator")).to_be_visible()
    expect(page.get_by_test_id("recording-indicator")).to_be_visible()
    expect(page.get_by_test_id("toggle-recording")).to_be_disabled()
    expect(student_page.get_by_test_id("tip-panel")).to_have_count(0)

    recording = Recording.objects.get(session=session)
    deadline = time.monotonic() + 20
    while recording.chunk_count < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        recording.refresh_from_db()
    assert recording.chunk_count >= 2
    first = recording.chunks.get(sequence=0)
    assert (live_server.private_root / first.file.name).read_bytes()[:4] == WEBM_MAGIC

    response = student_page.request.get(f"/recordings/{recording.pk}/", headers={"Range": "bytes=0-99"})
    assert response.status == 206 and response.body()[:4] == WEBM_MAGIC
    for chunk in recording.chunks.all():
        (live_server.private_root / chunk.file.name).unlink()


# Lets the test cut the page's signalling socket as a network blip would (the header's notification socket is
# another WebSocket on the page, left alone).
TRACK_SOCKETS = """
window.__sockets = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    if (String(args[0]).includes("/ws/sessions/")) window.__sockets.push(this);
  }
};
"""


def test_a_dropped_socket_reconnects_and_the_call_carries_on(page, second_context, live_server):
    session = live_group_session(starts_in_minutes=-2)
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)
    sign_in(page.context, live_server, session.mentor)
    second_context.add_init_script(TRACK_SOCKETS)
    student_page = second_context.new_page()
    sign_in(second_context, live_server, student)
    enter_room(page, session)
    enter_room(student_page, session)
    expect_video_flowing(student_page)
    page.get_by_test_id("chat-input").fill("Before the blip")
    page.get_by_test_id("chat-send").click()
    expect(student_page.get_by_test_id("chat-log")).to_contain_text("Before the blip")

    student_page.evaluate("window.__sockets.at(-1).close()")
    # close() is asynchronous: the badge can still read "open" for a moment, so wait for the new socket first.
    deadline = time.monotonic() + 15
    while student_page.evaluate("window.__sockets.length") < 2 and time.monotonic() < deadline:
        student_page.wait_for_timeout(100)
    expect(student_page.get_by_test_id("connection")).to_have_attribute("data-connection", "open", timeout=15_000)
    assert student_page.evaluate("window.__sockets.length") == 2

    # Same peer, same call: the media path was never torn down and the chat history came back.
    expect(remote_tile(page)).to_have_count(1)
    expect(remote_tile(page)).to_have_attribute("data-state", "connected")
    expect(student_page.get_by_test_id("chat-message")).to_have_count(1)
    student_page.get_by_test_id("chat-input").fill("After the blip")
    student_page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-log")).to_contain_text("After the blip")
    student_page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=remote-tile] video');"
        " return new Promise(resolve => v.requestVideoFrameCallback(() => resolve(true))); }"
    )


# Records every state the connection badge shows, and every socket the page opens.
WATCH_CONNECTION = TRACK_SOCKETS + """
window.__badgeStates = [];
new MutationObserver(() => {
  const badge = document.querySelector("[data-testid=connection]");
  const state = badge && badge.getAttribute("data-connection");
  if (state && window.__badgeStates.at(-1) !== state) window.__badgeStates.push(state);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-connection"], childList: true });
"""


def test_two_peers_idle_for_a_minute_stay_connected_and_chat_still_arrives(page, second_context, live_server):
    session = live_group_session(starts_in_minutes=-2)
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)
    sign_in(page.context, live_server, session.mentor)
    page.context.add_init_script(WATCH_CONNECTION)
    second_context.add_init_script(WATCH_CONNECTION)
    student_page = second_context.new_page()
    sign_in(second_context, live_server, student)
    enter_room(page, session)
    enter_room(student_page, session)
    expect_video_flowing(student_page)
    for room_page in (page, student_page):
        expect(room_page.get_by_test_id("connection")).to_have_attribute("data-connection", "open")
        expect(room_page.get_by_test_id("connection")).to_have_text("Connected")

    # A minute of silence: nobody types, only the page's own pings cross the socket.
    page.wait_for_timeout(60_000)

    for room_page in (page, student_page):
        states = room_page.evaluate("window.__badgeStates")
        assert "reconnecting" not in states and states[-1] == "open", states
        assert room_page.evaluate("window.__sockets.length") == 1
        expect(room_page.get_by_test_id("connection")).to_have_text("Connected")
    student_page.get_by_test_id("chat-input").fill("Are you still there?")
    student_page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-log")).to_contain_text("Are you still there?")


def test_chat_times_are_24_hour_in_the_viewers_zone(page, live_server):
    session = live_group_session(starts_in_minutes=-2)
    SessionMessage.objects.create(session=session, sender=session.mentor, text="Welcome, everyone")
    # 08:04 UTC is 13:34 in Kolkata, the viewer's zone: "01:34 PM" on a 12-hour clock.
    SessionMessage.objects.filter(session=session).update(created_at=dt.datetime(2026, 12, 4, 8, 4, tzinfo=dt.UTC))
    sign_in(page.context, live_server, session.mentor)
    enter_room(page, session)
    message = page.get_by_test_id("chat-message")
    expect(message).to_contain_text("Welcome, everyone")
    expect(message.locator("time")).to_have_text("13:34")


def test_members_already_in_the_room_are_asked_to_agree_when_the_mentor_starts_recording(
    page, second_context, live_server
):
    session = live_group_session(starts_in_minutes=-2)
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)
    sign_in(page.context, live_server, session.mentor)
    student_page = second_context.new_page()
    sign_in(second_context, live_server, student)
    enter_room(page, session)
    enter_room(student_page, session)
    expect_video_flowing(student_page)
    expect(student_page.get_by_test_id("consent-prompt")).to_be_hidden()

    page.get_by_test_id("toggle-recording").click()
    prompt = student_page.get_by_test_id("consent-prompt")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("This session is now being recorded")
    # Until the student agrees, their camera and microphone are off, for everyone.
    expect(student_page.get_by_test_id("toggle-audio")).to_have_attribute("aria-pressed", "true")
    expect(student_page.get_by_test_id("toggle-video")).to_have_attribute("aria-pressed", "true")
    expect(student_page.get_by_test_id("toggle-audio")).to_be_disabled()
    assert not RoomConsent.objects.filter(session=session, user=student).exists()

    student_page.get_by_test_id("consent-agree").click()
    expect(prompt).to_be_hidden()
    expect(student_page.get_by_test_id("toggle-audio")).to_have_attribute("aria-pressed", "false")
    expect(student_page.get_by_test_id("toggle-video")).to_have_attribute("aria-pressed", "false")
    assert RoomConsent.objects.filter(session=session, user=student).exists()
    assert RoomConsent.objects.filter(session=session, user=session.mentor).exists()
    page.get_by_test_id("toggle-recording").click()
    expect(page.get_by_test_id("recording-indicator")).to_be_hidden()
    for recording in Recording.objects.filter(session=session):
        for chunk in recording.chunks.all():
            chunk.file.delete(save=False)
