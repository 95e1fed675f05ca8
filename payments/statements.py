"""Monthly statements: what a mentor earned in a calendar month (India Standard Time, as tax documents count it),
the tax withheld under section 194-O (``payments.tax``) and what was paid out, as a PDF.

A statement is taken once its month is over, so the ledger lines it reads no longer change: ``MentorStatement.data``
snapshots every figure, and ``payments.tasks.render_statement_pdf`` renders the PDF from it after commit (through the
outbox) into private storage. The beat task makes last month's statement for every mentor with movements on the
1st; a mentor can ask for any past month from the earnings page.
"""

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_language
from outbox.services import enqueue
from payments import tax
from payments.earnings import earning_lines, month_start, previous_month
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, MentorPayoutDetails, MentorStatement, Payment
from payments.selectors import payment_subjects

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
Kind = LedgerAccount.Kind
TxnKind = LedgerTransaction.Kind
RENDER_TASK = "payments.render_statement_pdf"


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as [start, end) instants in India Standard Time."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (dt.datetime.combine(month, dt.time(), tzinfo=IST), dt.datetime.combine(following, dt.time(), tzinfo=IST))


def last_complete_month(now: dt.datetime) -> dt.date:
    return previous_month(month_start(now.astimezone(IST).date()))


def _figures(mentor, month: dt.date) -> dict:
    start, end = month_bounds(month)
    moved = LedgerEntry.objects.filter(
        account__owner=mentor, transaction__created_at__gte=start, transaction__created_at__lt=end
    )
    # Payments whose money reached (or left) the mentor's own accounts this month; a capture into escrow or a refund
    # before the session is not earnings yet.
    payment_ids = (
        moved.filter(transaction__payment__isnull=False, account__kind__in=[Kind.MENTOR_PAYABLE, Kind.TDS_PAYABLE])
        .values("transaction__payment_id")
        .distinct()
    )
    payments = list(Payment.objects.filter(pk__in=payment_ids).select_related("payer").order_by("captured_at", "pk"))
    subjects = payment_subjects(payments, viewer=mentor)
    lines: list[dict[str, Any]] = []
    for line in earning_lines(payments, since=start, until=end):
        lines.append(
            {
                "date": line.date.astimezone(IST).date().isoformat(),
                "description": subjects[line.payment.pk].title,
                "student": line.payment.payer.full_name,
                "is_tip": line.is_tip,
                "price_paise": line.price_paise,
                "tip_paise": line.tip_paise,
                "platform_paise": line.platform_paise,
                "mentor_share_paise": line.mentor_share_paise,
                "refunded_paise": line.refunded_paise,
                "tds_paise": line.tds_paise,
                "net_paise": line.net_paise,
            }
        )
    payouts = moved.filter(account__kind=Kind.MENTOR_PAYABLE).aggregate(
        paid=Sum("amount_paise", filter=Q(transaction__kind__in=[TxnKind.PAYOUT, TxnKind.PAYOUT_REVERSAL]))
    )
    totals = {
        key: sum(line[key] for line in lines)
        for key in (
            "price_paise",
            "tip_paise",
            "platform_paise",
            "mentor_share_paise",
            "refunded_paise",
            "tds_paise",
            "net_paise",
        )
    }
    totals["paid_out_paise"] = payouts["paid"] or 0
    return {"lines": lines, "totals": totals}


def statement_snapshot(*, mentor, month: dt.date, now: dt.datetime) -> dict:
    details = MentorPayoutDetails.objects.filter(mentor=mentor).first()
    has_pan = bool(details and details.pan)
    return {
        "month": month.isoformat(),
        "generated_at": now.isoformat(),
        "issuer": {
            "legal_name": settings.PLATFORM_LEGAL_NAME,
            "address": settings.PLATFORM_ADDRESS,
            "gstin": settings.PLATFORM_GSTIN,
        },
        "mentor": {
            "name": mentor.full_name,
            "email": mentor.email,
            "pan_masked": details.masked_pan if details and has_pan else "",
        },
        "tds_rate_basis_points": tax.tds_rate_basis_points(has_pan=has_pan),
        **_figures(mentor, month),
    }


def statement_generate(*, mentor, month: dt.date, now: dt.datetime | None = None) -> MentorStatement:
    """The statement of a month that is over (made once; asking again returns it). Its PDF follows after commit."""
    now = now or timezone.now()
    month = month_start(month)
    if month > last_complete_month(now):
        raise ValidationError(_("A statement can be made once its month is over."), code="month_not_over")
    existing = MentorStatement.objects.filter(mentor=mentor, month=month).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            statement = MentorStatement.objects.create(
                mentor=mentor,
                month=month,
                language=user_language(mentor),
                data=statement_snapshot(mentor=mentor, month=month, now=now),
            )
            enqueue(RENDER_TASK, statement.pk)
    except IntegrityError:
        # Made meanwhile by the monthly task or a second click.
        return MentorStatement.objects.get(mentor=mentor, month=month)
    return statement


def statements_generate_monthly(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Last month's statement for every mentor whose accounts moved in it."""
    now = now or timezone.now()
    month = last_complete_month(now)
    start, end = month_bounds(month)
    mentor_ids = (
        LedgerEntry.objects.filter(
            account__owner__isnull=False,
            account__kind__in=[Kind.ESCROW, Kind.MENTOR_PAYABLE, Kind.TDS_PAYABLE],
            transaction__created_at__gte=start,
            transaction__created_at__lt=end,
        )
        .values_list("account__owner_id", flat=True)
        .distinct()
    )
    done = set(MentorStatement.objects.filter(month=month).values_list("mentor_id", flat=True))
    counts = {"made": 0, "already_made": 0}
    for mentor in User.objects.filter(pk__in=mentor_ids).order_by("pk"):
        if mentor.pk in done:
            counts["already_made"] += 1
            continue
        statement_generate(mentor=mentor, month=month, now=now)
        counts["made"] += 1
    return counts


# --- PDF ----------------------------------------------------------------------------------------


def statement_filename(statement: MentorStatement) -> str:
    return f"peerlearn-statement-{statement.month:%Y-%m}.pdf"


def statement_html(statement: MentorStatement) -> str:
    doc = statement.data
    with translation.override(statement.language):
        context = {
            "statement": statement,
            "doc": doc,
            "month_label": date_format(statement.month, "F Y"),
            "tds_rate_percent": tax.rate_percent(doc["tds_rate_basis_points"]),
            "no_pan_rate_percent": tax.rate_percent(tax.tds_rate_basis_points(has_pan=False)),
        }
        return render_to_string("payments/statement_pdf.html", context)


def statement_pdf_bytes(statement: MentorStatement) -> bytes:
    from weasyprint import HTML  # Imported here: loading Pango costs time every other process does not need.

    return HTML(string=statement_html(statement)).write_pdf()


def statement_render_pdf(*, statement_id: int) -> MentorStatement:
    """Render and store the PDF once (idempotent: a second delivery of the task finds it rendered)."""
    statement = MentorStatement.objects.get(pk=statement_id)
    if statement.pdf:
        return statement
    content = statement_pdf_bytes(statement)
    with transaction.atomic():
        statement = MentorStatement.objects.select_for_update().get(pk=statement_id)
        if not statement.pdf:
            statement.pdf.save(statement_filename(statement), ContentFile(content), save=False)
            statement.pdf_rendered_at = timezone.now()
            statement.save(update_fields=["pdf", "pdf_rendered_at"])
    return statement
