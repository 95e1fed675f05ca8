"""The mentor's profile photo: checked by content, cut to a square, resized, shown on the profile, the search cards
(whose cached HTML must not keep the old photo) and the room; initials otherwise."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from accounts.photos import PHOTO_MAX_SIDE
from accounts.templatetags.avatars import initials
from mentors import services
from tests.factories import listed_mentor, live_group_session, room_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(client):
    client.cookies["peerlearn_language"] = "en"
    return client


def image_file(name="me.png", image_format="PNG", size=(1200, 800), colour=(200, 80, 40), halves=None):
    """An image; with `halves` = (left colour, right colour) its left and right halves differ."""
    image = Image.new("RGB", size, colour)
    if halves:
        left, right = halves
        image.paste(left, (0, 0, size[0] // 2, size[1]))
        image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def stored(user):
    user.refresh_from_db()
    with user.photo.open("rb") as photo, Image.open(photo) as image:
        image.load()
        return image.copy(), image.format


def test_upload_is_cut_to_a_square_and_resized(english):
    mentor = listed_mentor()
    english.force_login(mentor.user)
    response = english.post(
        reverse("mentors:photo"), {"photo": image_file(size=(4000, 2000), image_format="JPEG"), "keep": "centre"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mentors:dashboard")
    image, image_format = stored(mentor.user)
    assert image.size == (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE) and image_format == "JPEG"


def test_a_small_photo_is_cut_to_its_short_side_and_never_enlarged():
    mentor = listed_mentor()
    services.mentor_photo_change(
        mentor_id=mentor.pk, actor=mentor.user, photo=image_file(size=(300, 200)), remove=False, keep="centre"
    )
    image, image_format = stored(mentor.user)
    assert image.size == (200, 200) and image_format == "PNG"


@pytest.mark.parametrize(("keep", "colour"), [("left", (0, 0, 255)), ("right", (255, 0, 0))])
def test_the_chosen_part_is_kept(keep, colour):
    mentor = listed_mentor()
    wide = image_file(size=(900, 300), halves=((0, 0, 255), (255, 0, 0)))
    services.mentor_photo_change(mentor_id=mentor.pk, actor=mentor.user, photo=wide, remove=False, keep=keep)
    image, _ = stored(mentor.user)
    assert image.size == (300, 300)
    assert image.convert("RGB").getpixel((150, 150)) == colour


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_error(english):
    mentor = listed_mentor()
    english.force_login(mentor.user)
    fake = SimpleUploadedFile("holiday.jpg", b"%PDF-1.4 this is a document, not a photo", content_type="image/jpeg")
    response = english.post(reverse("mentors:photo"), {"photo": fake, "keep": "centre"})
    assert response.status_code == 400
    assert "This file is not a photo we can read. Upload a JPEG, PNG or WebP image." in response.content.decode()
    mentor.user.refresh_from_db()
    assert not mentor.user.photo


def test_posting_nothing_asks_for_a_photo(english):
    mentor = listed_mentor()
    english.force_login(mentor.user)
    response = english.post(reverse("mentors:photo"), {"keep": "centre"})
    assert response.status_code == 400 and "Choose a photo to upload." in response.content.decode()


def test_photo_page_shows_initials_until_there_is_a_photo(english, django_assert_max_num_queries):
    mentor = listed_mentor(user__full_name="Dr. Priya Sharma")
    english.force_login(mentor.user)
    with django_assert_max_num_queries(8):
        html = english.get(reverse("mentors:photo")).content.decode()
    assert "data-avatar-initials>PS<" in html and "Remove my photo" not in html


def test_the_photo_replaces_the_initials_on_the_profile_search_card_and_room(english, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    mentor = listed_mentor(user__full_name="Ravi Teja")
    search = reverse("matching:search") + "?q=Ravi"
    before = english.get(search).content.decode()  # the card is cached now
    assert 'data-mentor="' + mentor.slug + '"' in before and "data-avatar-initials>RT<" in before

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.mentor_photo_change(
            mentor_id=mentor.pk, actor=mentor.user, photo=image_file(), remove=False, keep="centre"
        )
    mentor.user.refresh_from_db()
    url = mentor.user.photo.url
    after = english.get(search).content.decode()
    assert url in after and "data-avatar-initials>RT<" not in after
    assert url in english.get(reverse("mentors:profile", args=[mentor.slug])).content.decode()

    session = live_group_session(mentor=mentor.user)
    english.force_login(room_member(session))
    assert url in english.get(reverse("sessions_app:room", args=[session.pk])).content.decode()


def test_removing_the_photo_brings_back_the_initials_and_deletes_the_file(english):
    mentor = listed_mentor(user__full_name="Ravi Teja")
    services.mentor_photo_change(
        mentor_id=mentor.pk, actor=mentor.user, photo=image_file(), remove=False, keep="centre"
    )
    mentor.user.refresh_from_db()
    storage, name = mentor.user.photo.storage, mentor.user.photo.name
    english.force_login(mentor.user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = english.post(reverse("mentors:photo"), {"remove_photo": "on", "keep": "centre"})
    assert response.status_code == 302
    mentor.user.refresh_from_db()
    assert not mentor.user.photo and not storage.exists(name)
    html = english.get(reverse("mentors:profile", args=[mentor.slug])).content.decode()
    assert "data-avatar-initials>RT<" in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Priya Sharma", "PS"), ("Dr. Priya K. Sharma", "PS"), ("Madhu", "M"), ("", "?"), ("रवि कुमार", "रक")],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_avatar_without_photo_shows_initials_and_hides_them_from_screen_readers():
    html = Template('{% include "partials/_avatar.html" with name="Lakshmi Rao" url="" size="sm" %}').render(
        Context({})
    )
    assert 'aria-hidden="true"' in html and ">LR<" in html and "<img" not in html
