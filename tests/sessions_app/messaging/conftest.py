"""Fixtures of the messaging tests."""

import pytest
from django.core.files.storage import FileSystemStorage

from sessions_app.models import DirectMessage
from tests.factories import MentorProfileFactory, UserFactory


@pytest.fixture(autouse=True)
def message_storage(tmp_path, monkeypatch):
    """Images sent in threads go to a per-test folder instead of the project's private media."""
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(DirectMessage._meta.get_field("image"), "storage", storage)
    return storage


@pytest.fixture
def mentor_profile(db):
    return MentorProfileFactory()


@pytest.fixture
def adult_student(db):
    return UserFactory()
