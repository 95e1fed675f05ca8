"""Monthly statements (payments.statements): figures from the ledger, PDF through WeasyPrint, downloads, beat task."""

import datetime as dt
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from outbox.models import OutboxMessage
from payments.ledger import ledger_release_escrow
from payments.models import MentorPayoutDetails, MentorStatement
from payments.services import payment_refund
from payments.statements import (
    IST,
    statement_generate,
    statement_pdf_bytes,
    statement_render_pdf,
    statements_generate_monthly,
)
from payments.tasks import render_statement_pdf
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.tds]


def _this_month() -> dt.date:
    return timezone.now().astimezone(IST).date().replace(day=1)


def _next_month_now() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=32)


@pytest.fixture
def month_of_work(captured_payment, mentor, razorpay_keys):
    MentorPayoutDetails.objects.create(mentor=mentor, account_holder_name="M", upi_id="m@okaxis", pan="ABCPE1234F")
    ledger_release_escrow(payment=captured_payment(100_000))
    captured_payment(20_000, purpose="tip")
    refunded = captured_payment(60_000)
    ledger_release_escrow(payment=refunded)
    payment_refund(payment=refunded, amount_paise=60_000, reason="r", idempotency_key=uuid.uuid4().hex)
    captured_payment(50_000)  # still in escrow: not earned this month
    return mentor


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_statement_snapshots_the_months_figures(month_of_work):
    statement = statement_generate(mentor=month_of_work, month=_this_month(), now=_next_month_now())

    totals = statement.data["totals"]
    assert len(statement.data["lines"]) == 3
    assert totals["mentor_share_paise"] == 70_000 + 20_000 + 0
    assert totals["tds_paise"] == 70 + 20
    assert totals["net_paise"] == 90_000 - 90
    assert totals["tip_paise"] == 20_000
    assert totals["refunded_paise"] == 60_000
    assert statement.data["mentor"]["pan_masked"] == "••••234F"
    assert OutboxMessage.objects.filter(task_name="payments.render_statement_pdf", args=[statement.pk]).exists()


def test_a_statement_is_made_once_and_only_for_a_month_that_is_over(month_of_work):
    with pytest.raises(ValidationError):
        statement_generate(mentor=month_of_work, month=_this_month())
    first = statement_generate(mentor=month_of_work, month=_this_month(), now=_next_month_now())
    again = statement_generate(mentor=month_of_work, month=_this_month(), now=_next_month_now())
    assert first.pk == again.pk


def test_pdf_prints_the_figures_and_an_indian_script_name(month_of_work):
    month_of_work.full_name = "రవి కుమార్"
    month_of_work.save(update_fields=["full_name"])
    statement = statement_generate(mentor=month_of_work, month=_this_month(), now=_next_month_now())

    text = _pdf_text(statement_pdf_bytes(statement))

    assert "రవి కుమార్" in text
    assert "₹900.00" in text and "₹0.90" in text and "₹899.10" in text
    assert "194-O" in text and "••••234F" in text


def test_pdf_prints_a_devanagari_name(captured_payment, mentor):
    mentor.full_name = "प्रिया सिंह"
    mentor.save(update_fields=["full_name"])
    ledger_release_escrow(payment=captured_payment(100_000))
    statement = statement_generate(mentor=mentor, month=_this_month(), now=_next_month_now())
    text = _pdf_text(statement_pdf_bytes(statement))
    assert "प्रिया सिंह" in text
    assert "₹665.00" in text  # ₹700 less 5 % without a PAN


def test_task_renders_into_private_storage_once(month_of_work, invoice_storage):
    statement = statement_generate(mentor=month_of_work, month=_this_month(), now=_next_month_now())
    name = render_statement_pdf(statement.pk)
    assert statement_render_pdf(statement_id=statement.pk).pdf.name == name
    assert invoice_storage.exists(name) and name.startswith("statements/")


def test_monthly_task_makes_last_months_statements_for_mentors_with_movements(month_of_work):
    counts = statements_generate_monthly(now=_next_month_now())
    assert counts == {"made": 1, "already_made": 0}
    assert statements_generate_monthly(now=_next_month_now()) == {"made": 0, "already_made": 1}
    assert MentorStatement.objects.get().month == _this_month()


def test_mentor_asks_for_a_past_month_and_downloads_it(client, captured_payment, mentor):
    ledger_release_escrow(payment=captured_payment(100_000))
    client.force_login(mentor)
    last_month = (_this_month() - dt.timedelta(days=1)).strftime("%Y-%m")

    response = client.post(reverse("payments:statement_request"), {"month": last_month})
    assert response.status_code == 302
    statement = MentorStatement.objects.get(mentor=mentor)
    assert statement.data["lines"] == []  # the work happened this month
    page = client.get(reverse("payments:earnings")).content.decode()
    assert reverse("payments:statement_download", args=[statement.pk]) in page

    download = client.get(reverse("payments:statement_download", args=[statement.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")

    this_month = client.post(reverse("payments:statement_request"), {"month": _this_month().strftime("%Y-%m")})
    assert this_month.status_code == 302 and MentorStatement.objects.count() == 1


def test_nobody_else_downloads_a_statement(client, month_of_work):
    statement = statement_generate(mentor=month_of_work, month=_this_month(), now=_next_month_now())
    client.force_login(UserFactory(role="mentor"))
    assert client.get(reverse("payments:statement_download", args=[statement.pk])).status_code == 404
