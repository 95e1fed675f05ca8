"""Packages: a mentor's bundle of sessions, bought in one Razorpay payment and held in escrow as prepaid credit.

- Buying: one payment (purpose ``package``); on capture the purchase becomes active until ``validity_days`` later.
- Booking: a 1:1 booking with the package's mentor and length takes a credit instead of money (``payments.charges``).
- Completion: that session's share of the package (price ÷ sessions) leaves escrow, 70/30 like any session.
- Cancellation: within the full-refund tier (more than 24 h before, or by the mentor) the credit comes back; later,
  the credit is used and its share is paid out as if the session had taken place.
- Expiry (``PACKAGE_EXPIRY_RULE``): credits never booked are refunded to the student in money, through the usual
  refund path (a credit note follows); sessions already booked still take place.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from mentorship.money import price_error
from outbox.services import enqueue
from payments.ledger import payment_positions
from payments.models import Charge, LedgerAccount, Package, PackagePurchase, Payment, Refund
from payments.registry import PaymentSubject
from payments.services import payment_create, payment_refund

PAYMENT_PURPOSE = "package"
REFUND_UNUSED_TASK = "payments.refund_unused_package"
SESSIONS_RANGE = (2, 20)
VALIDITY_RANGE = (7, 365)
USED_STATUSES = (Charge.Status.OPEN, Charge.Status.SETTLED, Charge.Status.RELEASED)

PACKAGE_EXPIRY_RULE = gettext_lazy(
    "Book your sessions before the package expires. Sessions you have not booked by then are refunded to you in "
    "money, in proportion to the package price; sessions already booked still take place."
)
PACKAGE_CANCEL_RULE = gettext_lazy(
    "Cancel a session more than 24 hours before it starts (or if the mentor cancels) and the credit comes back to "
    "your package. Later cancellations use up the credit."
)


# --- the mentor's offers ---------------------------------------------------------------------------------------


def _validate_offer(*, sessions_count: int, duration_minutes: int, price_paise: int, validity_days: int, mentor):
    errors: dict[str, str] = {}
    if not SESSIONS_RANGE[0] <= sessions_count <= SESSIONS_RANGE[1]:
        errors["sessions_count"] = _("A package has from 2 to 20 sessions.")
    if duration_minutes not in mentor.mentor_profile.offered_durations:
        errors["duration_minutes"] = _("Choose a session length you offer.")
    if price_problem := price_error(price_paise):
        errors["price"] = price_problem
    if not VALIDITY_RANGE[0] <= validity_days <= VALIDITY_RANGE[1]:
        errors["validity_days"] = _("A package is valid for 7 to 365 days.")
    if errors:
        raise ValidationError(errors)


def package_save(
    *,
    mentor: User,
    title: str,
    sessions_count: int,
    duration_minutes: int,
    price_paise: int,
    validity_days: int,
    package: Package | None = None,
) -> Package:
    """Create a package, or change one (purchases already made keep the terms they were sold with)."""
    if mentor.role != User.Role.MENTOR:
        raise PermissionDenied
    if package is not None and package.mentor_id != mentor.pk:
        raise PermissionDenied
    _validate_offer(
        sessions_count=sessions_count,
        duration_minutes=duration_minutes,
        price_paise=price_paise,
        validity_days=validity_days,
        mentor=mentor,
    )
    package = package or Package(mentor=mentor)
    package.title = title.strip()[:120]
    package.sessions_count = sessions_count
    package.duration_minutes = duration_minutes
    package.price_paise = price_paise
    package.validity_days = validity_days
    package.save()
    return package


def package_set_active(*, mentor: User, package: Package, active: bool) -> Package:
    if package.mentor_id != mentor.pk:
        raise PermissionDenied
    package.is_active = active
    package.save(update_fields=["is_active", "updated_at"])
    return package


def packages_on_sale(mentor_id: int) -> QuerySet[Package]:
    return Package.objects.filter(mentor_id=mentor_id, is_active=True).order_by("sessions_count", "pk")


# --- buying ------------------------------------------------------------------------------------------------------


def package_purchase_start(*, student: User, package: Package) -> Payment:
    """Create the purchase and its Razorpay order; the student then goes to checkout."""
    if student.pk == package.mentor_id:
        raise ValidationError(_("You cannot buy your own package."), code="own_package")
    if not package.is_active:
        raise ValidationError(_("This package is no longer on sale."), code="not_on_sale")
    if student.role != User.Role.STUDENT:
        raise ValidationError(_("Packages are for students."), code="not_student")
    with transaction.atomic():
        purchase = PackagePurchase.objects.create(
            package=package,
            student=student,
            mentor_id=package.mentor_id,
            sessions_count=package.sessions_count,
            duration_minutes=package.duration_minutes,
            price_paise=package.price_paise,
            validity_days=package.validity_days,
        )
        payment = payment_create(
            payer=student,
            purpose=PAYMENT_PURPOSE,
            reference_id=purchase.pk,
            amount_paise=package.price_paise,
            description=f"{package.title} · {package.sessions_count} × {package.duration_minutes} min",
            payee=package.mentor,
        )
        purchase.payment = payment
        purchase.save(update_fields=["payment"])
    return payment


class PackagePaymentHandler:
    """Registered with ``payments.registry`` under the purpose "package" (``PaymentsConfig.ready``)."""

    def on_captured(self, payment: Payment) -> None:
        purchase = PackagePurchase.objects.select_for_update().get(pk=payment.reference_id)
        if purchase.status != PackagePurchase.Status.PENDING:
            return
        purchase.status = PackagePurchase.Status.ACTIVE
        purchase.expires_at = (payment.captured_at or timezone.now()) + dt.timedelta(days=purchase.validity_days)
        purchase.save(update_fields=["status", "expires_at"])

    def on_failed(self, payment: Payment) -> None:
        """Nothing was held for an unpaid package: the student may simply try again."""

    def on_refund_processed(self, payment: Payment, refund: Refund) -> None:
        PackagePurchase.objects.filter(pk=payment.reference_id).update(unused_refund_paise=payment.refunded_paise)

    def return_url(self, payment: Payment) -> str:
        return reverse("payments:credits")

    def describe(self, payments: Sequence[Payment], *, viewer: User) -> dict[int, PaymentSubject]:
        purchases = PackagePurchase.objects.select_related("package", "mentor", "student").in_bulk(
            [payment.reference_id for payment in payments]
        )
        subjects = {}
        for payment in payments:
            purchase = purchases.get(payment.reference_id)
            if purchase is None:
                continue
            other = purchase.student if viewer.pk == purchase.mentor_id else purchase.mentor
            subjects[payment.pk] = PaymentSubject(
                title=_("Package “%(title)s”: %(count)s × %(minutes)s min with %(name)s")
                % {
                    "title": purchase.package.title,
                    "count": purchase.sessions_count,
                    "minutes": purchase.duration_minutes,
                    "name": other.full_name,
                }
            )
        return subjects


# --- credits -----------------------------------------------------------------------------------------------------


def _with_used(purchases: QuerySet[PackagePurchase]) -> QuerySet[PackagePurchase]:
    return purchases.annotate(used=Count("charges", filter=Q(charges__status__in=USED_STATUSES)))


def student_packages(student: User) -> list[PackagePurchase]:
    """The student's paid packages with ``used`` and ``remaining`` credits (one query)."""
    purchases = _with_used(
        PackagePurchase.objects.filter(student=student).exclude(status=PackagePurchase.Status.PENDING)
    ).select_related("package", "mentor__mentor_profile")
    result = list(purchases.order_by("-created_at"))
    for purchase in result:
        purchase.remaining = (  # type: ignore[attr-defined]
            purchase.sessions_count - purchase.used if purchase.status == PackagePurchase.Status.ACTIVE else 0  # type: ignore[attr-defined]
        )
    return result


def package_credit_lock(*, student: User, mentor_id: int, duration_minutes: int, now: dt.datetime):
    """The active package (row locked) that can pay for a session of this length with this mentor, soonest to
    expire first, or None."""
    candidates = PackagePurchase.objects.select_for_update().filter(
        student=student,
        mentor_id=mentor_id,
        duration_minutes=duration_minutes,
        status=PackagePurchase.Status.ACTIVE,
        expires_at__gt=now,
    )
    for purchase in candidates.order_by("expires_at", "pk"):
        used = purchase.charges.filter(status__in=USED_STATUSES).count()
        if used < purchase.sessions_count:
            return purchase
    return None


def package_credit_release_amount(purchase: PackagePurchase, charge: Charge) -> int:
    """The share of the package a finished (or forfeited) session releases: price ÷ sessions; the paise the division
    leaves over go with the last credit that can still be used."""
    held = max(payment_positions(purchase.payment).get(LedgerAccount.Kind.ESCROW, 0), 0) if purchase.payment else 0
    others_outstanding = purchase.charges.filter(status=Charge.Status.SETTLED).exclude(pk=charge.pk).count()
    used = purchase.charges.filter(status__in=USED_STATUSES).count()
    never_booked = 0 if purchase.status == PackagePurchase.Status.EXPIRED else purchase.sessions_count - used
    if others_outstanding == 0 and never_booked == 0:
        return held
    return min(purchase.credit_value_paise, held)


# --- expiry ------------------------------------------------------------------------------------------------------


def package_expire(*, purchase_id: int, now: dt.datetime | None = None) -> PackagePurchase:
    """Close a package whose time ran out and owe the refund of its never-booked sessions (sent after commit)."""
    now = now or timezone.now()
    with transaction.atomic():
        purchase = PackagePurchase.objects.select_for_update(of=("self",)).select_related("payment").get(pk=purchase_id)
        if purchase.status != PackagePurchase.Status.ACTIVE or purchase.expires_at is None or purchase.expires_at > now:
            return purchase
        used = purchase.charges.filter(status__in=USED_STATUSES).count()
        outstanding = purchase.charges.filter(status=Charge.Status.SETTLED).count()
        unused = purchase.sessions_count - used
        purchase.status = PackagePurchase.Status.EXPIRED
        purchase.expired_at = now
        purchase.save(update_fields=["status", "expired_at"])
        assert purchase.payment is not None  # active purchases are paid
        held = max(payment_positions(purchase.payment).get(LedgerAccount.Kind.ESCROW, 0), 0)
        # With nothing booked left to pay out, the remainder of the division goes back too.
        refund = held if outstanding == 0 else min(unused * purchase.credit_value_paise, held)
        if unused > 0 and refund > 0:
            enqueue(REFUND_UNUSED_TASK, purchase.pk, refund)
    return purchase


def package_refund_unused(*, purchase_id: int, amount_paise: int) -> Refund:
    purchase = PackagePurchase.objects.select_related("payment").get(pk=purchase_id)
    assert purchase.payment is not None
    return payment_refund(
        payment=purchase.payment,
        amount_paise=amount_paise,
        reason=f"Package {purchase.pk}: sessions not booked before expiry",
        idempotency_key=f"package-{purchase.pk}-expiry",
        kind=Refund.Kind.UNUSED,
    )


def packages_expire_due(*, now: dt.datetime | None = None) -> int:
    """The periodic task: expire every package past its date; returns how many."""
    now = now or timezone.now()
    due = PackagePurchase.objects.filter(status=PackagePurchase.Status.ACTIVE, expires_at__lte=now)
    count = 0
    for purchase_id in due.values_list("pk", flat=True).iterator():
        package_expire(purchase_id=purchase_id, now=now)
        count += 1
    return count
