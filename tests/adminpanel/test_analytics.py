import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from adminpanel.models import DailyMetric
from adminpanel.selectors import analytics_report
from adminpanel.services.analytics import ANALYTICS_ZONE, analytics_rollup_day
from sessions_app.models import Booking
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    ReviewFactory,
    StudentProfileFactory,
    TicketFactory,
    UserFactory,
    admin_user,
    language,
    support_user,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


def at(hour, day=DAY):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ANALYTICS_ZONE)


@pytest.fixture
def small_day():
    """A hand-made day in Telangana and Karnataka, Hindi and Telugu sessions."""
    hi, te = language("hi"), language("te")
    signups = [
        UserFactory(date_joined=at(9), state="Telangana", primary_language=te),
        UserFactory(date_joined=at(10), state="Telangana", primary_language=te, verified_email=False),
        UserFactory(date_joined=at(23), state="Karnataka", primary_language=hi),
        UserFactory(date_joined=at(9, DAY - dt.timedelta(days=1)), state="Telangana"),  # the day before
    ]
    EmailAddress.objects.filter(user=signups[1]).delete()
    StudentProfileFactory(user=signups[0], onboarding_completed_at=at(11))
    paid_hi = GroupSessionFactory(language=hi, price_paise=50_000, starts_at=at(15), ends_at=at(16), status="completed")
    free_te = GroupSessionFactory(language=te, starts_at=at(17), ends_at=at(18))
    # signups[0]: two held bookings (first and second booking); completed ₹500 one
    BookingFactory(session=paid_hi, student=signups[0], status="completed", confirmed_at=at(10), completed_at=at(16))
    BookingFactory(session=free_te, student=signups[0], confirmed_at=at(11))
    # a Karnataka student cancels a ₹500 booking and is refunded ₹250
    BookingFactory(
        session=paid_hi,
        student=signups[2],
        status="cancelled",
        confirmed_at=at(8),
        cancelled_at=at(12),
        cancellation_reason=Booking.CancelReason.STUDENT,
        refund_paise=25_000,
        refunded_at=at(13),
    )
    ReviewFactory(booking=Booking.objects.get(session=paid_hi, student=signups[0]), rating=4, created_at=at(17))
    TicketFactory(requester=signups[0], language_code="te", created_at=at(9), first_response_due_at=at(10))
    return signups


def metric(name, **filters):
    """The day's figure over every language and state unless filtered."""
    filters = {"language_code": "*", "state": "*", **filters}
    return sum(DailyMetric.objects.filter(day=DAY, metric=name, **filters).values_list("value", flat=True))


def test_rollup_matches_hand_computed_figures(small_day):
    analytics_rollup_day(day=DAY, now=at(22, DAY + dt.timedelta(days=1)))

    assert metric("signups") == 3
    assert metric("signups", state="Telangana", language_code="te") == 2
    assert metric("verified") == 2
    assert metric("onboarded") == 1
    assert metric("first_booking") == 1 and metric("second_booking") == 1
    assert metric("bookings") == 3  # confirmed that day, whatever happened next
    assert metric("completed") == 1 and metric("cancelled") == 1
    assert metric("gross_paise") == 100_000  # two ₹500 bookings confirmed
    assert metric("platform_paise") == 15_000  # 30 % of the completed ₹500
    assert metric("refunds_paise") == 25_000
    # signups[0] had a Hindi and a Telugu session that day: once in each language's row, once in all
    assert metric("active_students") == 1
    assert metric("active_students", language_code="hi") == 1 and metric("active_students", language_code="te") == 1
    assert metric("active_students", language_code="hi", state="Telangana") == 1
    assert metric("active_mentors") == 2
    assert metric("ratings", segment="4") == 1
    assert metric("demand_language", segment="hi") == 2 and metric("demand_language", segment="te") == 1
    assert metric("tickets") == 1 and metric("tickets_breached") == 1


def test_rollup_is_idempotent(small_day):
    first = analytics_rollup_day(day=DAY)
    rows = sorted(DailyMetric.objects.values_list("metric", "language_code", "state", "segment", "value"))
    assert analytics_rollup_day(day=DAY) == first
    assert sorted(DailyMetric.objects.values_list("metric", "language_code", "state", "segment", "value")) == rows


def test_report_compares_with_the_previous_period_and_filters(small_day):
    analytics_rollup_day(day=DAY)
    analytics_rollup_day(day=DAY - dt.timedelta(days=1))
    report = analytics_report(end=DAY, days=1)
    assert report.totals["signups"] == (3, 1)
    assert analytics_report(end=DAY, days=1, state="Karnataka").totals["signups"] == (1, 0)
    assert analytics_report(end=DAY, days=1, language_code="te").totals["bookings"][0] == 1
    assert report.series["gross_paise"] == [100_000]


def test_analytics_page_for_admins_with_charts_tables_and_csv(
    client, small_day, django_assert_max_num_queries, settings
):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    today = dt.datetime.now(ANALYTICS_ZONE).date()
    for n in range(5):
        DailyMetric.objects.create(
            day=today - dt.timedelta(days=n), metric="bookings", language_code="*", state="*", value=10 + n
        )
    client.force_login(support_user())
    assert client.get(reverse("adminpanel:analytics")).status_code == 403
    client.force_login(admin_user())
    with django_assert_max_num_queries(12):
        response = client.get(reverse("adminpanel:analytics"), {"days": 7})
    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/chart-4.5.1.umd.min.js" in page and 'id="chart-daily"' in page and 'id="table-daily"' in page
    with django_assert_max_num_queries(4):  # the tables come from the cache for the next few minutes
        assert client.get(reverse("adminpanel:analytics"), {"days": 7}).status_code == 200
    csv = client.get(reverse("adminpanel:analytics"), {"days": 7, "export": "summary"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Bookings,60,0" in csv.content.decode()


def test_chart_library_is_not_loaded_on_other_pages(client):
    assert "chart-4.5.1" not in client.get(reverse("help:centre")).content.decode()
