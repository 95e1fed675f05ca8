"""The home page: who it is for, how it works, real top-rated mentors and the languages offered, a search box, all
from a bounded number of queries and then from the cache."""

import re

import pytest
from django.urls import reverse

from tests.accounts.browser import ensure_languages
from tests.factories import listed_mentor

pytestmark = pytest.mark.django_db

URL = reverse("home")


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def shown_mentors(content: str) -> list[str]:
    section = content.split('id="top-mentors-heading"')[1].split("</section>")[0]
    return re.findall(r'data-mentor="([^"]+)"', section)


def test_the_home_page_shows_the_best_rated_mentors_the_languages_and_a_search_box(
    client, django_assert_max_num_queries
):
    ensure_languages()
    for index, rating in enumerate([4.1, 4.9, 3.8, 4.6, 4.3]):
        listed_mentor(slug=f"rated-{index}", average_rating=rating, rating_count=20, total_sessions=40)
    listed_mentor(slug="unrated")
    with django_assert_max_num_queries(8):
        content = client.get(URL).content.decode()
    assert shown_mentors(content) == ["rated-1", "rated-3", "rated-4", "rated-0"]
    assert "(20 ratings)" in content
    assert re.search(r'<form method="get" action="/mentors/" role="search"[^>]*>', content)
    assert 'name="q"' in content
    assert 'lang="te">తెలుగు</a>' in content and 'href="/mentors/?language=hi"' in content
    for heading in ("Who PeerLearn is for", "How PeerLearn works", "Top-rated mentors"):
        assert heading in content

    # Then from the cache: nothing from the database for a visitor.
    with django_assert_max_num_queries(0):
        assert shown_mentors(client.get(URL).content.decode()) == ["rated-1", "rated-3", "rated-4", "rated-0"]


def test_a_new_rating_shows_on_the_home_page_at_once(client):
    listed_mentor(slug="first", average_rating=4.0, rating_count=3)
    assert shown_mentors(client.get(URL).content.decode()) == ["first"]
    listed_mentor(slug="better", average_rating=5.0, rating_count=30)
    assert shown_mentors(client.get(URL).content.decode()) == ["better", "first"]


def test_before_anyone_is_rated_the_home_page_shows_no_empty_mentor_list(client):
    listed_mentor(slug="new-mentor")
    content = client.get(URL).content.decode()
    assert "Top-rated mentors" not in content and "How PeerLearn works" in content
