"""Verification documents: what may be uploaded, and the short-lived links through which staff read them."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from mentors.models import MAX_DOCUMENT_BYTES, VerificationDocument

DOCUMENT_LINK_MAX_AGE_SECONDS = 300
_LINK_SALT = "mentors.verification-document"

# The type is decided by the file's first bytes; the name's extension must agree with it.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
)


def detect_document_type(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; ValidationError for anything else (type, size, empty)."""
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)}, code="too_big"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    for magic, content_type, extensions in _SIGNATURES:
        if head.startswith(magic):
            if not any(name.endswith(extension) for extension in extensions):
                break
            return content_type
    raise ValidationError(_("Upload a PDF, JPEG or PNG file."), code="bad_type")


def document_link(document: VerificationDocument) -> str:
    """A URL of the staff document view that works for five minutes."""
    token = signing.TimestampSigner(salt=_LINK_SALT).sign(str(document.pk))
    return reverse("adminpanel:document", args=[token])


def document_id_from_token(token: str) -> int:
    """The document id in a link; raises signing.SignatureExpired or signing.BadSignature."""
    value = signing.TimestampSigner(salt=_LINK_SALT).unsign(token, max_age=DOCUMENT_LINK_MAX_AGE_SECONDS)
    return int(value)
