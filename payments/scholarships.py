"""Scholarship credits: a sponsor (an organisation's account, or the platform through its staff) grants a student
credits worth an amount; bookings spend them, oldest grant first, before the student pays anything.

Granting moves the amount from the sponsor's fund to the student's credit in the ledger; spending moves it into
the mentor's escrow with the booking (``payments.charges``). Each spend is recorded per grant (``ScholarshipUse``),
so a sponsor's report names the students and sessions they paid for.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notification_raise
from payments import ledger
from payments.models import MINIMUM_AMOUNT_PAISE, Charge, ScholarshipGrant, ScholarshipUse

MAX_GRANT_PAISE = 10_00_000_00  # ₹10 lakh: a typing slip, not a scholarship


def may_grant(user: User) -> bool:
    """Staff, and sponsor accounts (the ``payments.add_scholarshipgrant`` permission), grant credits."""
    return user.is_staff or user.has_perm("payments.add_scholarshipgrant")


def scholarship_grant(
    *, granted_by: User, student: User, amount_paise: int, sponsor: User | None = None, note: str = ""
) -> ScholarshipGrant:
    """Grant ``student`` credits worth ``amount_paise``, funded by ``sponsor`` (a sponsor account grants from its
    own fund; staff may name any sponsor, or fund it themselves)."""
    if not may_grant(granted_by):
        raise PermissionDenied(_("You cannot grant scholarship credits."))
    sponsor = sponsor or granted_by
    if sponsor.pk != granted_by.pk and not granted_by.is_staff:
        raise PermissionDenied(_("You can only grant credits from your own fund."))
    if student.role != User.Role.STUDENT:
        raise ValidationError({"student": _("Scholarship credits are for students.")}, code="not_student")
    if not MINIMUM_AMOUNT_PAISE <= amount_paise <= MAX_GRANT_PAISE:
        raise ValidationError({"amount": _("Grant between ₹1 and ₹10,00,000.")}, code="grant_amount")
    with transaction.atomic():
        grant = ScholarshipGrant.objects.create(
            sponsor=sponsor,
            student=student,
            amount_paise=amount_paise,
            remaining_paise=amount_paise,
            note=note[:255],
            granted_by=granted_by,
        )
        ledger.ledger_grant_scholarship(grant=grant)
        _notify_grant(grant)
    return grant


def _notify_grant(grant: ScholarshipGrant) -> None:
    # The kind sends a minor's guardians a copy (``guardian_copy``); they also see grants on their family page.
    notification_raise(
        recipient=grant.student,
        kind="payments.scholarship_granted",
        params={"grant": grant.pk, "amount": grant.amount_paise, "sponsor": grant.sponsor.full_name},
        link=reverse("payments:credits"),
        dedupe_key=f"scholarship:{grant.pk}",
    )


def scholarship_balance_paise(student: User) -> int:
    total = ScholarshipGrant.objects.filter(student=student).aggregate(total=Sum("remaining_paise"))["total"]
    return total or 0


def scholarship_reserve(*, charge: Charge, amount_paise: int) -> int:
    """Spend up to ``amount_paise`` of the payer's credits on a charge, oldest grant first (rows locked). Returns
    what was spent."""
    left = amount_paise
    grants = ScholarshipGrant.objects.select_for_update().filter(student=charge.payer, remaining_paise__gt=0)
    for grant in grants.order_by("created_at", "pk"):
        if left <= 0:
            break
        take = min(left, grant.remaining_paise)
        grant.remaining_paise -= take
        grant.save(update_fields=["remaining_paise"])
        ScholarshipUse.objects.create(grant=grant, charge=charge, amount_paise=take)
        left -= take
    return amount_paise - left


def scholarship_available_paise(student: User) -> int:
    """The credits a student can spend, counted under the grants' row locks (inside the caller's transaction)."""
    grants = ScholarshipGrant.objects.select_for_update().filter(student=student, remaining_paise__gt=0)
    return sum(grant.remaining_paise for grant in grants)


def scholarship_return(*, charge: Charge, amount_paise: int) -> int:
    """Give back up to ``amount_paise`` of what a charge spent, newest use first, to the grants it came from."""
    left = amount_paise
    uses = ScholarshipUse.objects.select_for_update().filter(charge=charge, returned_paise__lt=F("amount_paise"))
    for use in uses.order_by("-pk"):
        if left <= 0:
            break
        give = min(left, use.amount_paise - use.returned_paise)
        use.returned_paise += give
        use.save(update_fields=["returned_paise"])
        ScholarshipGrant.objects.filter(pk=use.grant_id).update(remaining_paise=F("remaining_paise") + give)
        left -= give
    return amount_paise - left


# --- reports -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SponsorTotals:
    sponsor: User
    granted_paise: int
    spent_paise: int
    students: int


def sponsor_totals() -> list[SponsorTotals]:
    """What each sponsor granted, to how many students, and what students have spent of it (three queries)."""
    granted = list(
        ScholarshipGrant.objects.values("sponsor")
        .annotate(granted=Sum("amount_paise"), students=Count("student", distinct=True))
        .order_by("sponsor")
    )
    spent = dict(
        ScholarshipUse.objects.values("grant__sponsor")
        .annotate(total=Sum(F("amount_paise") - F("returned_paise")))
        .values_list("grant__sponsor", "total")
    )
    sponsors = User.objects.in_bulk([row["sponsor"] for row in granted])
    return [
        SponsorTotals(
            sponsor=sponsors[row["sponsor"]],
            granted_paise=row["granted"] or 0,
            spent_paise=spent.get(row["sponsor"]) or 0,
            students=row["students"],
        )
        for row in granted
    ]


def sponsor_uses(sponsor_id: int | None = None) -> QuerySet[ScholarshipUse]:
    """Each spend of a sponsor's credits, with its student and the charge (purpose and reference: the session)."""
    uses = ScholarshipUse.objects.select_related("grant__sponsor", "grant__student", "charge__payee").order_by(
        "-charge__created_at", "-pk"
    )
    if sponsor_id is not None:
        uses = uses.filter(grant__sponsor_id=sponsor_id)
    return uses


def grants_for_students(student_ids: set[int]) -> QuerySet[ScholarshipGrant]:
    return ScholarshipGrant.objects.filter(student_id__in=student_ids).select_related("sponsor", "student")
