import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import AuditLogEntry
from accounts.privacy import crypto
from payments.models import MentorPayoutDetails
from payments.payouts import payout_destination_for, payout_details_set
from tests.factories import DEFAULT_PASSWORD, MentorProfileFactory, MentorUserFactory, UserFactory

pytestmark = pytest.mark.django_db

K1 = "k1:" + crypto.generate_key()
K2 = "k2:" + crypto.generate_key()


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False


def _raw(details: MentorPayoutDetails) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bank_account_number, ifsc, upi_id, pan FROM payments_mentorpayoutdetails WHERE id = %s",
            [details.pk],
        )
        return dict(zip(["bank_account_number", "ifsc", "upi_id", "pan"], cursor.fetchone(), strict=True))


def _bank_details(mentor=None) -> MentorPayoutDetails:
    return payout_details_set(
        mentor=mentor or MentorUserFactory(),
        account_holder_name="Priya Sharma",
        bank_account_number="123456789012",
        ifsc="SBIN0001234",
        pan="ABCPE1234F",
    )


def test_payout_details_are_unreadable_in_the_database_and_readable_through_the_service():
    details = _bank_details()
    raw = _raw(details)
    for column, plain in [("bank_account_number", "123456789012"), ("ifsc", "SBIN0001234"), ("pan", "ABCPE1234F")]:
        assert raw[column].startswith("enc1:k1:")
        assert plain not in raw[column]
    assert raw["upi_id"] == ""
    fresh = MentorPayoutDetails.objects.get(pk=details.pk)
    assert (fresh.bank_account_number, fresh.ifsc, fresh.pan) == ("123456789012", "SBIN0001234", "ABCPE1234F")
    destination = payout_destination_for(details.mentor)
    assert destination["bank_account"]["account_number"] == "123456789012"


def test_same_value_encrypts_differently_each_time():
    first, second = _bank_details(), _bank_details()
    assert _raw(first)["bank_account_number"] != _raw(second)["bank_account_number"]


def test_a_ciphertext_moved_to_another_column_or_altered_does_not_decrypt():
    details = _bank_details()
    raw = _raw(details)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw["bank_account_number"], context="payments.mentorpayoutdetails.pan")
    tampered = raw["pan"][:-6] + ("A" if raw["pan"][-6] != "A" else "B") + raw["pan"][-5:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, context="payments.mentorpayoutdetails.pan")


def test_rotation_moves_every_row_to_the_newest_key_and_old_key_can_then_be_dropped(settings, capsys):
    details = _bank_details()
    upi = payout_details_set(mentor=MentorUserFactory(), account_holder_name="Ravi", upi_id="ravi@okaxis")
    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    # Before rotation the old rows still read with the old key, new writes use the new one.
    assert MentorPayoutDetails.objects.get(pk=details.pk).pan == "ABCPE1234F"
    call_command("rotate_encryption_keys")
    assert "2 rows now use key k2" in capsys.readouterr().out
    assert all(value.startswith("enc1:k2:") for value in _raw(details).values() if value)
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    assert MentorPayoutDetails.objects.get(pk=upi.pk).upi_id == "ravi@okaxis"
    assert AuditLogEntry.objects.filter(event=AuditLogEntry.Event.KEY_ROTATION, changes__rows=2).exists()
    call_command("rotate_encryption_keys")
    assert "0 rows now use key k2" in capsys.readouterr().out


def test_unknown_key_id_is_an_error_not_garbage(settings):
    details = _bank_details()
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    with pytest.raises(crypto.DecryptionError):
        MentorPayoutDetails.objects.get(pk=details.pk)


def test_rows_from_before_encryption_are_encrypted_by_the_data_migration_step():
    details = _bank_details()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_mentorpayoutdetails SET bank_account_number = '987654321098', pan = '' WHERE id = %s",
            [details.pk],
        )
        rewritten = crypto.reencrypt_table(
            cursor,
            table="payments_mentorpayoutdetails",
            pk_column="id",
            contexts={c: f"payments.mentorpayoutdetails.{c}" for c in ("bank_account_number", "ifsc", "upi_id", "pan")},
        )
    assert rewritten == 1
    assert _raw(details)["bank_account_number"].startswith("enc1:k1:")
    assert MentorPayoutDetails.objects.get(pk=details.pk).bank_account_number == "987654321098"


def test_payout_page_and_admin_show_details_masked(client, settings):
    details = _bank_details()
    assert details.masked_destination == "A/c ••••9012 · SBIN•••••••"
    assert details.masked_pan == "••••234F"
    client.force_login(details.mentor)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    response = client.get(reverse("payments:payout_details"))
    assert response.status_code == 200
    assert "••••9012".encode() in response.content
    assert b"123456789012" not in response.content and b"ABCPE1234F" not in response.content


def test_invalid_pan_is_refused_with_a_message():
    with pytest.raises(ValidationError) as error:
        payout_details_set(mentor=MentorUserFactory(), account_holder_name="A", upi_id="a@ok", pan="12345")
    assert "pan" in error.value.message_dict


def test_audit_log_keeps_no_payout_detail_in_clear():
    details = _bank_details()
    entries = AuditLogEntry.objects.filter(content_type__model="mentorpayoutdetails", object_pk=str(details.pk))
    assert entries.exists()
    assert all("123456789012" not in str(entry.changes) for entry in entries)


def test_payout_details_need_two_factor_sign_in_when_the_site_requires_it(settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = True
    mentor = MentorUserFactory()
    with pytest.raises(PermissionDenied):
        payout_details_set(mentor=mentor, account_holder_name="Priya", upi_id="priya@okhdfc")
    Authenticator.objects.create(user=mentor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    details = payout_details_set(
        mentor=mentor, account_holder_name="Priya", bank_account_number="1234 5678 9012", ifsc="sbin0001234"
    )
    assert details.masked_destination == "A/c ••••9012 · SBIN•••••••"
    assert MentorPayoutDetails.objects.get(mentor=mentor).bank_account_number == "123456789012"


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"bank_account_number": "12345678901", "ifsc": "SBIN1234"}, "ifsc"),
        ({"bank_account_number": "12ab", "ifsc": "SBIN0001234"}, "bank_account_number"),
        ({"upi_id": "not-a-upi"}, "upi_id"),
        ({}, "upi_id"),
        ({"account_holder_name": " ", "upi_id": "a@b"}, "account_holder_name"),
    ],
)
def test_payout_details_are_checked(settings, fields, bad_field):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    mentor = MentorUserFactory()
    with pytest.raises(ValidationError) as caught:
        payout_details_set(mentor=mentor, **{"account_holder_name": "Priya", **fields})
    assert bad_field in caught.value.message_dict


def test_payout_details_need_two_factor_first(client, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = True
    mentor = MentorUserFactory()
    client.force_login(mentor)
    response = client.get(reverse("payments:payout_details"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))


def test_payout_details_need_a_recent_sign_in_then_save(client, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = True
    mentor = MentorUserFactory()
    Authenticator.objects.create(user=mentor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(mentor)
    response = client.get(reverse("payments:payout_details"))
    assert response.status_code == 302 and reverse("account_reauthenticate") in response.url
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert client.get(reverse("payments:payout_details")).status_code == 200
    response = client.post(
        reverse("payments:payout_details"), {"account_holder_name": "Ravi Kumar", "upi_id": "ravi@okaxis"}
    )
    assert response.status_code == 302
    assert MentorPayoutDetails.objects.get(mentor=mentor).upi_id == "ravi@okaxis"
    bad = client.post(reverse("payments:payout_details"), {"account_holder_name": "Ravi", "ifsc": "XYZ"})
    assert bad.status_code == 400 and b"An IFSC looks like" in bad.content


def test_only_mentors_open_the_payout_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse("payments:payout_details")).status_code == 403


def test_the_old_payout_address_and_the_mentor_dashboard_lead_to_the_payout_page(client):
    mentor = MentorProfileFactory()
    client.force_login(mentor.user)
    old = client.get("/mentor-dashboard/payout-details/")
    assert old.status_code == 302 and old.url == reverse("payments:payout_details")
    dashboard = client.get(reverse("mentors:dashboard"))
    assert reverse("payments:payout_details").encode() in dashboard.content
    assert b"Add payout details" in dashboard.content
    _bank_details(mentor.user)
    assert b"Add payout details" not in client.get(reverse("mentors:dashboard")).content
