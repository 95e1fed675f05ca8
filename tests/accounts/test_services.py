import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from accounts import services
from accounts.models import StudentProfile, User
from tests.accounts.conftest import image_upload
from tests.factories import StudentProfileFactory, UserFactory, birth_date_for_age, language

pytestmark = pytest.mark.django_db

BASIC = {
    "full_name": "Ravi Kumar",
    "city": "Vijayawada",
    "state": "Andhra Pradesh",
    "country": "India",
    "time_zone": "Asia/Kolkata",
}
SCHOOL = {
    "school_name": "KV No. 1",
    "board": "cbse",
    "class_grade": 10,
    "stream": "",
    "subjects": ["Maths", "Science", "English"],
    "extracurriculars": [],
}
COLLEGE = {
    "university": "Osmania University",
    "degree": "B.Tech",
    "major": "CSE",
    "minor": "",
    "semester": 3,
    "cgpa": Decimal("8.5"),
    "projects": [],
    "internships": [],
}


def _profile(user: User) -> StudentProfile:
    return StudentProfile.objects.get(user=user)


def _errors(excinfo: pytest.ExceptionInfo) -> dict:
    return excinfo.value.message_dict


def _at_step(user: User, step: int, **fields: object) -> None:
    StudentProfile.objects.filter(user=user).update(onboarding_step=step, **fields)


# --- registration and step 1 ---------------------------------------------------------------------


def test_student_register_makes_a_student_with_a_profile_at_step_one():
    user = UserFactory(role=User.Role.MENTOR)
    profile = services.student_register(user=user)
    user.refresh_from_db()
    assert user.role == User.Role.STUDENT
    assert list(user.groups.values_list("name", flat=True)) == ["student"]
    assert profile.onboarding_step == 1 and not profile.is_onboarded


def test_basic_info_saves_normalised_phone_and_opens_step_two(new_student):
    services.student_basic_info_save(
        user=new_student,
        phone="98765 43210",
        date_of_birth=birth_date_for_age(19),
        primary_language=language("te"),
        **BASIC,
    )
    new_student.refresh_from_db()
    assert new_student.phone == "+919876543210"
    assert new_student.primary_language.code == "te"
    assert list(new_student.languages.values_list("code", flat=True)) == ["te"]
    assert _profile(new_student).onboarding_step == 2


@pytest.mark.parametrize("phone", ["12345", "98765", "not a phone", ""])
def test_basic_info_rejects_invalid_or_missing_phone(new_student, phone):
    with pytest.raises(ValidationError) as excinfo:
        services.student_basic_info_save(
            user=new_student,
            phone=phone,
            date_of_birth=birth_date_for_age(19),
            primary_language=language("te"),
            **BASIC,
        )
    assert "phone" in _errors(excinfo)


def test_basic_info_requires_an_active_primary_language(new_student):
    for primary in (None, language("ml")):
        with pytest.raises(ValidationError) as excinfo:
            services.student_basic_info_save(
                user=new_student,
                phone="9876543210",
                date_of_birth=birth_date_for_age(19),
                primary_language=primary,
                **BASIC,
            )
        assert "primary_language" in _errors(excinfo)


@pytest.mark.parametrize("born", [timezone.localdate() + dt.timedelta(days=1), birth_date_for_age(5)])
def test_basic_info_rejects_impossible_birth_dates_and_saves_nothing(new_student, born):
    with pytest.raises(ValidationError) as excinfo:
        services.student_basic_info_save(
            user=new_student, phone="9876543210", date_of_birth=born, primary_language=language("te"), **BASIC
        )
    assert "date_of_birth" in _errors(excinfo)
    new_student.refresh_from_db()
    assert new_student.phone == "" and new_student.date_of_birth is None
    assert _profile(new_student).onboarding_step == 1


def test_basic_info_cannot_change_an_existing_phone(onboarded_student):
    with pytest.raises(ValidationError) as excinfo:
        services.student_basic_info_save(
            user=onboarded_student,
            phone="+919000000001",
            date_of_birth=birth_date_for_age(19),
            primary_language=language("te"),
            **BASIC,
        )
    assert "phone" in _errors(excinfo)


def test_phone_change_normalises_the_new_number(onboarded_student):
    services.user_phone_change(user=onboarded_student, phone="090000 00001")
    onboarded_student.refresh_from_db()
    assert onboarded_student.phone == "+919000000001"


# --- step 2 and 3 --------------------------------------------------------------------------------


def test_changing_level_after_onboarding_reopens_academic_details(onboarded_student):
    services.student_level_save(user=onboarded_student, academic_level="college")
    profile = _profile(onboarded_student)
    assert profile.academic_level == "college"
    assert profile.onboarding_step == 3 and profile.onboarding_completed_at is None


def test_saving_the_same_level_keeps_onboarding_complete(onboarded_student):
    services.student_level_save(user=onboarded_student, academic_level="school")
    assert _profile(onboarded_student).is_onboarded


def test_unknown_level_is_rejected(new_student):
    with pytest.raises(ValidationError):
        services.student_level_save(user=new_student, academic_level="university")


@pytest.mark.parametrize(("grade", "valid"), [(5, False), (6, True), (12, True), (13, False)])
def test_school_class_must_be_6_to_12(new_student, grade, valid):
    _at_step(new_student, 3, academic_level="school")
    details = {**SCHOOL, "class_grade": grade, "stream": "commerce" if grade == 12 else ""}
    if valid:
        assert services.student_school_details_save(user=new_student, **details).class_grade == grade
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.student_school_details_save(user=new_student, **details)
        assert "class_grade" in _errors(excinfo)
        assert _profile(new_student).class_grade is None


@pytest.mark.parametrize("grade", [11, 12])
def test_stream_is_required_for_classes_11_and_12(new_student, grade):
    _at_step(new_student, 3, academic_level="school")
    with pytest.raises(ValidationError) as excinfo:
        services.student_school_details_save(user=new_student, **{**SCHOOL, "class_grade": grade, "stream": ""})
    assert "stream" in _errors(excinfo)


def test_stream_is_refused_below_class_11(new_student):
    _at_step(new_student, 3, academic_level="school")
    with pytest.raises(ValidationError) as excinfo:
        services.student_school_details_save(user=new_student, **{**SCHOOL, "class_grade": 10, "stream": "arts"})
    assert "stream" in _errors(excinfo)


@pytest.mark.parametrize(("count", "valid"), [(0, False), (2, False), (3, True), (8, True), (9, False)])
def test_school_students_list_3_to_8_subjects(new_student, count, valid):
    _at_step(new_student, 3, academic_level="school")
    details = {**SCHOOL, "subjects": [f"Subject {n}" for n in range(count)]}
    if valid:
        assert len(services.student_school_details_save(user=new_student, **details).subjects) == count
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.student_school_details_save(user=new_student, **details)
        assert "subjects" in _errors(excinfo)


def test_school_details_need_the_school_level_and_clear_college_fields(new_student):
    _at_step(new_student, 3, academic_level="college")
    with pytest.raises(ValidationError):
        services.student_school_details_save(user=new_student, **SCHOOL)
    StudentProfile.objects.filter(user=new_student).update(academic_level="school", university="Old University")
    profile = services.student_school_details_save(user=new_student, **SCHOOL)
    assert profile.university == "" and profile.onboarding_step == 4


@pytest.mark.parametrize(("semester", "valid"), [(0, False), (1, True), (10, True), (11, False)])
def test_college_semester_must_be_1_to_10(new_student, semester, valid):
    _at_step(new_student, 3, academic_level="college")
    if valid:
        assert services.student_college_details_save(user=new_student, **{**COLLEGE, "semester": semester})
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.student_college_details_save(user=new_student, **{**COLLEGE, "semester": semester})
        assert "semester" in _errors(excinfo)


@pytest.mark.parametrize(
    ("cgpa", "valid"),
    [(Decimal("-0.01"), False), (Decimal("0"), True), (Decimal("10"), True), (Decimal("10.01"), False), (None, True)],
)
def test_college_cgpa_must_be_0_to_10(new_student, cgpa, valid):
    _at_step(new_student, 3, academic_level="college")
    if valid:
        assert services.student_college_details_save(user=new_student, **{**COLLEGE, "cgpa": cgpa}).cgpa == cgpa
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.student_college_details_save(user=new_student, **{**COLLEGE, "cgpa": cgpa})
        assert "cgpa" in _errors(excinfo)
        assert _profile(new_student).cgpa is None


# --- steps 4 to 7 --------------------------------------------------------------------------------


def test_languages_require_a_primary_and_store_it_with_the_others(new_student):
    _at_step(new_student, 4)
    with pytest.raises(ValidationError) as excinfo:
        services.student_languages_save(user=new_student, primary_language=None, additional_languages=[])
    assert "primary_language" in _errors(excinfo)
    services.student_languages_save(
        user=new_student, primary_language=language("hi"), additional_languages=[language("en")]
    )
    new_student.refresh_from_db()
    assert new_student.primary_language.code == "hi"
    assert set(new_student.languages.values_list("code", flat=True)) == {"hi", "en"}


def test_inactive_languages_are_refused(new_student):
    with pytest.raises(ValidationError) as excinfo:
        services.student_languages_save(
            user=new_student, primary_language=language("en"), additional_languages=[language("fr")]
        )
    assert "additional_languages" in _errors(excinfo)


def test_career_goals_need_a_known_industry(new_student):
    goals = {"target_roles": [], "target_companies": [], "desired_locations": [], "career_timeline": "1_year"}
    with pytest.raises(ValidationError) as excinfo:
        services.student_career_goals_save(user=new_student, industries=[], **goals)
    assert "industries" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.student_career_goals_save(user=new_student, industries=["astrology"], **goals)


def test_interests_and_challenges_are_required(new_student):
    with pytest.raises(ValidationError) as excinfo:
        services.student_interests_save(user=new_student, interests=[], challenges=[], challenge_details="")
    assert set(_errors(excinfo)) == {"interests", "challenges"}


def _preferences(**overrides: bool) -> dict:
    return {"notify_email": True, "notify_in_app": True, "notify_sms": False, "notify_reminders": True, **overrides}


def test_last_step_resizes_the_photo_and_completes_onboarding(new_student):
    _at_step(new_student, 7)
    profile = services.student_photo_and_preferences_save(
        user=new_student, photo=image_upload(size=(2048, 1024)), remove_photo=False, **_preferences()
    )
    assert profile.is_onboarded
    new_student.refresh_from_db()
    with new_student.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (512, 256)
        assert image.format == "PNG"


def test_saving_step_seven_early_does_not_complete_onboarding(new_student):
    _at_step(new_student, 5)
    profile = services.student_photo_and_preferences_save(
        user=new_student, photo=None, remove_photo=False, **_preferences()
    )
    assert not profile.is_onboarded


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.png", b"%PDF-1.4 this is not an image", content_type="image/png"),
        image_upload("anim.gif", "GIF"),
    ],
    ids=["not-an-image", "gif"],
)
def test_photos_are_checked_by_content(new_student, upload):
    _at_step(new_student, 7)
    with pytest.raises(ValidationError):
        services.student_photo_and_preferences_save(
            user=new_student, photo=upload, remove_photo=False, **_preferences()
        )
    new_student.refresh_from_db()
    assert not new_student.photo
    assert not _profile(new_student).is_onboarded


def test_photos_over_5_mb_are_refused(new_student):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="limit is 5"):
        services.student_photo_and_preferences_save(user=new_student, photo=big, remove_photo=False, **_preferences())


def test_sms_needs_a_phone_number(new_student):
    with pytest.raises(ValidationError) as excinfo:
        services.student_photo_and_preferences_save(
            user=new_student, photo=None, remove_photo=False, **_preferences(notify_sms=True)
        )
    assert "notify_sms" in _errors(excinfo)


# --- database constraints back the rules up ------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"class_grade": 13},
        {"class_grade": 5},
        {"class_grade": 10, "stream": "arts"},
        {"semester": 0},
        {"semester": 11},
        {"cgpa": Decimal("10.5")},
        {"cgpa": Decimal("-1")},
        {"onboarding_step": 8},
    ],
)
def test_database_refuses_out_of_range_profiles(fields):
    profile = StudentProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentProfile.objects.filter(pk=profile.pk).update(**fields)


def test_basic_info_refuses_to_change_a_date_of_birth_on_file():
    minor = StudentProfileFactory(user__date_of_birth=birth_date_for_age(15)).user
    with pytest.raises(ValidationError) as excinfo:
        services.student_basic_info_save(
            user=minor, date_of_birth=birth_date_for_age(30), primary_language=language("te"), **BASIC
        )
    assert "date_of_birth" in _errors(excinfo)
    minor.refresh_from_db()
    assert minor.date_of_birth == birth_date_for_age(15)


def test_a_refused_basic_info_leaves_the_user_object_unchanged(new_student):
    with pytest.raises(ValidationError) as excinfo:
        services.student_basic_info_save(
            user=new_student,
            phone="9876543210",
            date_of_birth=birth_date_for_age(19),
            primary_language=language("te"),
            **{**BASIC, "time_zone": "Mars/Olympus", "city": "Nellore"},
        )
    assert "time_zone" in _errors(excinfo)
    assert (new_student.city, new_student.phone) == ("Hyderabad", "")
    new_student.refresh_from_db()
    assert new_student.time_zone == "Asia/Kolkata"
