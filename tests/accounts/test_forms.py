import pytest
from allauth.account.forms import SignupForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.forms import (
    BasicInfoForm,
    CollegeDetailsForm,
    ConsentDecisionForm,
    LanguagesForm,
    LineListField,
    PhotoPreferencesForm,
    SchoolDetailsForm,
)
from accounts.validators import CharacterClassesValidator
from tests.accounts.conftest import image_upload
from tests.factories import UserFactory, language

pytestmark = pytest.mark.django_db


def test_line_lists_split_on_lines_and_commas_and_drop_repeats():
    field = LineListField()
    assert field.clean("Chess, chess\n  Debating \n\n,Robotics") == ["Chess", "Debating", "Robotics"]


def test_line_lists_without_commas_keep_them_inside_items():
    field = LineListField(commas=False)
    assert field.clean("Weather app, in Django\nChatbot") == ["Weather app, in Django", "Chatbot"]


def test_line_lists_limit_items_and_their_length():
    with pytest.raises(ValidationError, match="at most 2"):
        LineListField(max_items=2).clean("a\nb\nc")
    with pytest.raises(ValidationError, match="too long"):
        LineListField(item_max_length=5).clean("much too long")


def test_subject_inputs_become_a_list_without_blanks_or_repeats():
    data = {"school_name": "KV", "board": "cbse", "class_grade": "10", "stream": ""}
    data |= {f"subjects_{n}": value for n, value in enumerate(["Maths", "", "Science", "maths", " English  "])}
    form = SchoolDetailsForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subjects"] == ["Maths", "Science", "English"]


def test_class_and_semester_must_be_whole_numbers():
    assert "class_grade" in SchoolDetailsForm({"class_grade": "ten"}).errors
    assert "semester" in CollegeDetailsForm({"semester": "third"}).errors
    assert "cgpa" in CollegeDetailsForm({"cgpa": "eight"}).errors


def _school_data(**overrides: str) -> dict:
    data = {"school_name": "KV", "board": "cbse", "class_grade": "10", "stream": ""}
    data |= {f"subjects_{n}": value for n, value in enumerate(["Maths", "Science", "English"])}
    return data | overrides


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"class_grade": "13"}, "class_grade", "Class must be between 6 and 12."),
        ({"class_grade": "5"}, "class_grade", "Class must be between 6 and 12."),
        ({"class_grade": "11"}, "stream", "needed for classes 11 and 12"),
        ({"stream": "commerce"}, "stream", "applies only to classes 11 and 12"),
        ({"subjects_2": ""}, "subjects", "between 3 and 8 subjects (you entered 2)"),
        ({"board": ""}, "board", "Choose your board."),
    ],
)
def test_school_form_checks_every_rule(overrides, field, message):
    form = SchoolDetailsForm(_school_data(**overrides))
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_school_form_reports_all_rule_errors_at_once():
    form = SchoolDetailsForm(_school_data(class_grade="13", subjects_1="", subjects_2="", school_name=""))
    assert set(form.errors) == {"class_grade", "subjects", "school_name"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"semester": "0"}, "semester"),
        ({"semester": "11"}, "semester"),
        ({"cgpa": "11"}, "cgpa"),
        ({"cgpa": "-1"}, "cgpa"),
    ],
)
def test_college_form_checks_semester_and_cgpa(overrides, field):
    data = {"university": "OU", "degree": "B.Sc", "major": "Physics", "semester": "2", "cgpa": "7.5"} | overrides
    form = CollegeDetailsForm(data)
    assert not form.is_valid() and field in form.errors


def test_primary_language_is_required_in_both_forms():
    assert "primary_language" in LanguagesForm({"primary_language": ""}).errors
    assert "primary_language" in BasicInfoForm(_basic_data(primary_language=""), user=UserFactory(phone="")).errors


def _basic_data(**overrides: str) -> dict:
    return {
        "full_name": "Ravi",
        "phone": "9876543210",
        "date_of_birth": "2008-05-01",
        "city": "Guntur",
        "state": "Andhra Pradesh",
        "country": "India",
        "time_zone": "Asia/Kolkata",
        "primary_language": str(language("te").pk),
        **overrides,
    }


def test_basic_info_validates_and_normalises_the_phone():
    user = UserFactory(phone="")
    form = BasicInfoForm(_basic_data(phone="12345"), user=user)
    assert not form.is_valid()
    assert "valid phone number" in form.errors["phone"][0]
    form = BasicInfoForm(_basic_data(phone="+91 98765-43210"), user=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+919876543210"


def test_basic_info_stores_current_time_zone_names():
    form = BasicInfoForm(_basic_data(time_zone="Asia/Calcutta"), user=UserFactory(phone=""))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_zone"] == "Asia/Kolkata"
    assert "time_zone" in BasicInfoForm(_basic_data(time_zone="Mars/Olympus"), user=UserFactory()).errors
    zones = {value for value, _label in BasicInfoForm(user=UserFactory()).fields["time_zone"].choices}
    assert "Asia/Kolkata" in zones and "Asia/Calcutta" not in zones and "Asia/Katmandu" not in zones


def test_basic_info_leaves_an_existing_phone_to_its_own_page():
    form = BasicInfoForm(user=UserFactory(phone="+919876543210"))
    assert "phone" not in form.fields


def test_time_zone_detection_is_marked_for_the_browser_script():
    form = BasicInfoForm(user=UserFactory(), detect_time_zone=True)
    assert "data-detect-time-zone" in str(form["time_zone"])


def test_photo_form_refuses_big_files_and_non_images():
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), content_type="image/jpeg")
    form = PhotoPreferencesForm({}, {"photo": big})
    assert not form.is_valid()
    assert "limit is 5" in form.errors["photo"][0]
    fake = SimpleUploadedFile("cat.jpg", b"GIF89a but not really an image", content_type="image/jpeg")
    form = PhotoPreferencesForm({}, {"photo": fake})
    assert "not a photo we can read" in form.errors["photo"][0]
    form = PhotoPreferencesForm({}, {"photo": image_upload("ok.webp", "WEBP")})
    assert form.is_valid(), form.errors


def test_granting_consent_needs_the_box_ticked():
    assert "agree" in ConsentDecisionForm({"decision": "grant"}).errors
    assert ConsentDecisionForm({"decision": "grant", "agree": "on"}).is_valid()
    assert ConsentDecisionForm({"decision": "withdraw"}).is_valid()


# --- password rules (seed 000 §14.1) --------------------------------------------------------------


@pytest.mark.parametrize("password", ["short1!A", "Str0ng!Passw0rd", "Kerala#2024ok"])
def test_strong_passwords_pass(password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("alllower1!", "password_no_upper"),
        ("ALLUPPER1!", "password_no_lower"),
        ("NoDigits!!", "password_no_digit"),
        ("NoSymbol123", "password_no_symbol"),
    ],
)
def test_passwords_need_every_character_class(password, code):
    with pytest.raises(ValidationError) as excinfo:
        CharacterClassesValidator().validate(password)
    assert excinfo.value.code == code


@pytest.mark.parametrize("password", ["Ab1!", "password", "Password1!"[:7]])
def test_short_or_common_passwords_fail(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_signup_form_rejects_a_weak_password():
    form = SignupForm(
        {"full_name": "Ravi", "email": "ravi@example.test", "password1": "password", "password2": "password"}
    )
    assert not form.is_valid()
    assert "password1" in form.errors
