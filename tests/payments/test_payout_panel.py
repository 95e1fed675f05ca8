"""The staff panel's payout pages (/panel/payouts/) and the mentor's side: the hold banner and the payout request."""

import pytest
from django.urls import reverse

from accounts.models import AuditLogEntry
from payments.ledger import ledger_release_escrow
from payments.models import MentorPayoutDetails, Payout, PayoutEvent, PayoutHold
from payments.payout_ops import payout_hold_place
from payments.payouts import payouts_run_weekly
from tests.factories import DEFAULT_PASSWORD, MentorUserFactory, UserFactory
from tests.payments.test_payout_ops import MONDAY, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(settings, client):
    settings.RAZORPAYX_ACCOUNT_NUMBER = "2323230041626905"
    # The MFA middleware has its own tests; here staff and mentors act as they would after enrolling.
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def admin(db):
    return UserFactory(role="admin", is_staff=True)


@pytest.fixture
def paid_mentors(captured_payment, razorpay_keys):
    """Mentors with ₹1,400 available and bank details, paid by this week's run (payouts processing)."""

    def make(count: int) -> list:
        mentors = []
        for _ in range(count):
            mentor = UserFactory(role="mentor")
            ledger_release_escrow(payment=captured_payment(200_000, payee=mentor))
            MentorPayoutDetails.objects.create(
                mentor=mentor, account_holder_name="A Mentor", bank_account_number="50100123456789", ifsc="HDFC0001234"
            )
            mentors.append(mentor)
        payouts_run_weekly(today=MONDAY)
        return mentors

    return make


def test_payout_pages_are_for_staff_only(client, paid_mentors):
    mentor = paid_mentors(1)[0]
    payout = Payout.objects.get()
    pages = [reverse("adminpanel:payouts"), reverse("adminpanel:payout", args=[payout.pk])]
    for url in pages:
        assert client.get(url).status_code == 302  # to sign in
    client.force_login(mentor)
    for url in pages:
        assert client.get(url).status_code == 403
    client.force_login(UserFactory(role="support", is_staff=True))
    for url in pages:
        assert client.get(url).status_code == 200
    # Support staff see payouts; only admins move money or hold it.
    retry = client.post(reverse("adminpanel:payout_retry", args=[payout.pk]), {"reason": "x"})
    hold = client.post(
        reverse("adminpanel:payout_hold"), {"mentor_email": mentor.email, "reason": "dispute", "note": "x"}
    )
    assert (retry.status_code, hold.status_code) == (403, 403)
    assert not PayoutHold.objects.exists() and Payout.objects.count() == 1


def test_the_payouts_page_shows_each_run_and_payout_with_status_utr_and_failure_reason(
    client, admin, paid_mentors, razorpay_keys
):
    paid, failed = paid_mentors(2)
    good, bad = Payout.objects.get(mentor=paid), Payout.objects.get(mentor=failed)
    razorpay_keys.settle_payout(good.razorpay_payout_id)
    deliver(client, razorpay_keys, "payout.processed", good)
    razorpay_keys.settle_payout(bad.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", bad)
    good.refresh_from_db()
    client.force_login(admin)

    page = client.get(reverse("adminpanel:payouts")).content.decode()
    failed_only = client.get(reverse("adminpanel:payouts"), {"status": "failed"}, headers={"HX-Request": "true"})

    assert "2025-W23" in page and good.utr in page and "Invalid beneficiary account number or IFSC" in page
    assert page.count('data-testid="payout-row"') == 2
    assert failed_only.content.decode().count('data-testid="payout-row"') == 1
    assert "<html" not in failed_only.content.decode()
    assert f"#{bad.pk}" in failed_only.content.decode()


def test_staff_retry_a_failed_payout_from_its_page_and_see_the_audit_trail(client, admin, paid_mentors, razorpay_keys):
    paid_mentors(1)
    payout = Payout.objects.get()
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", payout)
    client.force_login(admin)
    url = reverse("adminpanel:payout_retry", args=[payout.pk])

    missing_reason = client.post(url, {"reason": ""})
    response = client.post(url, {"reason": "Bank details corrected"})
    twice = client.post(url, {"reason": "Again"})

    assert missing_reason.status_code == 400
    retry = Payout.objects.get(retry_of=payout)
    assert response.status_code == 302 and response.url == reverse("adminpanel:payout", args=[retry.pk])
    assert twice.status_code == 400 and "already retried" in twice.content.decode()
    page = client.get(reverse("adminpanel:payout", args=[payout.pk])).content.decode()
    assert "Bank details corrected" in page and admin.full_name in page and f"#{retry.pk}" in page
    assert page.count('data-testid="payout-event"') == payout.events.count() == 4
    assert not payout.events.filter(kind=PayoutEvent.Kind.MISMATCH).exists()


def test_staff_hold_and_release_a_mentors_payouts_and_the_mentor_sees_why(client, admin, razorpay_keys):
    mentor = MentorUserFactory()
    client.force_login(admin)
    unknown = client.post(
        reverse("adminpanel:payout_hold"), {"mentor_email": "nobody@example.test", "reason": "dispute", "note": "x"}
    )
    placed = client.post(
        reverse("adminpanel:payout_hold"),
        {"mentor_email": mentor.email, "reason": "fraud_review", "note": "We are checking unusual refunds."},
    )
    assert unknown.status_code == 400 and "No mentor has this email address." in unknown.content.decode()
    assert placed.status_code == 302
    hold = PayoutHold.objects.get(mentor=mentor)
    audited = AuditLogEntry.objects.get(content_type__model="payouthold", object_pk=str(hold.pk))
    assert audited.actor_id == admin.pk and audited.changes["reason"] == [None, "fraud_review"]

    client.force_login(mentor)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    for page in ("payments:earnings", "payments:payout_details"):
        response = client.get(reverse(page))
        assert "We are checking unusual refunds." in response.content.decode(), page
    refused = client.post(reverse("payments:payout_request"), follow=True)
    assert "on hold" in refused.content.decode()

    client.force_login(admin)
    released = client.post(reverse("adminpanel:payout_hold_release", args=[hold.pk]), {"release_note": "Cleared"})
    assert released.status_code == 302
    hold.refresh_from_db()
    assert (hold.released_by, hold.release_note) == (admin, "Cleared")
    client.force_login(mentor)
    assert "payout-hold-banner" not in client.get(reverse("payments:earnings")).content.decode()


def test_a_mentor_requests_a_payout_from_the_earnings_page(client, mentor, captured_payment, razorpay_keys):
    ledger_release_escrow(payment=captured_payment(200_000, payee=mentor))
    MentorPayoutDetails.objects.create(mentor=mentor, account_holder_name="A Mentor", upi_id="mentor@okhdfc")
    client.force_login(mentor)
    assert "Request payout" in client.get(reverse("payments:earnings")).content.decode()

    first = client.post(reverse("payments:payout_request"), follow=True)
    second = client.post(reverse("payments:payout_request"), follow=True)

    assert "Your payout of ₹1,400 is on its way" in first.content.decode()
    assert "is on its way. You can request another once it arrives." in second.content.decode()
    payout = Payout.objects.get()
    assert (payout.origin, payout.amount_paise) == (Payout.Origin.REQUESTED, 140_000)
    assert razorpay_keys.state.payouts[payout.razorpay_payout_id]["mode"] == "UPI"
    assert client.post(reverse("payments:payout_request")).status_code == 302
    client.force_login(UserFactory())
    assert client.post(reverse("payments:payout_request")).status_code == 403


def test_payout_pages_run_a_bounded_number_of_queries(
    client, admin, paid_mentors, razorpay_keys, django_assert_max_num_queries
):
    mentors = paid_mentors(4)
    payout = Payout.objects.filter(mentor=mentors[0]).get()
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", payout)
    for mentor in mentors[1:3]:
        payout_hold_place(mentor=mentor, reason="dispute", note="Open dispute", actor=admin)
    client.force_login(admin)

    with django_assert_max_num_queries(9):
        assert client.get(reverse("adminpanel:payouts")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("adminpanel:payout", args=[payout.pk])).status_code == 200
