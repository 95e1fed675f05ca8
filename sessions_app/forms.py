import datetime as dt
import zoneinfo
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from accounts.models import Language
from mentors.forms import duration_label
from mentorship.fields import SafeDateField
from mentorship.forms import PriceRupeesField
from sessions_app import policy
from sessions_app.models import Booking, Dispute, Session
from sessions_app.selectors import GroupSessionFilters
from sessions_app.services import GroupSessionData, Questionnaire

MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024
GROUP_DURATIONS = (30, 45, 60, 90, 120, 150, 180)


class SlotField(forms.CharField):
    """An open slot's start, posted as an ISO 8601 UTC timestamp by the slot picker."""

    default_error_messages = {"invalid": _("Choose one of the open times.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed.tzinfo is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed.astimezone(dt.UTC)


class SlotPickerForm(forms.Form):
    """The duration and day the slot list is for (HTMX reloads the list when they change)."""

    duration = forms.TypedChoiceField(label=_("Length"), coerce=int)
    date = SafeDateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, durations: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["duration"]).choices = [
            (minutes, _("%(minutes)s minutes") % {"minutes": minutes}) for minutes in durations
        ]


class OneToOneBookingForm(SlotPickerForm):
    session_type = forms.ChoiceField(
        label=_("What kind of session?"), choices=Session.SessionType.choices, widget=forms.RadioSelect
    )
    language = forms.TypedChoiceField(label=_("Session language"), coerce=int)
    starts_at = SlotField(label=_("Time"), error_messages={"required": _("Choose a time.")})
    purpose = forms.CharField(
        label=_("What do you want from this session?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: choosing between engineering branches, or a plan for JEE physics."),
    )
    specific_questions = forms.CharField(
        label=_("Your questions for the mentor"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    current_challenges = forms.CharField(
        label=_("What are you finding hard right now?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_outcomes = forms.CharField(
        label=_("What would make this session a success for you?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_of = forms.ModelChoiceField(
        label=_("Is this a follow-up of an earlier session?"),
        queryset=Booking.objects.none(),
        required=False,
        empty_label=_("No, a new topic"),
    )
    coupon_code = forms.CharField(
        label=_("Coupon code"),
        max_length=32,
        required=False,
        help_text=_("Optional. Scholarship credits and package sessions with this mentor are used automatically."),
    )

    def __init__(self, *args, languages: list[Language], previous: list[Booking], **kwargs):
        super().__init__(*args, **kwargs)
        self._languages = {lang.pk: lang for lang in languages}
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [(lang.pk, str(lang)) for lang in languages]
        follow_up_of = cast(forms.ModelChoiceField, self.fields["follow_up_of"])
        follow_up_of.queryset = Booking.objects.filter(pk__in=[b.pk for b in previous]).select_related("session")
        # Django's documented way to label a model choice field's options.
        follow_up_of.label_from_instance = lambda booking: (  # type: ignore[method-assign, assignment]
            f"{booking.session.get_session_type_display()} · {booking.session.starts_at:%d %b %Y}"
        )
        if not previous:
            del self.fields["follow_up_of"]

    def clean_language(self) -> Language:
        return self._languages[self.cleaned_data["language"]]

    def questionnaire(self) -> Questionnaire:
        data = self.cleaned_data
        return Questionnaire(
            purpose=data["purpose"],
            specific_questions=data["specific_questions"],
            current_challenges=data["current_challenges"],
            expected_outcomes=data["expected_outcomes"],
            follow_up_of=data.get("follow_up_of"),
        )


class RescheduleForm(forms.Form):
    date = SafeDateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = SlotField(label=_("New time"), error_messages={"required": _("Choose a new time.")})
    reason = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Support reads this before approving an emergency reschedule."),
    )


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Reason (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the session cancelled?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every student who booked receives this message and a full refund."),
    )


class DisputeForm(forms.Form):
    kind = forms.ChoiceField(label=_("What went wrong?"), choices=Dispute.Kind.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Tell us what happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class GroupFilterForm(forms.Form):
    PRICE_CHOICES = [("", _("Free and paid")), ("free", _("Free")), ("paid", _("Paid"))]

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *Session.Category.choices], required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=[], required=False)
    price = forms.ChoiceField(label=_("Price"), choices=PRICE_CHOICES, required=False)
    date_from = SafeDateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = SafeDateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, languages: list[Language], **kwargs):
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("Any language")), *((lang.code, str(lang)) for lang in languages)]

    def filters(self) -> GroupSessionFilters:
        data = self.cleaned_data
        return GroupSessionFilters(
            category=data["category"],
            language=data["language"],
            price=data["price"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            query=data["q"].strip(),
        )


class GroupSessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What students will learn and how the session runs."),
    )
    session_type = forms.ChoiceField(label=_("Session type"), choices=Session.SessionType.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Session.Category.choices)
    skills = forms.CharField(
        label=_("Skills"),
        max_length=500,
        required=False,
        help_text=_("Comma-separated, for example: algebra, JEE maths."),
    )
    language = forms.ModelChoiceField(label=_("Language"), queryset=Language.objects.filter(is_active=True))
    date = SafeDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    duration_minutes = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        choices=[(minutes, duration_label(minutes)) for minutes in GROUP_DURATIONS],
    )
    capacity = forms.IntegerField(
        label=_("Seats"), min_value=1, max_value=policy.MAX_GROUP_CAPACITY, initial=20,
        help_text=_("From 1 to 50 students."),
    )
    price_rupees = PriceRupeesField(
        label=_("Price per seat (₹)"),
        allow_free=True,
        initial=0,
        help_text=_("In steps of ₹50 from ₹50 to ₹10,000; 0 makes the session free."),
    )
    prerequisites = forms.CharField(
        label=_("Prerequisites"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    learning_objectives = forms.CharField(
        label=_("Learning objectives"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    thumbnail = forms.ImageField(
        label=_("Thumbnail"),
        required=False,
        help_text=_("A JPEG, PNG or WebP image up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        tz = zoneinfo.ZoneInfo(session.time_zone)
        start = session.starts_at.astimezone(tz)
        return {
            "title": session.title,
            "description": session.description,
            "session_type": session.session_type,
            "category": session.category,
            "skills": session.skills,
            "language": session.language_id,
            "date": start.date(),
            "time": start.time().replace(second=0, microsecond=0),
            "time_zone": session.time_zone,
            "duration_minutes": session.duration_minutes,
            "capacity": session.capacity,
            "price_rupees": session.price_paise // 100,
            "prerequisites": session.prerequisites,
            "learning_objectives": session.learning_objectives,
        }

    def clean_thumbnail(self):
        image = self.cleaned_data.get("thumbnail")
        if not image:
            return None
        if image.size > MAX_THUMBNAIL_BYTES:
            raise forms.ValidationError(_("The image is larger than 2 MB."), code="too_large")
        # Pillow has identified the image (ImageField); only common web formats are accepted.
        if getattr(image, "image", None) is not None and image.image.format not in {"JPEG", "PNG", "WEBP"}:
            raise forms.ValidationError(_("Use a JPEG, PNG or WebP image."), code="format")
        return image

    def data_for_service(self) -> GroupSessionData:
        data = self.cleaned_data
        tz = zoneinfo.ZoneInfo(data["time_zone"])
        return GroupSessionData(
            title=data["title"],
            description=data["description"],
            category=data["category"],
            session_type=data["session_type"],
            skills=data["skills"],
            language=data["language"],
            starts_at=dt.datetime.combine(data["date"], data["time"], tzinfo=tz),
            duration_minutes=data["duration_minutes"],
            time_zone=data["time_zone"],
            capacity=data["capacity"],
            price_paise=data["price_rupees"] * 100,
            prerequisites=data["prerequisites"],
            learning_objectives=data["learning_objectives"],
            thumbnail=data["thumbnail"],
        )
