"""Profile photos: checked by their real content (not the file name or the browser's claim), then resized."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 512
# Pillow format name -> file extension we store under.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Refuse absurd dimensions before decoding: a small file can still claim a gigapixel canvas.
PHOTO_MAX_SOURCE_PIXELS = 40_000_000
# Cropping to a square keeps this part of the photo: (x, y) of the kept square's centre, 0 to 1 across the photo.
SQUARE_FOCUS = {
    "centre": (0.5, 0.5),
    "top": (0.5, 0.0),
    "bottom": (0.5, 1.0),
    "left": (0.0, 0.5),
    "right": (1.0, 0.5),
}


def photo_validate(upload: UploadedFile) -> None:
    """Raise ValidationError unless the upload is a JPEG, PNG or WebP image of at most 5 MB."""
    size = upload.size or 0
    if size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("This photo is %(size)s; the limit is %(limit)s. Please choose a smaller photo."),
            code="photo_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(PHOTO_MAX_BYTES)},
        )
    not_an_image = ValidationError(
        _("This file is not a photo we can read. Upload a JPEG, PNG or WebP image."), code="photo_not_image"
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="photo_format")
    if width * height > PHOTO_MAX_SOURCE_PIXELS:
        raise ValidationError(_("This photo's dimensions are too large."), code="photo_dimensions")


class NormalizedPhoto(ContentFile):
    """The output of `photo_normalize`: always named."""

    name: str


def photo_normalize(upload: UploadedFile, *, max_side: int = PHOTO_MAX_SIDE, square: str = "") -> NormalizedPhoto:
    """A re-encoded copy at most `max_side` px on its longest side, upright, without metadata (EXIF can carry a
    location) or anything appended to the image, under a random name with the extension of its real format.

    With `square` (a key of `SQUARE_FOCUS`), cut to the largest square that keeps that part of the photo first."""
    upload.seek(0)
    with Image.open(upload) as source:
        image_format = source.format
        image = ImageOps.exif_transpose(source)
        if square:
            side = min(*image.size, max_side)
            image = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS, centering=SQUARE_FOCUS[square])
        else:
            image.thumbnail((max_side, max_side))
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format=image_format, quality=85)
    return NormalizedPhoto(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{PHOTO_FORMATS[str(image_format)]}")
