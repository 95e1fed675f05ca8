import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from mentors.forms import StyledFormMixin
from mentors.models import VerificationStatus
from mentors.services.verification import STAFF_ACTIONS_BY_NAME

WAITING_CHOICES = [
    ("", _("Any age")),
    ("2", _("Waiting 2+ days")),
    ("7", _("Waiting 7+ days")),
    ("14", _("Waiting 14+ days")),
    ("30", _("Waiting 30+ days")),
]


class QueueFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("In progress (not approved or rejected)")), *VerificationStatus.choices],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    waiting = forms.TypedChoiceField(
        label=_("Age of application"), required=False, choices=WAITING_CHOICES, coerce=int, empty_value=None
    )
    location = forms.ChoiceField(
        label=_("Location"),
        required=False,
        choices=[("", _("Any location")), ("missing", _("City or state missing"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Any language")),
            *Language.objects.values_list("code", "name"),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "status": self.cleaned_data["status"] or None,
            "language_code": self.cleaned_data["language"] or None,
            "waiting_days": self.cleaned_data["waiting"],
            "missing_location": self.cleaned_data["location"] == "missing",
        }


class VerificationActionForm(StyledFormMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[(name, action.label) for name, action in STAFF_ACTIONS_BY_NAME.items()], widget=forms.HiddenInput
    )
    expected_status = forms.ChoiceField(choices=VerificationStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note to the mentor"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    scheduled_for = forms.DateTimeField(
        label=_("Interview date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, staff_time_zone: zoneinfo.ZoneInfo, **kwargs):
        self.staff_time_zone = staff_time_zone
        super().__init__(*args, **kwargs)
        self.fields["scheduled_for"].help_text = _("In your time zone (%(zone)s).") % {"zone": staff_time_zone.key}

    def clean_scheduled_for(self):
        value = self.cleaned_data.get("scheduled_for")
        if value is None:
            return None
        # The browser sends wall-clock time; it means the staff member's zone, not the server's.
        wall_clock = timezone.make_naive(value, timezone.get_current_timezone())
        return wall_clock.replace(tzinfo=self.staff_time_zone)

    @property
    def staff_action(self):
        return STAFF_ACTIONS_BY_NAME[self.cleaned_data["action"]]
