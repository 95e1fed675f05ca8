"""A mentor's earnings in a real Chromium: the balances, the monthly chart beside its table, the session's line,
and last month's statement asked for, then downloaded as a PDF whose text carries the figures."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from payments.ledger import ledger_record_capture, ledger_release_escrow
from payments.models import LedgerTransaction, MentorPayoutDetails, Payment
from payments.statements import IST
from tests.factories import MentorProfileFactory, PaymentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.tds]


def _paid_and_completed(mentor, student, *, amount_paise: int, description: str, at: dt.datetime) -> Payment:
    payment = PaymentFactory(
        payer=student,
        payee=mentor,
        amount_paise=amount_paise,
        description=description,
        status=Payment.Status.CAPTURED,
        razorpay_payment_id=f"pay_e2e_{description[:8].replace(' ', '')}",
        captured_at=at,
    )
    ledger_record_capture(payment=payment)
    ledger_release_escrow(payment=payment)
    LedgerTransaction.objects.filter(payment=payment).update(created_at=at)
    return payment


def test_mentor_sees_earnings_and_downloads_last_months_statement(page, live_server):
    mentor = MentorProfileFactory(user__ui_language="en", user__full_name="రవి కుమార్").user
    MentorPayoutDetails.objects.create(
        mentor=mentor, account_holder_name="Ravi", upi_id="ravi@okaxis", pan="ABCPE1234F"
    )
    student = UserFactory(full_name="Isha Nair")
    first_of_month = timezone.now().astimezone(IST).replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    last_month = first_of_month - dt.timedelta(days=10)
    _paid_and_completed(mentor, student, amount_paise=100_000, description="JEE physics doubts", at=last_month)
    _paid_and_completed(mentor, student, amount_paise=50_000, description="Board exam plan", at=timezone.now())
    client = Client()
    client.force_login(mentor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    page.goto("/payments/earnings/")
    # ₹700 + ₹350 credited, less 0.1 % withheld (₹0.70 + ₹0.35).
    expect(page.get_by_test_id("balance-available")).to_have_text("₹1,048.95")
    expect(page.get_by_test_id("this-month-earned")).to_have_text("₹350")
    expect(page.get_by_test_id("last-month-net")).to_have_text("₹699.30")
    expect(page.get_by_test_id("earning-row")).to_have_count(2)
    expect(page.get_by_test_id("earning-row").first).to_contain_text("Board exam plan")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-earnings-by-month'))")
    page.get_by_text("The same numbers as a table").click()
    expect(page.locator("#table-earnings-by-month tbody tr")).to_have_count(12)

    page.get_by_role("button", name="Make the statement").click()
    expect(page.get_by_text("is ready to download")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_test_id("statement-link").click()
    download = download_info.value
    assert download.suggested_filename == f"peerlearn-statement-{last_month:%Y-%m}.pdf"
    content = open(download.path(), "rb").read()  # noqa: SIM115 - a file Playwright keeps until the context closes
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "రవి కుమార్" in text and "JEE physics doubts" in text
    assert "₹700.00" in text and "₹0.70" in text and "₹699.30" in text
    assert "Board exam plan" not in text
