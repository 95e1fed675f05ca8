"""The mentor's earnings page, its CSV, the next payout and the "You'll earn" preview (payments.earnings)."""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse

from payments.earnings import earning_lines, earning_payments, earnings_preview, next_weekly_run
from payments.ledger import ledger_release_escrow
from payments.models import MentorPayoutDetails
from payments.services import payment_refund
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.tds]


@pytest.fixture
def earnings_history(captured_payment, mentor, razorpay_keys):
    """A completed ₹1,000 session, a ₹500 one still in escrow, a ₹200 tip, and a ₹600 session completed then
    refunded by half."""
    completed = captured_payment(100_000)
    ledger_release_escrow(payment=completed)
    waiting = captured_payment(50_000)
    tip = captured_payment(20_000, purpose="tip")
    halved = captured_payment(60_000)
    ledger_release_escrow(payment=halved)
    payment_refund(payment=halved, amount_paise=30_000, reason="half", idempotency_key=uuid.uuid4().hex)
    return {"completed": completed, "waiting": waiting, "tip": tip, "halved": halved}


def test_lines_carry_fee_platform_share_tips_refunds_and_tax(earnings_history, mentor):
    lines = {line.payment.pk: line for line in earning_lines(earning_payments(mentor))}
    completed = lines[earnings_history["completed"].pk]
    assert (completed.price_paise, completed.platform_paise, completed.mentor_share_paise) == (100_000, 30_000, 70_000)
    assert (completed.tds_paise, completed.net_paise, completed.in_escrow_paise) == (3_500, 66_500, 0)
    waiting = lines[earnings_history["waiting"].pk]
    assert (waiting.in_escrow_paise, waiting.mentor_share_paise, waiting.tds_paise) == (50_000, 0, 0)
    tip = lines[earnings_history["tip"].pk]
    assert (tip.is_tip, tip.tip_paise, tip.price_paise, tip.platform_paise, tip.tds_paise) == (
        True,
        20_000,
        0,
        0,
        1_000,
    )
    halved = lines[earnings_history["halved"].pk]
    assert (halved.refunded_paise, halved.mentor_share_paise, halved.platform_paise) == (30_000, 21_000, 9_000)
    assert halved.tds_paise == 1_050


def test_earnings_page_shows_balances_months_chart_and_lines(
    client, earnings_history, mentor, django_assert_max_num_queries
):
    client.force_login(mentor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("payments:earnings"))
    html = response.content.decode()
    assert response.status_code == 200
    # Payable: 66,500 + 19,000 (tip less 5 %) + 19,950 (₹210 less 5 %).
    assert 'data-testid="balance-available">₹1,054.50<' in html
    assert 'data-testid="balance-escrow">₹500<' in html
    assert 'data-testid="this-month-earned">₹1,110<' in html  # 700 + 200 + 420 − 210
    assert 'data-testid="this-month-tds">₹55.50<' in html
    assert 'data-testid="this-month-net">₹1,054.50<' in html
    assert html.count('data-testid="earning-row"') == 4
    assert 'id="chart-earnings-by-month"' in html and 'id="table-earnings-by-month"' in html
    assert 'data-testid="next-payout-amount">₹0<' in html  # no payout details yet
    assert reverse("payments:payout_details") in html
    assert reverse("payments:earnings_csv") in html


def test_earnings_page_queries_do_not_grow_with_lines(client, captured_payment, mentor, django_assert_max_num_queries):
    for _ in range(30):
        ledger_release_escrow(payment=captured_payment(50_000))
    client.force_login(mentor)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("payments:earnings")).content.decode()
    with django_assert_max_num_queries(8):
        second = client.get(reverse("payments:earnings") + "?page=2", headers={"HX-Request": "true"}).content.decode()
    assert first.count('data-testid="earning-row"') == 25
    assert second.count('data-testid="earning-row"') == 5 and "<html" not in second


def test_next_payout_is_the_weekly_run_with_the_payable_balance(client, captured_payment, mentor):
    MentorPayoutDetails.objects.create(mentor=mentor, account_holder_name="M", upi_id="m@okaxis", pan="ABCPE1234F")
    ledger_release_escrow(payment=captured_payment(200_000))
    client.force_login(mentor)
    html = client.get(reverse("payments:earnings")).content.decode()
    assert 'data-testid="next-payout-amount">₹1,398.60<' in html  # ₹1,400 less 0.1 %


def test_below_the_minimum_the_page_says_how_much_is_missing(client, captured_payment, mentor):
    MentorPayoutDetails.objects.create(mentor=mentor, account_holder_name="M", upi_id="m@okaxis", pan="ABCPE1234F")
    ledger_release_escrow(payment=captured_payment(100_000))
    client.force_login(mentor)
    html = client.get(reverse("payments:earnings")).content.decode()
    assert 'data-testid="next-payout-amount">₹0<' in html
    assert "₹300.70 more to reach the ₹1,000 minimum." in html


def test_the_weekly_run_is_read_from_the_beat_schedule():
    # Monday 00:30 UTC (06:00 IST).
    assert next_weekly_run(dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 7, 0, 30, tzinfo=dt.UTC
    )
    assert next_weekly_run(dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 14, 0, 30, tzinfo=dt.UTC
    )


def test_csv_lists_every_line(client, earnings_history, mentor):
    client.force_login(mentor)
    response = client.get(reverse("payments:earnings_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Date", "Payment", "Student", "Session price (₹)"]
    assert len(rows) == 5
    by_price = {row[3]: row for row in rows[1:]}
    assert by_price["1000.00"][5:10] == ["300.00", "700.00", "0.00", "35.00", "665.00"]
    assert by_price["0.00"][4] == "200.00"
    assert by_price["600.00"][7] == "300.00"


def test_only_mentors_see_earnings(client):
    client.force_login(UserFactory())
    assert client.get(reverse("payments:earnings")).status_code == 403
    assert client.get(reverse("payments:earnings_csv")).status_code == 403


# --- You'll earn ----------------------------------------------------------------------------------


def test_preview_follows_the_ledger_split():
    preview = earnings_preview(price_paise=50_000, has_pan=True)
    assert (preview.platform_fee_paise, preview.mentor_share_paise, preview.tds_paise, preview.net_paise) == (
        15_000,
        35_000,
        35,
        34_965,
    )
    assert earnings_preview(price_paise=50_000, has_pan=False).tds_paise == 1_750


def test_you_earn_updates_as_an_htmx_partial(client, mentor):
    client.force_login(mentor)
    url = reverse("payments:you_earn") + "?field=hourly_rate_rupees&hourly_rate_rupees=1500"
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body
    assert 'data-testid="earn-net">₹997.50<' in body  # ₹1,050 less 5 % without a PAN
    odd = client.get(url.replace("1500", "1525"), headers={"HX-Request": "true"}).content.decode()
    assert "steps of ₹50" in odd
    free = reverse("payments:you_earn") + "?field=price_rupees&free=1&price_rupees=0"
    assert "A free session" in client.get(free, headers={"HX-Request": "true"}).content.decode()


def test_you_earn_page_works_without_javascript(client, mentor):
    client.force_login(mentor)
    html = client.get(reverse("payments:you_earn") + "?price=500").content.decode()
    assert "<html" in html and 'data-testid="earn-net">₹332.50<' in html
