"""`/mentors/` as a page: full page and HTMX partial, without JavaScript, bad input, empty states, query budget."""

import re

import pytest
from django.urls import reverse

from tests.factories import listed_mentor, student_with_profile

pytestmark = pytest.mark.django_db

URL = reverse("matching:search")


def options(content: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', content, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def cards(response) -> int:
    return response.content.decode().count("data-mentor=")


def test_full_page_has_the_filter_form_and_results(client):
    listed_mentor(slug="ravi-kumar", user__full_name="Ravi Kumar", languages=["te", "en"])
    response = client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content
    assert 'id="mentor-filters"' in content and 'id="results"' in content
    assert 'hx-push-url="true"' in content
    assert "Ravi Kumar" in content
    assert response.headers["Vary"].count("HX-Request") == 1


def test_htmx_request_gets_only_the_results(client):
    listed_mentor(slug="ravi-kumar", user__full_name="Ravi Kumar", languages=["te", "en"])
    listed_mentor(slug="priya-sharma", user__full_name="Priya Sharma", languages=["hi", "en"])
    response = client.get(URL, {"language": "te"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content and 'id="mentor-filters"' not in content
    assert content.lstrip().startswith('<section id="results"')
    assert "Ravi Kumar" in content and "Priya Sharma" not in content


def test_history_restore_gets_the_full_page(client):
    response = client.get(URL, {"language": "te"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_filters_work_as_a_plain_get_form_without_javascript(client):
    listed_mentor(slug="ravi-kumar", user__full_name="Ravi Kumar", languages=["te", "en"], levels_served=["school"])
    listed_mentor(slug="arun-raman", user__full_name="Arun Raman", languages=["ta"], levels_served=["college"])
    content = client.get(URL, {"language": "te", "level": "school", "sort": "rating"}).content.decode()
    assert 'method="get"' in content and 'type="submit"' in content
    assert "Ravi Kumar" in content and "Arun Raman" not in content
    # The form shows the state it was given, so the next submit keeps it.
    assert '<option value="te" selected>' in content
    assert '<option value="school" selected>' in content


def test_filter_options_come_from_listed_mentors(client):
    listed_mentor(languages=["te"], subjects=["Biology"], specializations=["NEET preparation"])
    listed_mentor(
        languages=["bn"], subjects=["Sanskrit"], specializations=["Vedic maths"], verification_status="pending"
    )
    content = client.get(URL).content.decode()
    assert options(content, "language") == ["", "te"]
    assert options(content, "subject") == ["", "Biology"]
    assert options(content, "specialization") == ["", "NEET preparation"]


def test_bad_parameters_are_reported_and_ignored_never_a_server_error(client):
    listed_mentor(slug="ravi-kumar", languages=["te"], hourly_rate_paise=80_000)
    response = client.get(
        URL, {"price_min": "lots", "price_max": "-5", "rating": "11", "page": "0", "sort": "nonsense", "language": "te"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert set(re.findall(r'id="id_(\w+)_error"', content)) == {"price_min", "price_max", "rating", "sort"}
    assert 'aria-describedby="id_price_min_error"' in content
    # The valid filter still applies (and the bad page number falls back to the first page).
    assert re.findall(r'data-mentor="([^"]+)"', content) == ["ravi-kumar"]


def test_price_range_the_wrong_way_round_is_an_error(client):
    response = client.get(URL, {"price_min": "2000", "price_max": "500"})
    assert 'id="id_price_max_error"' in response.content.decode()


def test_no_result_state_offers_to_remove_each_filter(client):
    listed_mentor(slug="ravi-kumar", languages=["te"], levels_served=["school"])
    response = client.get(URL, {"language": "te", "level": "college", "q": "physics"})
    content = response.content.decode()
    assert "data-mentor=" not in content
    assert "No mentors match all of these filters." in content
    relaxations = dict(re.findall(r'href="\?([^"]*)">Remove “([^”]+)”', content))
    assert set(relaxations.values()) == {"physics", "College students", "Telugu"}
    assert "language=te&amp;q=physics" in relaxations


def test_empty_state_when_no_mentor_is_listed(client):
    content = client.get(URL).content.decode()
    assert "No mentors are listed yet" in content
    assert "Try removing one filter" not in content


def test_visitors_are_invited_to_log_in_for_compatibility(client):
    listed_mentor()
    content = client.get(URL).content.decode()
    assert "Log in as a student" in content
    assert "% match" not in content.replace("%</span>", "")


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "student"])
def test_search_page_query_count_does_not_grow_with_the_number_of_mentors(
    client, django_assert_num_queries, django_assert_max_num_queries, signed_in
):
    if signed_in:
        client.force_login(student_with_profile(subjects=["Biology"]))
    params = {"language": "te", "level": "school", "q": "engineer"}
    for _ in range(5):
        listed_mentor(languages=["te", "en"], levels_served=["school"])
    client.get(URL, params)  # warms the filter-option cache, as on a live server
    # Visitors: the typo corrections and the page (filter options are cached). Students add their session, user,
    # languages and profile (and whatever the account middleware reads).
    with django_assert_max_num_queries(8 if signed_in else 2) as few:
        assert cards(client.get(URL, params)) == 5
    baseline = len(few)
    for _ in range(35):
        listed_mentor(languages=["te", "en", "hi"], levels_served=["school", "college"])
    client.get(URL, params)
    with django_assert_num_queries(baseline):
        assert cards(client.get(URL, params)) == 12


def test_a_page_past_the_last_mentor_links_back_to_the_first(client):
    listed_mentor(languages=["te"])
    content = client.get(URL, {"language": "te", "page": 5}).content.decode()
    assert "There are no more mentors for this search." in content
    assert 'href="?language=te"' in content
    assert "Try removing one filter" not in content


def test_active_filters_show_as_chips_that_each_remove_their_filter(client):
    listed_mentor(slug="ravi-kumar", languages=["te", "en"], levels_served=["school"])
    content = client.get(URL, {"language": "te", "level": "school", "q": "physics"}).content.decode()
    chip = r'<a class="chip-link" data-filter-chip href="\?([^"]*)" aria-label="Remove filter “([^”]+)”"'
    chips = dict(re.findall(chip, content))
    assert chips == {"level=school&amp;q=physics": "Telugu", "language=te&amp;q=physics": "School students",
                     "language=te&amp;level=school": "physics"}  # fmt: skip
    assert re.search(r"Filters <span[^>]*data-filter-count>\(3\)</span>", content)
    plain = client.get(URL).content.decode()
    assert "data-filter-chip" not in plain and re.search(r"Filters <span[^>]*data-filter-count></span>", plain)


def test_a_page_link_gives_the_results_the_focus(client):
    listed_mentor(slug="ravi-kumar")
    assert re.search(r'<section id="results"[^>]* autofocus', client.get(URL, {"page": 1}).content.decode())
    assert not re.search(r'<section id="results"[^>]* autofocus', client.get(URL).content.decode())
    partial = client.get(URL, {"page": 1}, headers={"HX-Request": "true"}).content.decode()
    assert re.search(r'<section id="results"[^>]* autofocus', partial)


def test_a_card_is_one_link_with_rating_sessions_languages_and_price(client):
    listed_mentor(slug="ravi-kumar", user__full_name="Ravi Kumar", languages=["te", "en"], average_rating=4.76,
                  rating_count=31, total_sessions=120)  # fmt: skip
    listed_mentor(slug="new-mentor", languages=["hi"])
    content = client.get(URL).content.decode()
    card = content.split('data-mentor="ravi-kumar"')[1].split("</li>\n")[0]
    assert card.count("<a ") == 1 and "<button" not in card
    assert "4.8" in card and "(31 ratings)" in card and "120 sessions done" in card
    assert re.findall(r'<li class="chip">([^<]+)</li>', card) == ["Telugu", "English"]
    assert "From ₹600" in card
    new = content.split('data-mentor="new-mentor"')[1].split("</li>\n")[0]
    assert "New mentor" in new and "sessions done" not in new
