"""The layout shell (`mentorship.layout`): the same page as a full render, each viewer's own token and path, and
never another viewer's data."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.utils.safestring import mark_safe

from mentorship import layout
from tests.factories import MentorProfileFactory, UserFactory, student_with_profile

pytestmark = pytest.mark.django_db

PARTS = {
    "filters_html": mark_safe("<form>the filters</form>"),
    "results_html": mark_safe("<section>the results &amp; more</section>"),
}
TOKEN = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture(autouse=True)
def _fresh_shells():
    layout.clear()
    yield
    layout.clear()


def request_for(user, path="/mentors/?language=te&level=school"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    return request


def without_tokens(html: str) -> str:
    return TOKEN.sub("TOKEN", html)


@pytest.mark.parametrize("kind", ["visitor", "student", "mentor", "staff"])
def test_the_page_from_the_shell_is_the_page_rendered_in_full(kind):
    user = {
        "visitor": lambda: AnonymousUser(),
        "student": lambda: student_with_profile(),
        "mentor": lambda: MentorProfileFactory().user,
        "staff": lambda: UserFactory(is_staff=True),
    }[kind]()
    for language in ("en", "hi"):
        with translation.override(language):
            full = render_to_string("matching/search.html", PARTS, request_for(user))
            first = layout.render_page(request_for(user), "matching/search.html", PARTS)
            from_shell = layout.render_page(request_for(user), "matching/search.html", PARTS)
        assert without_tokens(first) == without_tokens(full)
        assert without_tokens(from_shell) == without_tokens(full)


def test_each_request_gets_its_own_csrf_token_and_path():
    student = student_with_profile()
    layout.render_page(request_for(student), "matching/search.html", PARTS)
    request = request_for(student, "/mentors/?language=te&level=school&page=2")
    page = layout.render_page(request, "matching/search.html", PARTS)
    assert page.count('name="next" type="hidden" value="/mentors/?language=te&amp;level=school&amp;page=2"') == 2
    assert request.META["CSRF_COOKIE"]
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert tokens and all(len(token) == 64 for token in tokens)
    assert "the results &amp; more" in page


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"personal.html": "{{ user.full_name }}|{{ body }}"})
                ],
                "context_processors": ["django.contrib.auth.context_processors.auth"],
            },
        }
    ]
)
def test_a_layout_that_shows_something_personal_is_rendered_for_each_viewer():
    ravi = UserFactory(full_name="Ravi Kumar")
    asha = UserFactory(full_name="Asha Rao")
    body = {"body": mark_safe("<b>x</b>")}
    assert layout.render_page(request_for(ravi), "personal.html", body) == "Ravi Kumar|<b>x</b>"
    assert layout.render_page(request_for(asha), "personal.html", body) == "Asha Rao|<b>x</b>"


def test_text_parts_are_escaped_as_the_template_would():
    student = student_with_profile()
    for _ in range(2):
        page = layout.render_page(request_for(student), "matching/search.html", {**PARTS, "results_html": "<i>"})
        assert "&lt;i&gt;" in page


def test_a_waiting_message_is_shown_in_the_page():
    student = student_with_profile()
    layout.render_page(request_for(student), "matching/search.html", PARTS)
    request = request_for(student)
    request._messages = FallbackStorage(request)
    request._messages.add(20, "Your booking is confirmed.")
    assert "Your booking is confirmed." in layout.render_page(request, "matching/search.html", PARTS)
