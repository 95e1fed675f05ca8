"""Times are shown in the viewer's zone and labelled one way everywhere: India's zone by its name in the reader's
language, every other zone by its IANA name."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.consent import consent_token_make
from tests.factories import GuardianConsentFactory, MentorProfileFactory, UserFactory

GRANTED_AT = dt.datetime(2026, 12, 4, 20, 7, tzinfo=dt.UTC)


def _consent_page(client, consent) -> str:
    token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    return client.get(reverse("accounts:guardian_consent", args=[token])).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("browser_zone", "shown"),
    [
        (None, "5 Dec 2026, 01:37 (India Standard Time)"),
        ("America/New_York", "4 Dec 2026, 15:07 (America/New_York)"),
        ("Europe/London", "4 Dec 2026, 20:07 (Europe/London)"),
    ],
)
def test_guardian_sees_when_they_consented_in_their_own_zone_and_its_name(client, browser_zone, shown):
    with time_machine.travel(GRANTED_AT, tick=False):
        consent = GuardianConsentFactory(granted=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if browser_zone:
        client.cookies["peerlearn_tz"] = browser_zone
    with time_machine.travel(GRANTED_AT + dt.timedelta(minutes=5)):
        html = _consent_page(client, consent)
    assert f"You gave your consent on {shown}. Thank you." in html
    assert "(UTC)" not in html


@pytest.mark.django_db
def test_withdrawal_time_is_labelled_with_the_viewers_zone(client):
    consent = GuardianConsentFactory(status="withdrawn", withdrawn_at=GRANTED_AT)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _consent_page(client, consent)
    assert "You withdrew or declined consent on 5 Dec 2026, 01:37 (India Standard Time)." in html


@pytest.mark.django_db
def test_interview_time_is_labelled_with_the_zone_name_not_an_ambiguous_abbreviation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    from mentors.models import VerificationStatus as S
    from mentors.services import verification_transition

    mentor = MentorProfileFactory(verification_status=S.BACKGROUND_CHECK_IN_PROGRESS, user__time_zone="America/Chicago")
    staff = UserFactory(is_staff=True, role="support")
    with django_capture_on_commit_callbacks(execute=True):
        verification_transition(
            mentor_id=mentor.pk,
            actor=staff,
            expected_status=S.BACKGROUND_CHECK_IN_PROGRESS,
            to_status=S.INTERVIEW_SCHEDULED,
            scheduled_for=dt.datetime(2026, 12, 10, 16, 30, tzinfo=dt.UTC),
        )
    [email] = mailoutbox
    assert "Interview: Thursday 10 December 2026, 10:30 (America/Chicago)" in email.body
    assert "(America/Chicago)" in email.alternatives[0][0] and " CST" not in email.alternatives[0][0]
    client.force_login(mentor.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("mentors:dashboard")).content.decode()
    assert "Thursday 10 December 2026, 10:30 (America/Chicago)" in page


def test_no_template_labels_a_zone_another_way():
    """Zone labels come from the active zone's name; no template hard-codes UTC or prints an abbreviation
    ("IST" is also Irish and Israel time, and most zones have none)."""
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.*"):
        text = path.read_text()
        if "(UTC)" in text or re.search(r'\|date:"[^"]*\bT\b[^"]*"', text):
            offenders.append(str(path))
    assert offenders == []
