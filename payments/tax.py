"""Tax deducted at source from mentors' earnings, and what a mentor keeps of a price ("You'll earn").

Section 194-O of the Income-tax Act makes an e-commerce operator (PeerLearn) deduct income tax from the gross amount
of the services an e-commerce participant (the mentor) supplies through its platform, "at the time of credit of the
amount … to the account of the participant or at the time of payment thereof, whichever is earlier". Crediting the
mentor's payable account is that credit, and it always comes before the payout, so the tax is withheld then: when
a session's escrow is released to the mentor and when a tip is received (``payments.ledger``). The base is the
mentor's own supply as the invoice shows it: their fee (70 % of the price) and tips in full; the platform fee is
the platform's own service to the student, invoiced with its GST. A refund that takes credited earnings back also
gives back the tax withheld on them, in proportion, so the withholding always matches what the mentor keeps.

Rates are settings in basis points: ``TDS_194O_RATE_BASIS_POINTS`` (0.1 %, the rate since 1 October 2024; it was
1 %) and, for a mentor with no PAN on file, ``TDS_NO_PAN_RATE_BASIS_POINTS`` (5 %: section 206AA sets that rate
for 194-O when no PAN is furnished).
Amounts are paise rounded half up. The ₹5 lakh yearly threshold for individuals who gave a PAN is not applied: the
tax is withheld from the first rupee and the mentor claims it against their own liability in their return.
"""

from django.conf import settings

from payments.models import MentorPayoutDetails


def tds_rate_basis_points(*, has_pan: bool) -> int:
    return settings.TDS_194O_RATE_BASIS_POINTS if has_pan else settings.TDS_NO_PAN_RATE_BASIS_POINTS


def mentor_has_pan(mentor) -> bool:
    details = MentorPayoutDetails.objects.filter(mentor=mentor).only("pan").first()
    return bool(details and details.pan)


def tds_rate_for(mentor) -> int:
    """The rate that applies to this mentor now, in basis points."""
    return tds_rate_basis_points(has_pan=mentor_has_pan(mentor))


def tds_amount(paise: int, rate_basis_points: int) -> int:
    """Tax on ``paise`` at ``rate_basis_points``, rounded half up to the paisa."""
    return (paise * rate_basis_points * 2 + 10_000) // 20_000


def rate_percent(rate_basis_points: int) -> str:
    """10 → "0.1", 500 → "5": a rate as people write it."""
    return f"{rate_basis_points / 100:g}"
