import pytest
from django.core.files.storage import FileSystemStorage

from mentors.models import VerificationDocument


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """Verification documents go to a per-test folder instead of the project's private media."""
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(VerificationDocument._meta.get_field("file"), "storage", storage)
    return storage
