"""Mentors give a city and a state (from the list of states and union territories): the application and the profile
editor ask, search's "In my state" and the "Same state" reason then apply, and staff see who never gave one."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.suggestions import INDIAN_STATES
from matching import selectors
from matching.models import MentorSearchDocument
from mentors.models import VerificationStatus as S
from mentors.services import mentor_profile_update
from tests.factories import MentorProfileFactory, UserFactory, student_with_profile
from tests.mentors.test_services import application
from tests.mentors.test_views import application_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    yield
    # Middleware activates the viewer's language in this thread; later tests must not inherit Telugu.
    translation.deactivate()


def _state_options(html: str) -> list[str]:
    select = html[html.index('name="state"') : html.index("</select>", html.index('name="state"'))]
    return [option.split('"')[1] for option in select.split("<option value=")[1:]]


def test_application_asks_for_city_and_a_state_from_the_list(client):
    client.force_login(UserFactory(city="", state=""))
    html = client.get(reverse("mentors:apply")).content.decode()
    assert 'name="city"' in html and "City or town" in html
    assert _state_options(html) == ["", *INDIAN_STATES] and len(INDIAN_STATES) == 36


def test_state_names_are_shown_in_the_viewers_language(client, settings):
    client.force_login(UserFactory(city="", state=""))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    html = client.get(reverse("mentors:apply")).content.decode()
    with translation.override("hi"):
        telangana = translation.gettext("Telangana")
    assert telangana != "Telangana"
    assert f'<option value="Telangana">{telangana}</option>' in html


def test_applying_stores_city_and_state(client, django_capture_on_commit_callbacks):
    user = UserFactory(city="", state="")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentors:apply"), application_post(city="  Vijayawada ", state="Andhra Pradesh"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.city, user.state) == ("Vijayawada", "Andhra Pradesh")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"state": "Atlantis"}, "state", "Select a valid choice."),
        ({"state": ""}, "state", "This field is required."),
        ({"city": "   "}, "city", "This field is required."),
    ],
)
def test_a_bad_location_is_refused_next_to_its_field_and_nothing_is_lost(client, fields, field, message):
    user = UserFactory(city="", state="")
    client.force_login(user)
    response = client.post(reverse("mentors:apply"), application_post(**fields))
    assert response.status_code == 400
    form = response.context["forms"].profile
    assert message in form.errors[field][0]
    assert form["title"].value() == "JEE Physics Mentor"
    user.refresh_from_db()
    assert (user.city, user.state, user.role) == ("", "", "student")


def test_the_service_refuses_a_state_that_is_not_on_the_list():
    mentor = MentorProfileFactory(user__state="")
    app = application(state="Atlantis", documents=[])
    app.profile.update(university=mentor.university, company=mentor.company)
    with pytest.raises(ValidationError) as refused:
        mentor_profile_update(mentor_id=mentor.pk, actor=mentor.user, application=app)
    assert "state" in refused.value.message_dict
    mentor.user.refresh_from_db()
    assert mentor.user.state == ""


def test_a_mentor_who_joined_without_a_location_adds_it_and_students_in_that_state_find_them(
    client, django_capture_on_commit_callbacks
):
    mentor = MentorProfileFactory(
        slug="ravi", university="IIT Madras", company="", user__city="", user__state=""
    )
    client.force_login(mentor.user)
    editor = client.get(reverse("mentors:profile_edit")).content.decode()
    assert 'name="city"' in editor and 'name="state"' in editor
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentors:profile_edit"),
            application_post(**{"documents-0-file": "", "city": "Vijayawada", "state": "Andhra Pradesh"}),
        )
    assert response.status_code == 302
    document = MentorSearchDocument.objects.get(mentor=mentor)
    assert (document.city, document.state_key) == ("Vijayawada", "andhra pradesh")
    mentor.refresh_from_db()
    assert mentor.verification_status == S.APPROVED

    student = student_with_profile(user_fields={"city": "Guntur", "state": "Andhra Pradesh"})
    client.force_login(student)
    # Searches may come from the page cache (no template context): read the page as the student does.
    with translation.override("en"):
        page = client.get(reverse("matching:search"), {"near": "state"}).content.decode()
    assert re.findall(r'data-mentor="([^"]+)"', page) == ["ravi"]
    document.refresh_from_db()
    with translation.override("en"):
        fit = selectors.compatibility_with(
            selectors.student_facts_for(student),
            document,
            at=timezone.now(),
            names=selectors.filter_options().language_names,
        )
    assert "Same state" in [reason.text for reason in fit.reasons]


def test_a_mentor_without_a_location_is_asked_for_it_on_the_dashboard(client):
    mentor = MentorProfileFactory(user__city="", user__state="")
    client.force_login(mentor.user)
    html = client.get(reverse("mentors:dashboard")).content.decode()
    assert "Add your city and state" in html and reverse("mentors:profile_edit") + "#id_city" in html
    mentor.user.city, mentor.user.state = "Pune", "Maharashtra"
    mentor.user.save(update_fields=["city", "state"])
    assert "Add your city and state" not in client.get(reverse("mentors:dashboard")).content.decode()


def test_profile_editor_preselects_a_state_typed_in_another_case():
    from mentors.forms import MentorProfileForm

    mentor = MentorProfileFactory(user__state=" telangana ")
    form = MentorProfileForm(user=mentor.user, instance=mentor)
    assert form["state"].value() == "Telangana"


# --- staff -----------------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, role="support")
    client.force_login(user)
    return user


def test_staff_see_and_filter_mentors_without_a_location(client, staff):
    placed = MentorProfileFactory(user__full_name="Placed Mentor")
    nowhere = MentorProfileFactory(user__full_name="Nowhere Mentor", user__city="", user__state="")
    MentorProfileFactory(user__full_name="Cityonly Mentor", user__city="Pune", user__state="")
    MentorProfileFactory(pending=True, user__full_name="Pending Nowhere", user__city="", user__state="")

    home = client.get(reverse("adminpanel:home")).content.decode()
    assert "2 listed mentors have no city or state" in home
    assert "?status=approved&amp;location=missing" in home

    queue = client.get(reverse("adminpanel:verification_queue"), {"status": "approved", "location": "missing"})
    names = [mentor.user.full_name for mentor in queue.context["page"].object_list]
    assert sorted(names) == ["Cityonly Mentor", "Nowhere Mentor"]
    html = queue.content.decode()
    assert "Location missing" in html and "State missing" in html and "Placed Mentor" not in html

    in_progress = client.get(reverse("adminpanel:verification_queue"), {"location": "missing"})
    assert [m.user.full_name for m in in_progress.context["page"].object_list] == ["Pending Nowhere"]

    page = client.get(reverse("adminpanel:application", args=[nowhere.pk])).content.decode()
    assert "Location missing" in page
    page = client.get(reverse("adminpanel:application", args=[placed.pk])).content.decode()
    assert "Hyderabad, Telangana" in page and "Location missing" not in page


def test_staff_see_state_names_in_their_language(client, staff, settings):
    MentorProfileFactory(user__full_name="Placed Mentor")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "te"
    html = client.get(reverse("adminpanel:verification_queue"), {"status": "approved"}).content.decode()
    with translation.override("te"):
        assert f"Hyderabad, {translation.gettext('Telangana')}" in html
