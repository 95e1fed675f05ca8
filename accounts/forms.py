"""Forms parse and present input; the onboarding rules themselves live in accounts.services."""

import json
import re
import zoneinfo
from functools import cache
from typing import Any

from axes.helpers import get_client_ip_address
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.models import GuardianConsent, Language, StudentProfile, User
from accounts.photos import photo_validate
from accounts.privacy.consents import consent_set
from accounts.suggestions import INDIAN_STATE_CHOICES, state_from_text
from accounts.timezones import TIME_ZONE_ALIASES, TIME_ZONE_NAMES, canonical_time_zone, time_zone_label
from accounts.validators import PersonalInfoValidator, normalize_phone
from accounts.widgets import TermSuggestionsTextarea
from mentorship.fields import SafeDateField

_REGION_ZONE = re.compile(r"^(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/")


@cache
def _listed_zones() -> tuple[str, ...]:
    return tuple(
        sorted(
            zone
            for zone in zoneinfo.available_timezones()
            if _REGION_ZONE.match(zone) and zone not in TIME_ZONE_ALIASES
        )
    )


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone, named in the active language; a zone named in words keeps its IANA name beside it, as the
    browser and other apps call it."""
    return [
        (zone, f"{time_zone_label(zone)} ({zone})" if zone in TIME_ZONE_NAMES else zone.replace("_", " "))
        for zone in _listed_zones()
    ]


class TimeZoneChoiceField(forms.ChoiceField):
    """A zone from the list; an old name (a browser's "Asia/Calcutta") is accepted as its current one."""

    def to_python(self, value: object) -> str:
        return canonical_time_zone(super().to_python(value))


class LineListField(forms.CharField):
    """A list of short texts typed one per line (or, where commas cannot occur inside an item, comma-separated)."""

    def __init__(self, *, max_items: int = 10, item_max_length: int = 100, commas: bool = True, **kwargs: Any):
        self.max_items = max_items
        self.item_max_length = item_max_length
        self.split_pattern = re.compile(r"[\n,]" if commas else r"\n")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("required", False)
        super().__init__(strip=False, **kwargs)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    # A text field that cleans to a list: CharField gives the widget and the length checks.
    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return list(value)
        items: dict[str, str] = {}
        for raw in self.split_pattern.split(str(value or "")):
            item = " ".join(raw.split())
            if item:
                items.setdefault(item.casefold(), item)
        return list(items.values())

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise ValidationError(
                _("Add at most %(max)d items (you added %(count)d)."),
                code="too_many_items",
                params={"max": self.max_items, "count": len(value)},
            )
        for item in value:
            if len(item) > self.item_max_length:
                raise ValidationError(
                    _("“%(item)s…” is too long: keep each item under %(max)d characters."),
                    code="item_too_long",
                    params={"item": item[:30], "max": self.item_max_length},
                )

    def run_validators(self, value: list[str]) -> None:
        """CharField's length validators would measure the list; items are checked in validate()."""


class SubjectsWidget(forms.MultiWidget):
    template_name = "accounts/forms/subjects_widget.html"

    def __init__(self, count: int) -> None:
        widgets = [
            forms.TextInput(
                attrs={"list": "subject-suggestions", "aria-label": format_lazy(_("Subject {number}"), number=n + 1)}
            )
            for n in range(count)
        ]
        super().__init__(widgets)

    def decompress(self, value: list[str] | None) -> list[str | None]:
        value = list(value or [])
        return value + [None] * (len(self.widgets) - len(value))


class SubjectsField(forms.MultiValueField):
    """One input per subject, so suggestions from a <datalist> work for each of them."""

    def __init__(self, count: int = 8, **kwargs: Any) -> None:
        fields = [forms.CharField(max_length=100, required=False) for _n in range(count)]
        super().__init__(fields, widget=SubjectsWidget(count), require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[str]) -> list[str]:
        subjects: dict[str, str] = {}
        for raw in data_list or []:
            subject = " ".join((raw or "").split())
            if subject:
                subjects.setdefault(subject.casefold(), subject)
        return list(subjects.values())


def _active_languages() -> QuerySet[Language]:
    return Language.objects.filter(is_active=True)


class OnboardingRulesForm(forms.Form):
    """Runs the service's rules on what parsed, so one submit shows every problem, each next to its field."""

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        raise NotImplementedError

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        for field, message in self.rule_errors(cleaned).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class SignupExtraForm(forms.Form):
    """Fields allauth's signup adds to email and password."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # Two separate choices (DPDP Act 2023 §6): the account needs the first; the second is optional.
    consent_processing = forms.BooleanField(
        label=_("I agree to the Terms of Service and to PeerLearn processing my data as the Privacy Policy describes."),
        error_messages={"required": _("You need to agree to the Terms and the Privacy Policy to create an account.")},
    )
    consent_marketing = forms.BooleanField(
        label=_("Send me occasional news and offers. (Optional; you can stop them at any time.)"),
        required=False,
    )

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        # allauth checks the password against a user with only the email; the name is ours to check.
        password, full_name = cleaned.get("password1"), cleaned.get("full_name")
        if password and full_name:
            try:
                PersonalInfoValidator().validate(password, User(full_name=full_name, email=cleaned.get("email", "")))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        where = {"ip_address": get_client_ip_address(request), "user_agent": request.headers.get("User-Agent", "")}
        consent_set(user=user, purpose="processing", given=True, **where)
        if self.cleaned_data["consent_marketing"]:
            consent_set(user=user, purpose="marketing", given=True, **where)


class BasicInfoForm(OnboardingRulesForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("Indian numbers need no country code, e.g. 98765 43210."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    date_of_birth = SafeDateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )
    city = forms.CharField(
        label=_("City or town"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    state = forms.ChoiceField(
        label=_("State or union territory"),
        choices=[("", _("Choose one")), *INDIAN_STATE_CHOICES],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    country = forms.CharField(
        label=_("Country"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "country-name"})
    )
    time_zone = TimeZoneChoiceField(label=_("Time zone"), choices=time_zone_choices)
    primary_language = forms.ModelChoiceField(
        label=_("Primary language"),
        queryset=_active_languages(),
        empty_label=_("Choose a language"),
        required=False,
        help_text=_("The language you are most comfortable learning in."),
    )

    def __init__(self, *args: Any, user: User, detect_time_zone: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "full_name": user.full_name,
                "phone": user.phone,
                "date_of_birth": user.date_of_birth,
                "city": user.city,
                # A state typed before the list existed is chosen when it is one of them.
                "state": state_from_text(user.state),
                "country": user.country or "India",
                "time_zone": user.time_zone,
                "primary_language": user.primary_language_id,
            },
        )
        super().__init__(*args, **kwargs)
        # Once a number is on file, changing it needs re-authentication on its own page.
        if user.phone:
            del self.fields["phone"]
        # Age decides guardian consent and the minors' safeguards, so a date on file is shown, not edited.
        if user.date_of_birth is not None:
            self.fields["date_of_birth"].disabled = True
            self.fields["date_of_birth"].help_text = _("To correct your date of birth, contact support.")
        if detect_time_zone:
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""
            # The script maps the browser's old zone names to the listed ones with this, the same table as ours.
            self.fields["time_zone"].widget.attrs["data-time-zone-aliases"] = json.dumps(TIME_ZONE_ALIASES)
            self.fields["time_zone"].help_text = _("We filled this in from your browser; change it if it is wrong.")

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        return rules.basic_info_errors(
            date_of_birth=cleaned.get("date_of_birth"),
            primary_language=cleaned.get("primary_language"),
            today=timezone.localdate(),
        )


class AcademicLevelForm(forms.Form):
    academic_level = forms.ChoiceField(
        label=_("I am a…"),
        choices=StudentProfile.AcademicLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose school or college.")},
    )


class SchoolDetailsForm(OnboardingRulesForm):
    school_name = forms.CharField(label=_("School name"), max_length=200)
    board = forms.ChoiceField(
        label=_("Board"),
        choices=[("", _("Choose your board")), *StudentProfile.Board.choices],
        error_messages={"required": _("Choose your board.")},
    )
    class_grade = forms.IntegerField(
        label=_("Class"),
        help_text=_("6 to 12"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter your class (6 to 12).")},
    )
    stream = forms.ChoiceField(
        label=_("Stream"),
        choices=[("", _("No stream (classes 6–10)")), *StudentProfile.Stream.choices],
        required=False,
        help_text=_("Only for classes 11 and 12."),
    )
    subjects = SubjectsField(label=_("Subjects"), help_text=_("Between 3 and 8 subjects you study."))
    extracurriculars = LineListField(
        label=_("Extracurricular activities"), help_text=_("Optional. One per line or separated by commas.")
    )

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        return rules.school_details_errors(
            class_grade=cleaned.get("class_grade"),
            stream=cleaned.get("stream", ""),
            subjects=cleaned.get("subjects"),
            board=cleaned.get("board", ""),
        )


class CollegeDetailsForm(OnboardingRulesForm):
    university = forms.CharField(label=_("University or college"), max_length=200)
    degree = forms.CharField(
        label=_("Degree"), max_length=100, widget=forms.TextInput(attrs={"list": "degree-suggestions"})
    )
    major = forms.CharField(label=_("Major / specialisation"), max_length=100)
    minor = forms.CharField(label=_("Minor"), max_length=100, required=False, help_text=_("Optional."))
    semester = forms.IntegerField(
        label=_("Current semester"), help_text=_("1 to 10"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    cgpa = forms.DecimalField(
        label=_("CGPA"),
        max_digits=4,
        decimal_places=2,
        required=False,
        help_text=_("On a 10-point scale. Leave empty if you have no grades yet."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    projects = LineListField(
        label=_("Projects"), item_max_length=200, commas=False, help_text=_("Optional. One per line.")
    )
    internships = LineListField(
        label=_("Internships"), item_max_length=200, commas=False, help_text=_("Optional. One per line.")
    )

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        return rules.college_details_errors(semester=cleaned.get("semester"), cgpa=cleaned.get("cgpa"))


class LanguagesForm(OnboardingRulesForm):
    primary_language = forms.ModelChoiceField(
        label=_("Primary language"), queryset=_active_languages(), empty_label=_("Choose a language"), required=False
    )
    additional_languages = forms.ModelMultipleChoiceField(
        label=_("Other languages you speak"),
        queryset=_active_languages(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        return rules.primary_language_errors(cleaned.get("primary_language"))


class CareerGoalsForm(OnboardingRulesForm):
    industries = forms.MultipleChoiceField(
        label=_("Industries that interest you"),
        choices=StudentProfile.Industry.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    target_roles = LineListField(
        label=_("Roles you would like"),
        help_text=_("For example: doctor, data analyst."),
        widget=TermSuggestionsTextarea(vocabulary="roles", audience="student", attrs={"rows": 3}),
    )
    target_companies = LineListField(label=_("Companies or organisations"), help_text=_("Optional."))
    desired_locations = LineListField(label=_("Where you would like to study or work"), help_text=_("Optional."))
    career_timeline = forms.ChoiceField(
        label=_("When do you want to reach this goal?"),
        choices=StudentProfile.CareerTimeline.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a timeline.")},
    )

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        return rules.career_goals_errors(industries=cleaned.get("industries", []))


class InterestsForm(OnboardingRulesForm):
    interests = LineListField(
        label=_("Your interests"),
        max_items=15,
        help_text=_("For example: robotics, debating, chess."),
        widget=TermSuggestionsTextarea(vocabulary="topics", audience="student", attrs={"rows": 3}),
    )
    challenges = forms.MultipleChoiceField(
        label=_("What would you like help with?"),
        choices=StudentProfile.Challenge.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    challenge_details = forms.CharField(
        label=_("Anything else a mentor should know?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def rule_errors(self, cleaned: dict) -> dict[str, str]:
        return rules.interests_errors(interests=cleaned.get("interests", []), challenges=cleaned.get("challenges", []))


class PhotoPreferencesForm(forms.Form):
    photo = forms.FileField(
        label=_("Profile photo"),
        required=False,
        help_text=_("Optional. JPEG, PNG or WebP, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my current photo"), required=False)
    notify_email = forms.BooleanField(label=_("Email"), required=False)
    notify_in_app = forms.BooleanField(label=_("Notifications on PeerLearn"), required=False)
    notify_sms = forms.BooleanField(label=_("SMS"), required=False)
    notify_reminders = forms.BooleanField(label=_("Reminders before my sessions"), required=False)

    def __init__(self, *args: Any, has_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_photo:
            del self.fields["remove_photo"]

    def clean_photo(self) -> object:
        photo = self.cleaned_data["photo"]
        if photo:
            photo_validate(photo)
        return photo


class GuardianForm(forms.ModelForm):
    class Meta:
        model = GuardianConsent
        fields = ["guardian_name", "guardian_email", "guardian_phone", "relationship"]
        labels = {
            "guardian_name": _("Parent or guardian's full name"),
            "guardian_email": _("Their email address"),
            "guardian_phone": _("Their mobile number"),
            "relationship": _("They are my…"),
        }
        help_texts = {"guardian_phone": _("We text a 6-digit code to this number to check it is theirs.")}
        widgets = {
            "guardian_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "guardian_phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian_phone"].required = True

    def clean_guardian_phone(self) -> str:
        return normalize_phone(self.cleaned_data["guardian_phone"])


class PhoneChangeForm(forms.Form):
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class ConsentDecisionForm(forms.Form):
    """The guardian's answer: grant needs the box ticked; declining or withdrawing needs nothing else."""

    decision = forms.ChoiceField(choices=[("grant", "grant"), ("withdraw", "withdraw")], widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("I am this student's parent or legal guardian, I have read the above and I give my consent."),
        required=False,
    )

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "grant" and not cleaned.get("agree"):
            self.add_error("agree", _("Tick the box to confirm that you agree."))
        return cleaned
