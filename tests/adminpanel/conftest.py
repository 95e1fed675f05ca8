import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import translation

from adminpanel.models import TicketAttachment
from mentors.models import VerificationDocument
from tests.sessions_app.conftest import committed, hold_slot, mentor, paid_booking, student  # noqa: F401


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """Verification documents and ticket attachments go to a per-test folder instead of the project's private media."""
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(VerificationDocument._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(TicketAttachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request in a user's language leaves it active in the thread; service messages here are read in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def no_mfa_gate(settings, client):
    # The MFA middleware has its own tests; here staff act as they would after enrolling.
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
