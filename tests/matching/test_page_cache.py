"""The search cache (`matching.page_cache`): what it shares between viewers, when it forgets, and that it is
never needed."""

import re

import pytest
from django.urls import reverse

from matching.models import MentorSearchDocument
from matching.services import search_document_refresh
from tests.factories import listed_mentor, student_with_profile

pytestmark = pytest.mark.django_db

URL = reverse("matching:search")


def names(response) -> list[str]:
    return re.findall(r'<h3[^>]*><a class="[^"]*" href="[^"]*">([^<]+)</a>', response.content.decode())


def reasons(response) -> list[str]:
    return re.findall(r'<li class="rounded-full bg-indigo-50[^"]*">([^<]+)</li>', response.content.decode())


def test_a_cached_visitor_page_shows_a_mentor_change_once_the_data_version_moves(
    client, django_capture_on_commit_callbacks
):
    mentor = listed_mentor(user__full_name="Ravi Kumar", languages=["te", "en"])
    assert names(client.get(URL, {"language": "te"})) == ["Ravi Kumar"]
    # A change the search documents have not seen yet: the cached page is served as it was.
    MentorSearchDocument.objects.filter(pk=mentor.pk).update(full_name="Changed Behind The Cache")
    assert names(client.get(URL, {"language": "te"})) == ["Ravi Kumar"]

    mentor.user.full_name = "Ravi K. Reddy"
    mentor.user.save(update_fields=["full_name"])
    with django_capture_on_commit_callbacks(execute=True):
        search_document_refresh(mentor_id=mentor.pk)
    assert names(client.get(URL, {"language": "te"})) == ["Ravi K. Reddy"]
    # The HTMX results and the full page are separate entries; both moved.
    assert names(client.get(URL, {"language": "te"}, headers={"HX-Request": "true"})) == ["Ravi K. Reddy"]


def test_a_mentor_who_leaves_the_listing_leaves_the_cached_page(client, django_capture_on_commit_callbacks):
    staying = listed_mentor(user__full_name="Asha Rao")
    leaving = listed_mentor(user__full_name="Imran Khan")
    assert sorted(names(client.get(URL))) == ["Asha Rao", "Imran Khan"]
    leaving.verification_status = "suspended"
    leaving.save(update_fields=["verification_status"])
    with django_capture_on_commit_callbacks(execute=True):
        search_document_refresh(mentor_id=leaving.pk)
    assert names(client.get(URL)) == [staying.user.full_name]


def test_a_students_score_and_reasons_are_never_served_to_another_viewer(client):
    listed_mentor(slug="ravi-kumar", languages=["te", "en"], levels_served=["school"])
    telugu = student_with_profile(languages=["te", "en"], academic_level="school")
    hindi = student_with_profile(languages=["hi"], academic_level="college")

    client.force_login(telugu)
    first = client.get(URL)
    assert "Speaks Telugu" in reasons(first)
    telugu_percent = re.search(r'font-bold">(\d+)%', first.content.decode()).group(1)

    client.force_login(hindi)
    second = client.get(URL)
    assert "Speaks Telugu" not in reasons(second)
    assert re.search(r'font-bold">(\d+)%', second.content.decode()).group(1) != telugu_percent

    client.logout()
    visitor = client.get(URL).content.decode()
    assert reasons(client.get(URL)) == [] and "% match" not in visitor.replace("%</span>", "")
    assert "Log in as a student" in visitor


def test_cached_pages_and_cards_are_kept_per_language(client, settings):
    listed_mentor(user__full_name="Ravi Kumar", languages=["te", "en"])
    english = client.get(URL).content.decode()
    assert "Find a mentor" in english and "New mentor" in english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    hindi = client.get(URL).content.decode()
    assert "New mentor" not in hindi and "Speaks" not in hindi
    assert 'lang="hi"' in hindi

    student = student_with_profile(languages=["te", "en"])
    client.force_login(student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "New mentor" in client.get(URL).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    assert "New mentor" not in client.get(URL).content.decode()


def test_a_cached_visitor_search_reads_nothing_from_the_database(client, django_assert_num_queries):
    for _ in range(3):
        listed_mentor(languages=["te", "en"], levels_served=["school"])
    params = {"language": "te", "level": "school", "q": "engineer"}
    client.get(URL, params)
    with django_assert_num_queries(0):
        assert client.get(URL, params).content.decode().count("data-mentor=") == 3


def test_the_same_search_with_its_parameters_in_another_order_is_one_entry(client, django_assert_num_queries):
    listed_mentor(languages=["te"], levels_served=["school"])
    client.get(URL + "?language=te&level=school")
    with django_assert_num_queries(0):
        assert client.get(URL + "?level=school&language=te").status_code == 200


def test_search_pages_render_from_postgresql_while_the_cache_is_down(client, settings):
    listed_mentor(user__full_name="Ravi Kumar", languages=["te", "en"], levels_served=["school"])
    student = student_with_profile(languages=["te", "en"], academic_level="school")
    # A Redis nobody listens on: every cache call fails with a connection error.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get(URL, {"language": "te"})
    assert response.status_code == 200 and names(response) == ["Ravi Kumar"]
    client.force_login(student)
    response = client.get(URL, {"language": "te"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Speaks Telugu" in reasons(response)


def _csrf_from(content: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', content).group(1)


def test_every_visitor_of_a_cached_page_gets_a_working_csrf_token_of_their_own(settings):
    from django.test import Client

    listed_mentor(languages=["te"])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = _csrf_from(first.get(URL).content.decode())
    second_page = second.get(URL).content.decode()
    second_token = _csrf_from(second_page)
    assert "csrfslot" not in second_page
    assert first.cookies[settings.CSRF_COOKIE_NAME].value != second.cookies[settings.CSRF_COOKIE_NAME].value
    # Each token is good for its own visitor's next form (the language switcher on the cached page), not the other's.
    change, data = reverse("set_language"), {"language": "hi", "next": URL}
    assert second.post(change, data, headers={"X-CSRFToken": second_token}).status_code == 302
    assert first.post(change, data, headers={"X-CSRFToken": first_token}).status_code == 302
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(URL)
    assert stranger.post(change, data, headers={"X-CSRFToken": first_token}).status_code == 403


def test_a_visitor_with_a_message_waiting_sees_it_on_the_search_page(client):
    listed_mentor(languages=["te"])
    client.get(URL)  # the page is cached
    client.force_login(student_with_profile())
    client.post(reverse("account_logout"))
    with_message = client.get(URL).content.decode()
    assert 'role="status"' in with_message and "signed out" in with_message
    assert "signed out" not in client.get(URL).content.decode()


def test_a_students_profile_and_language_changes_show_in_the_next_search(client):
    from accounts import services as account_services
    from accounts.models import Language

    listed_mentor(languages=["te", "en"], levels_served=["school"])
    student = student_with_profile(languages=["te", "en"], academic_level="school")
    client.force_login(student)
    assert {"Speaks Telugu", "Teaches school students"} <= set(reasons(client.get(URL)))

    account_services.student_languages_save(
        user=student, primary_language=Language.objects.get(code="hi"), additional_languages=[]
    )
    shown = set(reasons(client.get(URL)))
    assert "Speaks Telugu" not in shown and "Teaches school students" in shown

    account_services.student_level_save(user=student, academic_level="college")
    assert "Teaches school students" not in reasons(client.get(URL))


def test_a_students_facts_are_read_once_then_from_the_cache(client, django_assert_num_queries):
    from matching import selectors

    student = student_with_profile(languages=["te"])
    first = selectors.student_facts_for(student)
    with django_assert_num_queries(0):
        assert selectors.student_facts_for(student) == first


def test_a_students_full_search_page_renders_while_the_cache_is_down(client, redis_down):
    listed_mentor(user__full_name="Ravi Kumar", languages=["te", "en"], levels_served=["school"])
    client.force_login(student_with_profile(languages=["te", "en"], academic_level="school"))
    for _ in range(2):
        response = client.get(URL, {"language": "te"})
        assert response.status_code == 200 and names(response) == ["Ravi Kumar"]
        assert "Speaks Telugu" in reasons(response)
