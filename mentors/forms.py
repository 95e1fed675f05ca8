from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import formset_factory
from django.forms.models import model_to_dict
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import TimeZoneChoiceField, time_zone_choices
from accounts.models import Language
from accounts.photos import photo_validate
from accounts.suggestions import INDIAN_STATE_CHOICES, state_from_text
from accounts.widgets import TermSuggestionsTextInput
from mentors.documents import detect_document_type
from mentors.models import (
    OFFERED_DURATION_CHOICES,
    AvailabilityOverride,
    AvailabilityRule,
    Certification,
    Education,
    MentorProfile,
    StudentLevel,
    VerificationDocument,
    WorkExperience,
)
from mentors.services import MentorApplication
from mentorship.fields import SafeDateField
from mentorship.forms import PriceRupeesField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LIST_HELP = _("Separate items with commas.")
# Labels are built when a form renders, in the viewer's language, not once at import.
duration_label = lazy(lambda minutes: gettext("%(minutes)d minutes") % {"minutes": minutes}, str)
DURATION_CHOICES = [(d, duration_label(d)) for d in OFFERED_DURATION_CHOICES]


def _list_field(
    label: "StrOrPromise",
    *,
    required: bool = False,
    help_text: "StrOrPromise" = LIST_HELP,
    suggest: str | None = None,
) -> SimpleArrayField:
    """A comma-separated list; `suggest` names the vocabulary of terms offered while the mentor types."""
    widget = TermSuggestionsTextInput(vocabulary=suggest, audience="mentor") if suggest else forms.TextInput
    return SimpleArrayField(
        forms.CharField(max_length=80),
        label=label,
        required=required,
        help_text=help_text,
        max_length=20,
        widget=widget,
    )


def https_formfield(model_field, **kwargs):
    """Model form fields, with links typed without a scheme read as https."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class MentorProfileForm(forms.ModelForm):
    """The profile part of the application and of the profile editor."""

    full_name = forms.CharField(label=_("Full name, as students will see it"), max_length=150)
    primary_language = forms.ModelChoiceField(
        label=_("Primary language"), queryset=Language.objects.all(), empty_label=None
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Other languages you can mentor in"),
        queryset=Language.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = TimeZoneChoiceField(label=_("Time zone"), choices=time_zone_choices)
    city = forms.CharField(
        label=_("City or town"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    state = forms.ChoiceField(
        label=_("State or union territory"),
        choices=[("", _("Choose one")), *INDIAN_STATE_CHOICES],
        help_text=_("Students who search for mentors in their state find you."),
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    hourly_rate_rupees = PriceRupeesField(
        label=_("Hourly rate (₹)"),
        help_text=_("In steps of ₹50 from ₹50 to ₹10,000. Shorter and longer sessions are priced in proportion."),
    )
    expertise_areas = _list_field(_("Expertise areas"), required=True, suggest="topics")
    specializations = _list_field(
        _("Academic specializations"),
        help_text=_("For example: NEET preparation, JEE Physics, Data Science."),
        suggest="topics",
    )
    industry_focus = _list_field(_("Industry focus"))
    subjects = _list_field(_("Subjects"), suggest="subjects")
    skills = _list_field(_("Skills"), suggest="topics")
    levels_served = forms.MultipleChoiceField(
        label=_("Students you mentor"), choices=StudentLevel.choices, widget=forms.CheckboxSelectMultiple
    )
    offered_durations = forms.TypedMultipleChoiceField(
        label=_("Session lengths you offer"),
        choices=DURATION_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MentorProfile
        fields = [
            "title",
            "university",
            "company",
            "years_experience",
            "bio",
            "linkedin_url",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        formfield_callback = https_formfield

    def __init__(self, *args, user, **kwargs):
        instance = kwargs.get("instance")
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("full_name", user.full_name)
        initial.setdefault("primary_language", user.primary_language_id)
        initial.setdefault("time_zone", user.time_zone)
        initial.setdefault("city", user.city)
        initial.setdefault("state", state_from_text(user.state))
        if user.pk:
            initial.setdefault("languages", [lang.pk for lang in user.languages.all()])
        if instance is not None and instance.pk:
            initial.setdefault("hourly_rate_rupees", instance.hourly_rate_paise // 100)
            for name in ("expertise_areas", "specializations", "industry_focus", "subjects", "skills"):
                initial.setdefault(name, getattr(instance, name))
            initial.setdefault("levels_served", instance.levels_served)
            initial.setdefault("offered_durations", instance.offered_durations)
        else:
            initial.setdefault("offered_durations", [30, 60])
        super().__init__(*args, **kwargs)

    def profile_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for name in ("expertise_areas", "specializations", "industry_focus", "subjects", "skills"):
            data[name] = self.cleaned_data[name] or []
        data["levels_served"] = self.cleaned_data["levels_served"]
        data["offered_durations"] = self.cleaned_data["offered_durations"]
        data["hourly_rate_paise"] = self.cleaned_data["hourly_rate_rupees"] * 100
        return data


class _EntryForm(forms.ModelForm):
    """A row of a formset; blank rows are ignored."""

    def entry(self) -> dict | None:
        if self.cleaned_data.get("DELETE") or (self.empty_permitted and not self.has_changed()):
            return None
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}  # type: ignore[attr-defined]  # subclasses


class _EntryFormSet(forms.BaseFormSet):
    """Entries a mentor can remove: the delete box says so (it renders through the one field template)."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this entry")


class WorkExperienceForm(_EntryForm):
    class Meta:
        model = WorkExperience
        fields = ["title", "organization", "location", "start_date", "end_date", "description"]
        field_classes = {"start_date": SafeDateField, "end_date": SafeDateField}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class EducationForm(_EntryForm):
    class Meta:
        model = Education
        fields = ["institution", "degree", "field_of_study", "start_year", "end_year"]


class CertificationForm(_EntryForm):
    class Meta:
        model = Certification
        fields = ["name", "issuer", "issued_on", "credential_url"]
        formfield_callback = https_formfield
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"issued_on": SafeDateField}


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"), choices=VerificationDocument.DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            detect_document_type(upload)
        return upload


WorkExperienceFormSet = formset_factory(
    WorkExperienceForm, extra=1, can_delete=True, formset=_EntryFormSet, max_num=20, validate_max=True
)
EducationFormSet = formset_factory(
    EducationForm, extra=1, can_delete=True, formset=_EntryFormSet, max_num=10, validate_max=True
)
CertificationFormSet = formset_factory(
    CertificationForm, extra=1, can_delete=True, formset=_EntryFormSet, max_num=20, validate_max=True
)
DocumentFormSet = formset_factory(DocumentForm, extra=1, max_num=6, validate_max=True)

ENTRY_FIELDS = {
    "work": WorkExperienceForm.Meta.fields,
    "education": EducationForm.Meta.fields,
    "certifications": CertificationForm.Meta.fields,
}


class MentorApplicationForms:
    """The profile form and its four formsets, validated and turned into one `MentorApplication` together."""

    def __init__(self, *, user, mentor: MentorProfile | None = None, data=None, files=None):
        self.profile = MentorProfileForm(data, files, user=user, instance=mentor)

        def rows(related: str, prefix: str) -> list[dict]:
            if mentor is None:
                return []
            return [model_to_dict(row, fields=ENTRY_FIELDS[prefix]) for row in getattr(mentor, related).all()]

        self.work = WorkExperienceFormSet(data, prefix="work", initial=rows("work_experiences", "work"))
        self.education = EducationFormSet(data, prefix="education", initial=rows("education_entries", "education"))
        self.certifications = CertificationFormSet(
            data, prefix="certifications", initial=rows("certifications", "certifications")
        )
        document_types = list(VerificationDocument.DocumentType.values)
        self.documents = DocumentFormSet(
            data, files, prefix="documents", initial=[{"document_type": kind} for kind in document_types]
        )

    @property
    def all(self) -> list:
        return [self.profile, self.work, self.education, self.certifications, self.documents]

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.all])

    def application(self) -> MentorApplication:
        profile = self.profile.cleaned_data

        def entries(formset) -> list[dict]:
            return [row for row in (form.entry() for form in formset.forms) if row is not None]

        return MentorApplication(
            full_name=profile["full_name"],
            profile=self.profile.profile_data(),
            primary_language=profile["primary_language"],
            languages=list(profile["languages"]),
            time_zone=profile["time_zone"],
            city=profile["city"],
            state=profile["state"],
            work_experiences=entries(self.work),
            education=entries(self.education),
            certifications=entries(self.certifications),
            documents=[
                (form.cleaned_data["document_type"], form.cleaned_data["file"])
                for form in self.documents.forms
                if form.cleaned_data.get("file")
            ],
        )

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's error next to the field it names, or at the top of the profile form."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.profile.fields else None
                if field == "documents":
                    # Django keeps a formset's own errors here; the service's document errors belong there.
                    self.documents._non_form_errors = self.documents.error_class(messages)  # type: ignore[attr-defined]
                    continue
                for message in messages:
                    self.profile.add_error(target, message)
        else:
            for message in error.messages:
                self.profile.add_error(None, message)


class AvailabilityRuleForm(forms.ModelForm):
    class Meta:
        model = AvailabilityRule
        fields = ["weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }


class AvailabilityOverrideForm(forms.ModelForm):
    class Meta:
        model = AvailabilityOverride
        fields = ["date", "kind", "start_time", "end_time"]
        field_classes = {"date": SafeDateField}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"start_time": _("Leave both times empty to block the whole day.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Two kinds, one of them usual: preselect it rather than open on an empty "---------" choice.
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = AvailabilityOverride.Kind.choices
        kind.initial = AvailabilityOverride.Kind.BLOCKED


class AvailabilitySettingsForm(forms.ModelForm):
    offered_durations = forms.TypedMultipleChoiceField(
        label=_("Session lengths you offer"),
        choices=DURATION_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MentorProfile
        fields = [
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_hours",
            "booking_horizon_days",
            "offered_durations",
        ]


class ProfileAddressForm(forms.Form):
    slug = forms.SlugField(label=_("Profile address"), max_length=80)


class MentorPhotoForm(forms.Form):
    """A new profile photo (checked by its content, cut to a square keeping the chosen part) or none."""

    photo = forms.FileField(
        label=_("Profile photo"),
        required=False,
        help_text=_("A clear photo of your face. JPEG, PNG or WebP, up to 5 MB. We cut it to a square."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    keep = forms.ChoiceField(
        label=_("Which part of the photo to keep in the square"),
        choices=[
            ("centre", _("The middle")),
            ("top", _("The top")),
            ("bottom", _("The bottom")),
            ("left", _("The left side")),
            ("right", _("The right side")),
        ],
        initial="centre",
        widget=forms.RadioSelect,
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo (show my initials instead)"), required=False)

    def __init__(self, *args, has_photo: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not has_photo:
            del self.fields["remove_photo"]

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if photo:
            photo_validate(photo)
        return photo

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("photo") and not cleaned.get("remove_photo") and "photo" not in self.errors:
            self.add_error("photo", _("Choose a photo to upload."))
        return cleaned
