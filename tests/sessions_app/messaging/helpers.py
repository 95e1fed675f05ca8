"""Helpers of the messaging tests: images and a minor with a guardian."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import GuardianConsentFactory, UserFactory, birth_date_for_age


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
