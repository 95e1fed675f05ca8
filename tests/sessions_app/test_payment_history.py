"""Payment history and checkout describe what was bought from stored facts (purpose, session type, mentor, start),
in the viewer's language and zone at display time; refunds show why in words, never internal text."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from payments.models import Refund
from payments.selectors import payment_subjects
from payments.services import payment_refund
from sessions_app import services
from tests.factories import PaymentFactory, UserFactory
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db
NEW_YORK = "America/New_York"


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _rows(html: str) -> list[str]:
    rows = re.findall(r'data-testid="payment-row">(.*?)</li>\s*(?=<li|\{|</ul>)', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_history_names_the_session_and_shows_its_time_in_the_viewers_zone(client, english, paid_booking, committed):
    booking = paid_booking()
    student = booking.student
    student.time_zone = NEW_YORK
    student.save(update_fields=["time_zone"])
    with committed():
        services.booking_cancel(booking=booking, actor=booking.session.mentor)
    client.force_login(student)

    html = client.get(reverse("payments:history")).content.decode()

    [row] = _rows(html)
    start = booking.session.starts_at.astimezone(student.tzinfo)
    mentor = booking.session.mentor.full_name
    assert f"Career counselling with {mentor}" in row
    assert f"{start:%a} {start.day} {start:%b %Y, %H:%M} ({NEW_YORK})" in row
    assert "Refund of ₹1,200 · Session cancelled" in row
    assert "UTC" not in html and str(booking.uuid) not in html and ": cancel" not in html
    assert f"Times are in {NEW_YORK}." in html


def test_history_is_worded_in_the_viewers_language_whatever_language_it_was_paid_in(
    client, settings, paid_booking, committed
):
    booking = paid_booking()
    with committed():
        services.booking_cancel(booking=booking, actor=booking.session.mentor)
    client.force_login(booking.student)
    for code in ("hi", "te", "ta", "bn"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        [row] = _rows(client.get(reverse("payments:history")).content.decode())
        with translation.override(code):
            session_type = translation.gettext("Career counselling")
            cancelled = translation.gettext("Session cancelled")
            title = translation.gettext("%(type)s with %(mentor)s") % {
                "type": session_type,
                "mentor": booking.session.mentor.full_name,
            }
        assert cancelled != "Session cancelled" and session_type != "Career counselling"
        assert title in row and cancelled in row
    translation.deactivate()


def test_checkout_describes_the_booking_in_the_viewers_zone(client, english, hold_slot, student):
    booking = hold_slot(student)
    payment = services.booking_start_payment(booking=booking)
    student.time_zone = NEW_YORK
    student.save(update_fields=["time_zone"])
    client.force_login(student)

    html = client.get(reverse("payments:checkout", args=[payment.pk])).content.decode()

    start = booking.session.starts_at.astimezone(student.tzinfo)
    assert f"Career counselling with {booking.session.mentor.full_name}" in html
    assert f"{start.day} {start:%b %Y, %H:%M}</time> ({NEW_YORK})" in html
    assert "UTC" not in html


def test_history_queries_do_not_grow_with_bookings_and_tips(
    client, english, paid_booking, committed, django_assert_max_num_queries
):
    first = paid_booking()
    student, mentor = first.student, first.session.mentor
    client.force_login(student)
    with django_assert_max_num_queries(12):
        client.get(reverse("payments:history"))
    for days in (3, 4, 5):
        paid_booking(starts_at=local_slot(days=days))
    PaymentFactory.create_batch(3, payer=student, payee=mentor, purpose="tip", description="stored text")
    with django_assert_max_num_queries(12):
        html = client.get(reverse("payments:history")).content.decode()
    rows = _rows(html)
    assert len(rows) == 7
    assert sum(f"Tip for {mentor.full_name}" in row for row in rows) == 3
    assert not any("stored text" in row for row in rows)


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("cancel", Refund.Kind.CANCELLATION),
        ("mentor-no-show", Refund.Kind.MENTOR_NO_SHOW),
        ("unused-41", Refund.Kind.UNUSED),
    ],
)
def test_booking_refunds_record_why_as_a_kind(paid_booking, reason, kind):
    booking = paid_booking()
    services.booking_refund_now(
        booking_id=booking.pk, payment_id=booking.payment_id, amount_paise=10_000, reason=reason
    )
    refund = Refund.objects.get(payment=booking.payment)
    assert refund.kind == kind and refund.reason == f"Booking {booking.uuid}: {reason}"


def test_support_refunds_are_labelled_as_such_and_keep_the_note_internal(client, english, paid_booking):
    booking = paid_booking()
    support = UserFactory(role="support", is_staff=True)
    services.booking_refund_by_support(
        booking=booking, actor=support, amount_paise=30_000, note="goodwill, angry parent", key="goodwill"
    )
    assert Refund.objects.get(payment=booking.payment).kind == Refund.Kind.SUPPORT
    client.force_login(booking.student)
    html = client.get(reverse("payments:history")).content.decode()
    assert "Refund of ₹300 · Refund by support" in html and "angry parent" not in html


def test_refunds_recorded_before_kinds_get_theirs_from_the_old_reason_text(paid_booking):
    migration = importlib.import_module("payments.migrations.0004_refund_kind")
    payment = paid_booking().payment
    reasons = {
        "Booking 38715ad6-1b2c-4d5e-8f90-123456789abc: cancel": Refund.Kind.CANCELLATION,
        "Booking 38715ad6-1b2c-4d5e-8f90-123456789abc: mentor-no-show": Refund.Kind.MENTOR_NO_SHOW,
        "Booking 38715ad6-1b2c-4d5e-8f90-123456789abc: unused-12": Refund.Kind.UNUSED,
        "Booking 38715ad6-1b2c-4d5e-8f90-123456789abc: goodwill": Refund.Kind.SUPPORT,
        "typed by hand in the admin": Refund.Kind.OTHER,
    }
    for number, reason in enumerate(reasons):
        payment_refund(payment=payment, amount_paise=10_000, reason=reason, idempotency_key=f"old-{number}")
    migration.kinds_from_reasons(apps, None)
    assert dict(Refund.objects.values_list("reason", "kind")) == reasons


def test_a_purpose_no_longer_registered_falls_back_to_the_stored_description(client, english):
    payment = PaymentFactory(purpose="retired-purpose", description="Old product")
    client.force_login(payment.payer)
    html = client.get(reverse("payments:history")).content.decode()
    assert "Old product" in _rows(html)[0]


def test_the_payee_reads_each_payment_from_their_side(paid_booking):
    booking = paid_booking()
    student, mentor = booking.student, booking.session.mentor
    tip = PaymentFactory(payer=student, payee=mentor, purpose="tip", description="stored text")
    payments = [booking.payment, tip]

    with translation.override("en"):
        for_student = payment_subjects(payments, viewer=student)
        for_mentor = payment_subjects(payments, viewer=mentor)

    assert for_student[booking.payment.pk].title == f"Career counselling with {mentor.full_name}"
    assert for_mentor[booking.payment.pk].title == f"Career counselling with {student.full_name}"
    assert for_student[tip.pk].title == f"Tip for {mentor.full_name}"
    assert for_mentor[tip.pk].title == f"Tip from {student.full_name}"
