"""A paid booking's tax invoice reaches the student, and each refund tier of a cancellation gets its credit note."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from payments.models import Invoice, Refund
from payments.services import refund_apply_entity
from sessions_app import services

pytestmark = pytest.mark.django_db

PRICE = 120_000  # an hour at ₹1,200


def test_booking_confirmation_email_links_the_tax_invoice(paid_booking, mailoutbox, settings):
    booking = paid_booking()

    invoice = Invoice.objects.get(payment=booking.payment, kind=Invoice.Kind.INVOICE)
    assert invoice.total_paise == PRICE
    assert invoice.data["mentor"]["name"] == booking.session.mentor.full_name
    assert invoice.pdf  # rendered by the task after the capture committed
    url = settings.SITE_URL + reverse("payments:invoice_download", args=[invoice.pk])
    to_student = [m for m in mailoutbox if m.to == [booking.student.email]]
    assert len(to_student) == 1  # the confirmation, in the student's language
    assert invoice.number in to_student[0].body
    assert url in to_student[0].body
    assert not [m for m in mailoutbox if m.to != [booking.student.email] and invoice.number in m.body]


@pytest.mark.parametrize(
    ("before_start", "refunded"),
    [(dt.timedelta(days=2), PRICE), (dt.timedelta(hours=10), PRICE // 2)],
    ids=["full refund tier", "50 % refund tier"],
)
def test_cancellation_refund_gets_a_credit_note_for_its_tier(
    paid_booking, committed, razorpay_keys, before_start, refunded
):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at - before_start, tick=False), committed():
        services.booking_cancel(booking=booking, actor=booking.student)
    refund = Refund.objects.get(payment=booking.payment)

    with committed():
        refund_apply_entity(entity=razorpay_keys.settle_refund(refund.razorpay_refund_id))

    note = Invoice.objects.get(refund=refund)
    invoice = Invoice.objects.get(payment=booking.payment, kind=Invoice.Kind.INVOICE)
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.number.startswith("PLCN/")
    assert note.original == invoice
    assert note.total_paise == refunded
    doc = note.data
    assert doc["mentor_fee_paise"] == refunded * 70 // 100
    assert doc["mentor_fee_paise"] + doc["platform_fee_taxable_paise"] + doc["tax_paise"] == refunded
    assert note.pdf
