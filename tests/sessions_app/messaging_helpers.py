"""Shared set-up of the messaging tests: people, a thread, images."""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sessions_app.models import DirectMessage
from tests.factories import GuardianConsentFactory, MentorProfileFactory, UserFactory, birth_date_for_age


@pytest.fixture(autouse=True)
def message_storage(tmp_path, monkeypatch):
    """Images sent in threads go to a per-test folder instead of the project's private media."""
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(DirectMessage._meta.get_field("image"), "storage", storage)
    return storage


def png_upload(name: str = "photo.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def minor_with_guardian(*, guardian_email: str = "amma@example.test"):
    """A 15-year-old student whose guardian consented, and the guardian's own (verified) account."""
    minor = UserFactory(date_of_birth=birth_date_for_age(15))
    GuardianConsentFactory(student=minor, guardian_email=guardian_email, granted=True)
    guardian = UserFactory(email=guardian_email)
    return minor, guardian


@pytest.fixture
def mentor_profile(db):
    return MentorProfileFactory()


@pytest.fixture
def adult_student(db):
    return UserFactory()
