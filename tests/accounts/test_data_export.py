import io
import json
import zipfile

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditLogEntry, DataExport
from accounts.privacy import registry
from accounts.privacy.exports import data_export_token
from adminpanel.models import ModerationReport, QualityReview
from tests.accounts.conftest import image_upload
from tests.accounts.privacy_data import (
    EMAIL,
    GUARDIAN_PHONE,
    NAME,
    PHONE,
    fill_mentor_data,
    fill_student_data,
    private_files_in,
)
from tests.factories import MentorProfileFactory, UserFactory, student_with_profile
from tests.sessions_app.conftest import committed, hold_slot, mentor, paid_booking, student  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path, monkeypatch):
    private_files_in(tmp_path, monkeypatch)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "p"}},
    }
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False


def _request(client, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:data_export_request"), **kwargs)


def _download(client, user, capture) -> zipfile.ZipFile:
    client.force_login(user)
    with_link = _request(client, capture, follow=True)
    assert "We are preparing your data" in with_link.content.decode()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/privacy/export/" in line)
    assert mail.outbox[-1].to == [user.email]
    response = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_contains_every_apps_data_for_a_student_with_data_everywhere(
    client, paid_booking, django_capture_on_commit_callbacks  # noqa: F811
):
    user = student_with_profile(languages=("hi", "en"), user_fields={"full_name": NAME, "email": EMAIL, "phone": PHONE})
    made = fill_student_data(user, paid_booking=paid_booking, photo_bytes=image_upload().read())
    bundle = _download(client, user, django_capture_on_commit_callbacks)
    names = set(bundle.namelist())
    assert {f"{part}.json" for part in registry.exporters()} <= names
    assert {"account.json", "mentor.json", "sessions.json", "payments.json", "README.txt"} <= names
    assert any(name.startswith("files/account/photo/") for name in names)
    account = json.loads(bundle.read("account.json"))
    assert "Your booking is confirmed" in {n["params"].get("title") for n in account["notifications"]}
    # Nobody else's notifications: the mentor's notice about this student is the mentor's.
    assert "booked your session" not in json.dumps(account)
    assert account["account"]["email"] == EMAIL and account["account"]["phone"] == PHONE
    assert "password" not in account["account"]
    assert account["student_profile"] and account["guardian_consents"][0]["guardian_phone"] == GUARDIAN_PHONE
    assert account["sign_in_history"][0]["event"] == AuditLogEntry.Event.SIGN_IN
    sessions = json.loads(bundle.read("sessions.json"))
    assert {b["id"] for b in sessions["bookings"]} >= {made["upcoming"].pk, made["review"].booking_id}
    assert sessions["chat_messages_written"][0]["text"] == made["message"].text
    assert sessions["reviews_written"][0]["comment"] == made["review"].comment
    assert sessions["notes_shared_with_you"][0]["body"] == made["note"].body
    assert sessions["follow_up_tasks"][0]["title"] == made["task"].title
    assert sessions["disputes"][0]["id"] == made["dispute"].pk
    payments = json.loads(bundle.read("payments.json"))
    assert payments["payments"][0]["id"] == made["upcoming"].payment_id
    assert payments["payments"][0]["amount_paise"] == 120_000
    invoice = payments["invoices_and_credit_notes"][0]
    assert (invoice["number"], invoice["total_paise"]) == (made["invoice"].number, 120_000)
    assert invoice["document"]["buyer"]["name"] == NAME and invoice["issued_at"]
    pdf_name = f"files/payments/invoices/{made['invoice'].pk}-{made['invoice'].pdf.name.rsplit('/', 1)[-1]}"
    assert bundle.read(pdf_name).startswith(b"%PDF")
    support = json.loads(bundle.read("support.json"))
    assert [t["id"] for t in support["support_tickets"]] == [made["ticket"].pk]
    assert [m["body"] for m in support["support_messages"]] == [made["written"].body, made["reply"].body]
    attachment = made["attachment"]
    attachment_name = f"files/support/support-attachments/{attachment.pk}-{attachment.file.name.rsplit('/', 1)[-1]}"
    assert bundle.read(attachment_name) == b"%PDF-1.4 receipt"
    assert support["reports_made"][0]["details"] == made["report"].details
    assert support["platform_feedback"][0]["comment"] == made["feedback"].comment
    matching = json.loads(bundle.read("matching.json"))
    assert matching["interactions"][0]["id"] == made["interaction"].pk
    assert matching["interactions"][0]["kind"] == "view"
    # Nobody else's data: the mentor's notice about this student is the mentor's.
    assert "booked your session" not in json.dumps(sessions)


def test_export_of_a_mentor_has_their_profile_documents_and_masked_payout_details(
    client, django_capture_on_commit_callbacks
):
    mentor_profile = MentorProfileFactory()
    made = fill_mentor_data(mentor_profile)
    reporter = UserFactory(full_name="Reporting Student")
    report = ModerationReport.objects.create(
        reporter=reporter, kind="user", reported_user=mentor_profile.user, reason="spam", details="Secret of reporter"
    )
    review = QualityReview.objects.create(mentor=mentor_profile.user, trigger="low_rating", note="Please prepare.")
    bundle = _download(client, mentor_profile.user, django_capture_on_commit_callbacks)
    support = json.loads(bundle.read("support.json"))
    assert [(r["id"], r["reason"]) for r in support["reports_about_you"]] == [(report.pk, "spam")]
    assert [q["note"] for q in support["quality_reviews"]] == [review.note]
    # Who reported them, and what they wrote, stays with the reporter.
    assert "Secret of reporter" not in json.dumps(support) and "reporter" not in support["reports_about_you"][0]
    mentor_part = json.loads(bundle.read("mentor.json"))
    assert mentor_part["mentor_profile"]["slug"] == mentor_profile.slug
    assert mentor_part["verification_documents"][0]["id"] == made["document"].pk
    assert mentor_part["payout_details"]["destination"].startswith("A/c ••••9012")
    assert "123456789012" not in bundle.read("mentor.json").decode()
    assert any(name.startswith("files/mentor/verification-documents/") for name in bundle.namelist())


def test_a_second_export_within_a_day_is_refused(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    _request(client, django_capture_on_commit_callbacks)
    response = _request(client, django_capture_on_commit_callbacks, follow=True)
    assert "less than a day ago" in response.content.decode()
    assert DataExport.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def test_export_link_works_only_for_its_owner_and_only_when_signed(client, django_capture_on_commit_callbacks):
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    _request(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get(user=owner)
    url = reverse("accounts:data_export_download", args=[data_export_token(export)])
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(owner)
    assert client.get(url[:-3] + "xx/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_expired_exports_lose_their_file_and_link(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from accounts.privacy.exports import data_exports_expire

    user = UserFactory()
    client.force_login(user)
    _request(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get(user=user)
    path = export.file.path
    assert data_exports_expire(now=timezone.now() + timezone.timedelta(days=8)) == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and not export.file
    import os

    assert not os.path.exists(path)
    assert client.get(reverse("accounts:data_export_download", args=[data_export_token(export)])).status_code == 404


def test_privacy_page_lists_exports_with_bounded_queries(
    client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    user = UserFactory()
    client.force_login(user)
    _request(client, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:privacy"))
    assert response.status_code == 200
    assert "Ready" in response.content.decode()
