"""The notification kinds ``payments`` raises (receipts, invoices, payouts), read in the reader's language."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications.kinds import NotificationText, notification_kind_register
from accounts.services import notification_raise
from mentorship.money import format_inr
from payments.models import Invoice, Payment, Payout, PayoutHold


def _payment_received(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Payment received: %(amount)s") % {"amount": format_inr(p.get("amount", 0))},
        _("Thank you. Your receipt and tax invoice are on your payments page."),
    )


def _invoice_ready(p: dict[str, Any], viewer: User) -> NotificationText:
    if p.get("kind") == Invoice.Kind.CREDIT_NOTE:
        title = _("Credit note %(number)s is ready") % {"number": p.get("number", "")}
    else:
        title = _("Tax invoice %(number)s is ready") % {"number": p.get("number", "")}
    return NotificationText(
        title, _("Amount: %(amount)s. Download the PDF any time.") % {"amount": format_inr(p.get("amount", 0))}
    )


def _payout_sent(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Payout sent: %(amount)s") % {"amount": format_inr(p.get("amount", 0))},
        _("Your earnings are on their way to your bank account."),
    )


def _payout_failed(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Payout failed: %(amount)s") % {"amount": format_inr(p.get("amount", 0))},
        " ".join(
            [
                _("The money is back in your balance and goes out with the next payout once your bank details work."),
                p.get("reason", ""),
            ]
        ).strip(),
    )


def _hold_reason(p: dict[str, Any]) -> str:
    try:
        return str(PayoutHold.Reason(p.get("reason", "")).label)
    except ValueError:
        return ""


def _payout_on_hold(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Your payouts are on hold"),
        " ".join(
            [
                _("Reason: %(reason)s.") % {"reason": _hold_reason(p)},
                p.get("note", ""),
                _("Your earnings stay in your balance and are paid out once the hold is released."),
            ]
        ).strip(),
    )


def _payout_hold_released(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Your payouts are no longer on hold"),
        _("Your available balance goes out with the next weekly payout, or you can request it now."),
    )


def _payout_mismatch(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Payout #%(id)s disagrees with RazorpayX") % {"id": p.get("payout")},
        p.get("problem", ""),
    )


def _scholarship_granted(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("Scholarship credits: %(amount)s") % {"amount": format_inr(p.get("amount", 0))},
        _("%(sponsor)s gave you credits for sessions. They are used first when you book.")
        % {"sponsor": p.get("sponsor", "")},
    )


def notify_payment_received(payment: Payment) -> None:
    """Call in the capture transaction: the receipt is owed with the capture."""
    notification_raise(
        recipient=payment.payer,
        kind="payments.payment_received",
        params={"payment": payment.pk, "amount": payment.amount_paise, "purpose": payment.purpose},
        link=reverse("payments:history"),
        dedupe_key=f"payment-received:{payment.pk}",
    )


def notify_invoice_ready(invoice: Invoice) -> None:
    notification_raise(
        recipient=invoice.buyer,
        kind="payments.invoice_ready",
        params={"invoice": invoice.pk, "number": invoice.number, "kind": invoice.kind, "amount": invoice.total_paise},
        link=reverse("payments:invoice_download", args=[invoice.pk]),
        dedupe_key=f"invoice-ready:{invoice.pk}",
    )


def notify_payout(payout: Payout) -> None:
    failed = payout.status in Payout.RETRYABLE
    notification_raise(
        recipient=payout.mentor,
        kind="payments.payout_failed" if failed else "payments.payout_sent",
        params={"payout": payout.pk, "amount": payout.amount_paise, "reason": payout.failure_reason if failed else ""},
        link=reverse("payments:earnings"),
        dedupe_key=f"payout:{payout.pk}:{payout.status}",
    )


def notify_payout_hold(hold: PayoutHold) -> None:
    """Call in the transaction that placed or released the hold."""
    placed = hold.released_at is None
    notification_raise(
        recipient=hold.mentor,
        kind="payments.payout_on_hold" if placed else "payments.payout_hold_released",
        params={"hold": hold.pk, "reason": hold.reason, "note": hold.note if placed else ""},
        link=reverse("payments:earnings"),
        dedupe_key=f"payout-hold:{hold.pk}:{'placed' if placed else 'released'}",
    )


def notify_payout_mismatch(payout: Payout, problem: str) -> None:
    """Reconciliation found RazorpayX and the ledger disagreeing: every active admin hears of it."""
    for admin in User.objects.filter(role=User.Role.ADMIN, is_staff=True, is_active=True):
        notification_raise(
            recipient=admin,
            kind="payments.payout_mismatch",
            params={"payout": payout.pk, "problem": problem},
            link=reverse("adminpanel:payout", args=[payout.pk]),
            dedupe_key=f"payout-mismatch:{payout.pk}:{problem}"[:200],
        )


def register_notification_kinds() -> None:
    register = notification_kind_register
    register(
        "payments.payment_received",
        category="payments",
        label=gettext_lazy("Payment receipts"),
        display=_payment_received,
        email=False,
    )
    register(
        "payments.invoice_ready",
        category="payments",
        label=gettext_lazy("Invoices and credit notes"),
        display=_invoice_ready,
        priority="low",
        # In the app only by default: the booking's confirmation email already links the tax invoice.
        email=False,
    )
    register(
        "payments.scholarship_granted",
        category="payments",
        label=gettext_lazy("Scholarship credits"),
        display=_scholarship_granted,
        guardian_copy=True,
    )
    register("payments.payout_sent", category="payments", label=gettext_lazy("Payouts sent"), display=_payout_sent)
    register(
        "payments.payout_failed",
        category="payments",
        label=gettext_lazy("Payouts that failed"),
        display=_payout_failed,
        priority="high",
        sms=True,
    )
    register(
        "payments.payout_on_hold",
        category="payments",
        label=gettext_lazy("Payouts put on hold"),
        display=_payout_on_hold,
        priority="high",
        mandatory=True,
    )
    register(
        "payments.payout_hold_released",
        category="payments",
        label=gettext_lazy("Payout holds released"),
        display=_payout_hold_released,
    )
    register(
        "payments.payout_mismatch",
        category="payments",
        label=gettext_lazy("Payouts that disagree with RazorpayX (staff)"),
        display=_payout_mismatch,
        priority="high",
        mandatory=True,
    )
