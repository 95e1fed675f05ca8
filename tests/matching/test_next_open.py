"""The mentor card's next open slot: stored on the search document, shown in the viewer's zone, kept current."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse

from accounts.timezones import TIME_ZONE_COOKIE_NAME
from matching import tasks
from matching.models import MentorSearchDocument
from matching.services import search_document_refresh, search_documents_rebuild
from mentors import hooks
from sessions_app import services as sessions
from tests.factories import language, mentor_with_weekly_hours, student_with_profile

pytestmark = pytest.mark.django_db

URL = reverse("matching:search")
# A Friday evening in India; the mentor is open on Saturdays 09:00–11:00 India time.
NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
SATURDAY = 5


def saturday_mentor(**fields):
    mentor = mentor_with_weekly_hours(
        weekdays=(SATURDAY,), start="09:00", end="11:00", offered_durations=[60], user__languages=["hi", "en"],
        **fields,
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        search_document_refresh(mentor_id=mentor.pk)
    return mentor


def next_open_text(client, **cookies) -> str:
    for name, value in cookies.items():
        client.cookies[name] = value
    content = client.get(URL).content.decode()
    return re.search(r"<p [^>]*data-next-open>([^<]*)</p>", content).group(1)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_card_shows_the_next_slot_in_the_viewers_zone(client, now):
    saturday_mentor()
    assert MentorSearchDocument.objects.get().next_open_at == dt.datetime(2026, 12, 5, 3, 30, tzinfo=dt.UTC)
    assert next_open_text(client) == "Next: Sat 5 Dec, 09:00"  # the site's zone, India
    # Same data version, another zone: its own cached card, not India's.
    assert next_open_text(client, **{TIME_ZONE_COOKIE_NAME: "America/New_York"}) == "Next: Fri 4 Dec, 22:30"
    assert next_open_text(client, **{TIME_ZONE_COOKIE_NAME: "Asia/Kolkata"}) == "Next: Sat 5 Dec, 09:00"


def test_a_mentor_without_open_times_says_so(client, now):
    mentor_with_weekly_hours(weekdays=(), user__languages=["hi", "en"])
    saturday_mentor(minimum_notice_hours=24 * 15)  # nothing bookable in the next fortnight
    search_documents_rebuild()
    texts = re.findall(r"<p [^>]*data-next-open>([^<]*)</p>", client.get(URL).content.decode())
    assert texts == ["No open times this fortnight"] * 2


def test_booking_the_slot_moves_the_card_to_the_next_one(client, now, django_capture_on_commit_callbacks):
    mentor = saturday_mentor()
    assert next_open_text(client) == "Next: Sat 5 Dec, 09:00"
    with django_capture_on_commit_callbacks(execute=True):
        sessions.booking_hold_one_to_one(
            student=student_with_profile(),
            mentor=mentor,
            starts_at=dt.datetime(2026, 12, 5, 3, 30, tzinfo=dt.UTC),
            duration_minutes=60,
            session_type="academic_guidance",
            language=language("en"),
            questionnaire=sessions.Questionnaire(purpose="Board exam plan"),
        )
    assert next_open_text(client) == "Next: Sat 5 Dec, 10:00"


def test_the_sweep_refreshes_a_slot_that_has_passed(client, now, django_capture_on_commit_callbacks):
    saturday_mentor()
    other = saturday_mentor()
    MentorSearchDocument.objects.filter(pk=other.pk).update(next_open_at=NOW + dt.timedelta(days=3))
    now.move_to(dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC))  # Saturday 11:30 in India: today's hours are over
    assert next_open_text(client) == "Next: Sat 5 Dec, 09:00"  # stale until the sweep

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.refresh_next_open_slots() == 1  # only the passed one; the other's stored time is still ahead
    stored = dict(MentorSearchDocument.objects.values_list("pk", "next_open_at"))
    assert stored[other.pk] == NOW + dt.timedelta(days=3)
    texts = re.findall(r"<p [^>]*data-next-open>([^<]*)</p>", client.get(URL).content.decode())
    assert "Next: Sat 12 Dec, 09:00" in texts


def test_the_slot_is_written_in_the_interface_language(client, now, settings):
    saturday_mentor()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    text = next_open_text(client)
    assert text.startswith("अगला: ") and text.endswith(", 09:00")
    assert "Sat" not in text and "Dec" not in text


def test_a_failing_slot_refresh_never_fails_the_booking_it_follows(now, django_capture_on_commit_callbacks, caplog):
    mentor = saturday_mentor()

    def broken_listener(mentor_user_id: int) -> None:
        raise RuntimeError("search document store unavailable")

    hooks.register_booked_times_changed_listener(broken_listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            booking = sessions.booking_hold_one_to_one(
                student=student_with_profile(),
                mentor=mentor,
                starts_at=dt.datetime(2026, 12, 5, 3, 30, tzinfo=dt.UTC),
                duration_minutes=60,
                session_type="academic_guidance",
                language=language("en"),
                questionnaire=sessions.Questionnaire(purpose="Board exam plan"),
            )
    finally:
        hooks._booked_times_changed_listeners.remove(broken_listener)
    assert booking.pk is not None
    assert "search document store unavailable" in caplog.text
