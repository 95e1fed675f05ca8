import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from mentorship.money import format_inr
from payments.invoices import (
    amount_in_words,
    financial_year,
    gst_figures,
    invoice_html,
    invoice_pdf_bytes,
    invoice_render_pdf,
)
from payments.models import Invoice, InvoiceCounter, Payment
from payments.services import payment_apply_state, payment_refund, refund_apply_entity
from tests.factories import PaymentFactory, UserFactory
from tests.payments.test_concurrency import run_in_threads


def _fy() -> str:
    from django.utils import timezone

    return financial_year(timezone.now())


# --- words and figures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paise", "words"),
    [
        (0, "Rupees Zero Only"),
        (100, "Rupees One Only"),
        (50, "Fifty Paise Only"),
        (1_900, "Rupees Nineteen Only"),
        (10_000, "Rupees One Hundred Only"),
        (100_100, "Rupees One Thousand One Only"),
        (99_999_00, "Rupees Ninety-Nine Thousand Nine Hundred Ninety-Nine Only"),
        (1_00_000_00, "Rupees One Lakh Only"),
        (1_23_456_50, "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only"),
        (10_01_000_00, "Rupees Ten Lakh One Thousand Only"),
        (
            99_99_999_99,
            "Rupees Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine and Ninety-Nine Paise Only",
        ),
        (1_00_00_000_00, "Rupees One Crore Only"),
        (1_00_00_001_01, "Rupees One Crore One and One Paise Only"),
        (12_34_56_789_00, "Rupees Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine Only"),
        (1_00_00_00_000_00, "Rupees One Hundred Crore Only"),
        (123_450 * 10**7 * 100, "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty Crore Only"),
    ],
)
def test_amounts_are_written_in_indian_words(paise, words):
    assert amount_in_words(paise) == words


def test_documents_print_rupees_with_indian_grouping_and_paise():
    assert format_inr(1_23_456_00, always_paise=True) == "₹1,23,456.00"
    assert format_inr(12_34_56_789_50, always_paise=True) == "₹12,34,56,789.50"
    assert format_inr(1_23_456_00) == "₹1,23,456"


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (dt.datetime(2026, 4, 1, 0, 0, tzinfo=dt.UTC), "2026-27"),
        (dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC), "2026-27"),
        # 31 March 20:00 UTC is already 1 April in India: the new financial year.
        (dt.datetime(2027, 3, 31, 20, 0, tzinfo=dt.UTC), "2027-28"),
        (dt.datetime(2027, 3, 31, 18, 0, tzinfo=dt.UTC), "2026-27"),
        (dt.datetime(2099, 6, 1, tzinfo=dt.UTC), "2099-00"),
    ],
)
def test_financial_year_runs_april_to_march_in_india(moment, label):
    assert financial_year(moment) == label


def test_gst_is_backed_out_of_the_platform_fee_and_totals_the_amount_exactly():
    figures = gst_figures(amount_paise=99_901, platform_fee_paise=29_971, intra_state=True, rate_basis_points=1800)
    assert figures["platform_fee_taxable_paise"] == 25_399  # 29971 / 1.18 = 25399.15
    assert (figures["cgst_paise"], figures["sgst_paise"]) == (2_286, 2_286)
    assert (
        figures["mentor_fee_paise"]
        + figures["platform_fee_taxable_paise"]
        + figures["cgst_paise"]
        + figures["sgst_paise"]
    ) == 99_901


# --- issuing ------------------------------------------------------------------------------------


def test_capture_in_the_platform_state_issues_an_invoice_with_cgst_and_sgst(captured_payment, student):
    student.state = "Telangana"
    student.save(update_fields=["state"])

    payment = captured_payment(50_000)

    invoice = Invoice.objects.get(payment=payment)
    doc = invoice.data
    assert invoice.kind == Invoice.Kind.INVOICE
    assert invoice.number == f"PL/{_fy()}/000001"
    assert invoice.buyer == student
    assert doc["buyer"]["state"] == "Telangana"
    assert doc["mentor"]["name"] == payment.payee.full_name
    assert doc["razorpay_payment_id"] == payment.razorpay_payment_id
    assert doc["sac_code"] == "999293"
    assert doc["mentor_fee_paise"] == 35_000
    assert doc["platform_fee_taxable_paise"] == 12_712  # ₹150 / 1.18
    assert (doc["cgst_paise"], doc["sgst_paise"], doc["igst_paise"]) == (1_144, 1_144, 0)
    assert doc["total_paise"] == invoice.total_paise == 50_000
    assert doc["total_display"] == "₹500.00"
    assert doc["total_in_words"] == "Rupees Five Hundred Only"


def test_capture_from_another_state_charges_igst(captured_payment, student):
    student.state = "maharashtra "
    student.save(update_fields=["state"])

    doc = Invoice.objects.get(payment=captured_payment(50_000)).data

    assert doc["buyer"]["state"] == "Maharashtra"
    assert (doc["cgst_paise"], doc["sgst_paise"], doc["igst_paise"]) == (0, 0, 2_288)
    assert doc["mentor_fee_paise"] + doc["platform_fee_taxable_paise"] + doc["igst_paise"] == 50_000


def test_buyer_without_a_state_is_taxed_at_the_platform_state(captured_payment, student, settings):
    settings.PLATFORM_STATE = "Karnataka"
    student.state = ""
    student.save(update_fields=["state"])

    doc = Invoice.objects.get(payment=captured_payment(50_000)).data

    assert doc["buyer"]["state"] == "Karnataka"
    assert doc["igst_paise"] == 0 and doc["cgst_paise"] + doc["sgst_paise"] == 2_288


def test_gst_rate_is_a_setting(captured_payment, settings):
    settings.GST_RATE_BASIS_POINTS = 500

    doc = Invoice.objects.get(payment=captured_payment(50_000)).data

    assert doc["platform_fee_taxable_paise"] == 14_286  # ₹150 / 1.05
    assert doc["tax_paise"] == 714


def test_tip_invoice_is_all_mentor_fee_without_gst(captured_payment):
    payment = captured_payment(20_000, purpose="tip")

    doc = Invoice.objects.get(payment=payment).data

    assert doc["mentor_fee_paise"] == 20_000
    assert doc["tax_paise"] == doc["platform_fee_taxable_paise"] == 0


def test_duplicate_capture_reports_issue_one_invoice(captured_payment):
    payment = captured_payment(50_000)

    payment_apply_state(
        order_id=payment.razorpay_order_id,
        razorpay_payment_id=payment.razorpay_payment_id,
        status="captured",
        amount_paise=50_000,
    )

    assert Invoice.objects.filter(payment=payment).count() == 1
    assert InvoiceCounter.objects.get(series="PL").last_number == 1


def test_a_rolled_back_capture_gives_its_number_back(db, test_purpose):
    first = PaymentFactory(amount_paise=10_000)
    second = PaymentFactory(amount_paise=10_000)

    with pytest.raises(RuntimeError), transaction.atomic():
        payment_apply_state(
            order_id=first.razorpay_order_id, razorpay_payment_id="pay_a", status="captured", amount_paise=10_000
        )
        raise RuntimeError("the capture transaction fails after numbering")
    payment_apply_state(
        order_id=second.razorpay_order_id, razorpay_payment_id="pay_b", status="captured", amount_paise=10_000
    )

    assert list(Invoice.objects.values_list("number", flat=True)) == [f"PL/{_fy()}/000001"]


def test_an_issued_invoice_cannot_change(captured_payment):
    invoice = Invoice.objects.get(payment=captured_payment(50_000))

    invoice.data["total_paise"] = 1
    with pytest.raises(ValueError, match="cannot change"):
        invoice.save()
    with pytest.raises(ValueError, match="cannot change"):
        invoice.save(update_fields=["data"])
    invoice.refresh_from_db()
    assert invoice.data["total_paise"] == 50_000


def test_the_database_refuses_to_change_or_delete_an_issued_invoice(captured_payment):
    invoice = invoice_render_pdf(invoice_id=Invoice.objects.get(payment=captured_payment(50_000)).pk)
    issued = Invoice.objects.filter(pk=invoice.pk)

    for change in ({"total_paise": 1}, {"number": "PL/2026-27/999999"}, {"data": {}}, {"pdf": "invoices/other.pdf"}):
        with pytest.raises(IntegrityError, match="cannot change"), transaction.atomic():
            issued.update(**change)
    with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
        issued.delete()
    assert Invoice.objects.get(pk=invoice.pk).data == invoice.data


@pytest.mark.parametrize(
    ("refunded", "mentor_fee", "taxable", "tax"),
    [(50_000, 35_000, 12_712, 2_288), (25_000, 17_500, 6_356, 1_144)],
    ids=["full refund", "50 % refund"],
)
def test_each_processed_refund_gets_a_credit_note_against_the_invoice(
    captured_payment, razorpay_keys, refunded, mentor_fee, taxable, tax
):
    payment = captured_payment(50_000)
    invoice = Invoice.objects.get(payment=payment, kind=Invoice.Kind.INVOICE)
    refund = payment_refund(payment=payment, amount_paise=refunded, reason="cancelled", idempotency_key="k1")
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()  # not until the money goes back

    refund_apply_entity(entity=razorpay_keys.settle_refund(refund.razorpay_refund_id))

    note = Invoice.objects.get(refund=refund)
    doc = note.data
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.number == f"PLCN/{_fy()}/000001"
    assert note.original == invoice and doc["original_number"] == invoice.number
    assert doc["razorpay_refund_id"] == refund.razorpay_refund_id
    assert (doc["mentor_fee_paise"], doc["platform_fee_taxable_paise"], doc["tax_paise"]) == (mentor_fee, taxable, tax)
    assert note.total_paise == refunded
    # Credit notes have their own series: invoices keep counting from where they were.
    assert InvoiceCounter.objects.get(series="PL").last_number == 1


def test_a_failed_refund_issues_no_credit_note(captured_payment):
    from payments.services import refund_apply_state

    payment = captured_payment(50_000)
    refund = payment_refund(payment=payment, amount_paise=50_000, reason="r", idempotency_key="k1")

    refund_apply_state(refund=refund, razorpay_refund_id=refund.razorpay_refund_id, status="failed", error="bank")

    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_stay_gapless_under_fifty_concurrent_captures(test_purpose):
    payments = [PaymentFactory(amount_paise=10_000 + index) for index in range(50)]

    def capture(index: int) -> None:
        payment = payments[index]
        payment_apply_state(
            order_id=payment.razorpay_order_id,
            razorpay_payment_id=f"pay_concurrent{index}",
            status="captured",
            amount_paise=payment.amount_paise,
        )

    errors = run_in_threads(50, capture)

    assert errors == []
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == 50
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 51))
    assert Invoice.objects.values("payment").distinct().count() == 50
    assert InvoiceCounter.objects.get(series="PL").last_number == 50
    # Each capture's commit had the worker render its PDF.
    assert not Invoice.objects.filter(pdf="").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM payments_ledgerentry "
            "GROUP BY transaction_id HAVING sum(amount_paise) <> 0) unbalanced"
        )
        assert cursor.fetchone()[0] == 0


# --- PDF and downloads ----------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_renders_devanagari_and_telugu_names(captured_payment, student, mentor):
    # Names without a reph (र्): pypdf maps that ligature back to "र्ा", although it renders correctly.
    student.full_name = "प्रिया सिंह"
    student.save(update_fields=["full_name"])
    mentor.full_name = "రవి కుమార్"
    mentor.save(update_fields=["full_name"])
    invoice = Invoice.objects.get(payment=captured_payment(1_23_456_00))

    text = _pdf_text(invoice_pdf_bytes(invoice))

    assert "प्रिया सिंह" in text
    assert "రవి కుమార్" in text
    assert invoice.number in text
    assert "₹1,23,456.00" in text
    assert "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six Only" in text


def test_pdf_renders_tamil_and_bengali_names(captured_payment, student, mentor):
    # Names without pre-base vowel signs (ெ, ি): pypdf extracts glyphs in visual order, although they render correctly.
    student.full_name = "சுமதி அருண்"
    student.save(update_fields=["full_name"])
    mentor.full_name = "সুমন দাস"
    mentor.save(update_fields=["full_name"])
    invoice = Invoice.objects.get(payment=captured_payment(50_000))

    text = _pdf_text(invoice_pdf_bytes(invoice))

    assert "சுமதி அருண்" in text
    assert "সুমন দাস" in text


def test_pdf_is_in_the_buyers_language(captured_payment, student):
    student.ui_language = "hi"
    student.save(update_fields=["ui_language"])
    invoice = Invoice.objects.get(payment=captured_payment(50_000))

    html = invoice_html(invoice)

    assert invoice.language == "hi"
    assert 'lang="hi"' in html


def test_rendered_pdf_is_stored_once_in_private_storage(captured_payment, invoice_storage):
    invoice = Invoice.objects.get(payment=captured_payment(50_000))

    rendered = invoice_render_pdf(invoice_id=invoice.pk)
    again = invoice_render_pdf(invoice_id=invoice.pk)

    assert rendered.pdf.name == again.pdf.name
    assert rendered.pdf.name.startswith(f"invoices/{invoice.financial_year}/")
    assert invoice_storage.exists(rendered.pdf.name)
    assert Invoice._meta.get_field("pdf")._storage_callable() is storages["private"]
    with rendered.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert rendered.data == invoice.data


def test_only_the_buyer_and_staff_can_download_an_invoice(client, captured_payment, student, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    invoice = Invoice.objects.get(payment=captured_payment(50_000))
    url = reverse("payments:invoice_download", args=[invoice.pk])

    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(student)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(UserFactory(role="mentor"))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_staff=True, role="support"))
    assert client.get(url).status_code == 200


def test_payment_history_links_invoices_and_credit_notes(
    client, captured_payment, razorpay_keys, student, django_assert_max_num_queries
):
    payments = [captured_payment(50_000, reference_id=index) for index in range(3)]
    refund = payment_refund(payment=payments[0], amount_paise=25_000, reason="r", idempotency_key="k1")
    refund_apply_entity(entity=razorpay_keys.settle_refund(refund.razorpay_refund_id))
    client.force_login(student)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("payments:history"))

    content = response.content.decode()
    for invoice in Invoice.objects.all():
        assert invoice.number in content
        assert reverse("payments:invoice_download", args=[invoice.pk]) in content
    assert content.count('data-testid="invoice-link"') == 4


def test_staff_find_an_invoice_by_number_in_the_panel(
    client, captured_payment, settings, django_assert_max_num_queries
):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    first, second = (Invoice.objects.get(payment=captured_payment(50_000, reference_id=n)) for n in (1, 2))
    client.force_login(UserFactory(is_staff=True, role="support"))
    url = reverse("adminpanel:invoice_search")

    with django_assert_max_num_queries(8):
        response = client.get(url, {"number": f" {second.number.lower()} "})

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('data-testid="invoice-result"') == 1
    assert second.number in content and first.number not in content
    assert reverse("payments:invoice_download", args=[second.pk]) in content
    assert client.get(url, {"number": "000001"}).content.decode().count('data-testid="invoice-result"') == 1
    assert "No invoice or credit note" in client.get(url, {"number": "PL/1999"}).content.decode()
    client.force_login(UserFactory())
    assert client.get(url, {"number": "000001"}).status_code == 403


def test_reconciliation_renders_pdfs_whose_task_was_lost(captured_payment):
    from payments.tasks import reconcile_payments

    with time_machine.travel(dt.timedelta(minutes=-10)):
        invoice = Invoice.objects.get(payment=captured_payment(50_000))  # its task never ran (nothing committed)
    recent = Invoice.objects.get(payment=captured_payment(60_000, reference_id=8))

    counts = reconcile_payments()

    assert counts["invoice_pdfs_requeued"] == 1
    invoice.refresh_from_db()
    recent.refresh_from_db()
    assert invoice.pdf and not recent.pdf
