"""Tips: a learner thanks the mentor from the room (seed 002 §8.1.3 gifts, §13.2.1).

The money moves through ``payments`` (purpose ``tip``: captured straight into the mentor's payable balance, no
platform share); this module owns the tip itself and shows it in the room's chat once it is paid.
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notification_raise
from payments.models import Payment, Refund
from payments.registry import PaymentSubject
from payments.services import PURPOSE_TIP, payment_create
from sessions_app.models import Booking, Session
from sessions_app.models.room import SessionMessage, Tip
from sessions_app.notification_kinds import session_params
from sessions_app.room.chat_safety import mask_contact_details
from sessions_app.room.services import chat_announce, session_has_minor

TIP_MESSAGE_MAX_LENGTH = 200
# A tip can be sent while the session runs and for a while after (from the review page, for instance).
TIPPABLE_BOOKING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def tip_check_allowed(*, session: Session, student: User) -> None:
    """Raise ``ValidationError`` unless ``student`` may tip this session's mentor."""
    if student.is_minor:
        raise ValidationError(_("Students under 18 cannot send tips."), code="minor")
    if (
        student.pk == session.mentor_id
        or not Booking.objects.filter(session=session, student=student, status__in=TIPPABLE_BOOKING_STATUSES).exists()
    ):
        raise ValidationError(_("Only the session's students can send its mentor a tip."), code="not_member")


def tip_create(*, session: Session, student: User, amount_paise: int, message: str = "") -> Tip:
    """The tip and its Razorpay order; the student then pays at ``payments:checkout``."""
    tip_check_allowed(session=session, student=student)
    if not settings.TIP_MIN_PAISE <= amount_paise <= settings.TIP_MAX_PAISE:
        raise ValidationError(
            _("A tip is between ₹%(low)s and ₹%(high)s.")
            % {"low": settings.TIP_MIN_PAISE // 100, "high": f"{settings.TIP_MAX_PAISE // 100:,}"},
            code="amount",
        )
    message = message.strip()[:TIP_MESSAGE_MAX_LENGTH]
    with transaction.atomic():
        tip = Tip.objects.create(
            session=session, student=student, mentor_id=session.mentor_id, amount_paise=amount_paise, message=message
        )
        tip.payment = payment_create(
            payer=student,
            purpose=PURPOSE_TIP,
            reference_id=tip.pk,
            amount_paise=amount_paise,
            description=_("Tip for %(mentor)s") % {"mentor": session.mentor.get_full_name()},
            payee=session.mentor,
        )
        tip.save(update_fields=["payment"])
    return tip


def tip_mark_paid(*, payment: Payment) -> Tip:
    """The tip's payment was captured: the tip is paid and appears in the room's chat (once)."""
    tip = Tip.objects.select_for_update().select_related("student").get(pk=payment.reference_id)
    if tip.status == Tip.Status.PAID:
        return tip
    tip.status = Tip.Status.PAID
    tip.paid_at = timezone.now()
    tip.save(update_fields=["status", "paid_at"])
    text = tip.message
    if text and session_has_minor(session_id=tip.session_id):
        text = mask_contact_details(text)
    chat_announce(
        session_id=tip.session_id,
        text=text,
        kind=SessionMessage.Kind.TIP,
        sender=tip.student,
        amount_paise=tip.amount_paise,
    )
    session = Session.objects.select_related("mentor").get(pk=tip.session_id)
    notification_raise(
        recipient=session.mentor,
        kind="sessions.tip_received",
        params={**session_params(session, counterpart=tip.student), "amount": tip.amount_paise, "message": text},
        link=reverse("payments:earnings"),
        dedupe_key=f"tip:{tip.pk}",
    )
    return tip


class TipPaymentHandler:
    """``payments`` calls this inside the transaction that changed a tip's payment (see payments.registry)."""

    def on_captured(self, payment: Payment) -> None:
        tip_mark_paid(payment=payment)

    def on_failed(self, payment: Payment) -> None:
        Tip.objects.filter(pk=payment.reference_id, status=Tip.Status.PENDING).update(status=Tip.Status.FAILED)

    def on_refund_processed(self, payment: Payment, refund: Refund) -> None:
        # Only support refunds a tip (by hand); the ledger records it and the tip keeps its history.
        return None

    def return_url(self, payment: Payment) -> str:
        return reverse("sessions_app:tip_done", args=[payment.reference_id])

    def describe(self, payments: Sequence[Payment], *, viewer: User) -> dict[int, PaymentSubject]:
        # The payee is the mentor tipped (payment_create above); histories select payer and payee with the payment.
        return {
            payment.pk: PaymentSubject(
                title=_("Tip from %(student)s") % {"student": payment.payer.get_full_name()}
                if viewer.pk == payment.payee_id
                else _("Tip for %(mentor)s") % {"mentor": payment.payee.get_full_name()}
            )
            for payment in payments
            if payment.payee_id
        }
