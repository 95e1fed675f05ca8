import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import StudentProfileFactory, UserFactory, birth_date_for_age, language


@pytest.fixture
def client(client, settings):
    """A browser that picked English in the language switcher, so Telugu-speaking students see English pages
    and the assertions on English text hold (test_language.py uses a plain client)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a throwaway folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def new_student(db):
    """A verified adult student at the first onboarding step, with no phone yet."""
    return StudentProfileFactory(in_progress=True, user=UserFactory(phone="", date_of_birth=None)).user


@pytest.fixture
def onboarded_student(db):
    student = StudentProfileFactory(user__date_of_birth=birth_date_for_age(20)).user
    student.primary_language = language("te")
    student.save(update_fields=["primary_language"])
    student.languages.set([language("te"), language("en")])
    return student


def image_upload(name: str = "photo.png", image_format: str = "PNG", size: tuple[int, int] = (1200, 800)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=image_format)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
