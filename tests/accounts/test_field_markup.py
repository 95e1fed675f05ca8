"""The accounts, allauth and MFA pages render every field of their form through the one field template: a label
(a legend for choices) with the required marker exactly when required, and help and errors that the control (or its
fieldset) names in aria-describedby, with aria-invalid on a control whose value was refused."""

import re

import pytest
from django.urls import reverse
from django.utils.html import conditional_escape

from tests.accounts.test_views import basic_post, step_url
from tests.factories import DEFAULT_PASSWORD, birth_date_for_age

pytestmark = pytest.mark.django_db
MARKER = '<span aria-hidden="true" class="text-red-600">*</span>'


def assert_fields_render_through_the_field_template(response) -> None:
    form = response.context["form"]
    html = response.content.decode()
    assert form.visible_fields()
    for field in form.visible_fields():
        label = re.escape(str(conditional_escape(field.label)))
        marker = re.escape(" " + MARKER) if field.field.required else r"(?!\s*<span aria-hidden)"
        if field.use_fieldset:
            group = re.search(rf"<fieldset(?P<attrs>[^>]*)>\s*<legend[^>]*>{label}{marker}</legend>", html)
            control = group.group("attrs") if group else ""
        else:
            group = re.search(rf'<label for="{field.id_for_label}">{label}</label>{marker}', html)
            control = re.search(rf'<(input|select|textarea)[^>]*\bid="{field.id_for_label}"[^>]*>', html).group()
        assert group, f"{field.name}: no label or legend (required marker: {field.field.required})"
        described = re.search(r'aria-describedby="([^"]*)"', control)
        assert (described.group(1) if described else "") == field.aria_describedby, field.name
        for target in field.aria_describedby.split():
            assert f'id="{target}"' in html, f"{field.name}: {target} is not on the page"
        first = re.search(rf'<(input|select|textarea)[^>]*\bname="{field.html_name}(_0)?"[^>]*>', html).group()
        assert ('aria-invalid="true"' in first) == bool(field.errors), field.name


def test_signup_and_login_with_errors(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x"})
    assert response.context["form"].errors
    assert_fields_render_through_the_field_template(response)
    response = client.post(reverse("account_login"), {"login": "nobody@example.test", "password": "wrong"})
    assert_fields_render_through_the_field_template(response)


@pytest.mark.parametrize("section", ["basic", "level", "academics", "languages", "goals", "interests", "photo"])
def test_every_profile_section(client, onboarded_student, section):
    client.force_login(onboarded_student)
    assert_fields_render_through_the_field_template(client.get(reverse("accounts:profile_edit", args=[section])))


def test_onboarding_steps_with_errors(client, new_student):
    client.force_login(new_student)
    response = client.post(step_url("basic"), basic_post(phone="12", city=""))
    assert response.status_code == 400
    assert_fields_render_through_the_field_template(response)


def test_guardian_and_account_pages(client, new_student):
    client.force_login(new_student)
    client.post(step_url("basic"), basic_post(date_of_birth=birth_date_for_age(15).isoformat()))
    response = client.post(reverse("accounts:guardian"), {"guardian_email": "nope"})
    assert response.status_code == 400
    assert_fields_render_through_the_field_template(response)
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD + "x"})
    assert response.context["form"].errors
    assert_fields_render_through_the_field_template(response)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    for url, data in [(reverse("accounts:account_delete"), {}), (reverse("accounts:phone_change"), {"phone": "12"})]:
        response = client.post(url, data)
        assert response.status_code == 400
        assert_fields_render_through_the_field_template(response)
    response = client.post(reverse("account_change_password"), {"oldpassword": DEFAULT_PASSWORD + "x"})
    assert_fields_render_through_the_field_template(response)
