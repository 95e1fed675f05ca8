import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from adminpanel.models import CannedReply, ModerationReport, QualityReview, Ticket
from mentors.models import VerificationStatus
from mentors.services.verification import STAFF_ACTIONS_BY_NAME

WAITING_CHOICES = [
    ("", _("Any age")),
    ("2", _("Waiting 2+ days")),
    ("7", _("Waiting 7+ days")),
    ("14", _("Waiting 14+ days")),
    ("30", _("Waiting 30+ days")),
]


class QueueFilterForm(forms.Form):
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
            *((language.code, language.display_name) for language in Language.objects.all()),
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


class VerificationActionForm(forms.Form):
    # Sent by the button pressed (one per action), not a field of its own.
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

    def clean(self):
        cleaned = super().clean()
        action = STAFF_ACTIONS_BY_NAME.get(cleaned.get("action", ""))
        # The page shares one time field among its actions: only an action about an interview keeps it.
        if action is not None and not action.needs_time:
            cleaned["scheduled_for"] = None
        return cleaned

    @property
    def staff_action(self):
        return STAFF_ACTIONS_BY_NAME[self.cleaned_data["action"]]


# --- support desk --------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _attachments_field():
    return MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("Up to 3 files: PDF, JPEG or PNG, 10 MB each.")
    )


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Ticket.Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    booking = forms.TypedChoiceField(label=_("Booking (optional)"), required=False, coerce=int, empty_value=None)
    payment = forms.TypedChoiceField(label=_("Payment (optional)"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("Describe the problem"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = _attachments_field()

    def __init__(self, *args, bookings=(), payments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = {b.pk: b for b in bookings}
        self.payments = {p.pk: p for p in payments}
        self.fields["booking"].choices = [("", _("None")), *[(b.pk, str(b.session)) for b in bookings]]
        self.fields["payment"].choices = [("", _("None")), *[(p.pk, p.description) for p in payments]]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your email"))
    category = forms.ChoiceField(label=_("What is it about?"), choices=Ticket.Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = _attachments_field()


class AppealForm(forms.Form):
    body = forms.CharField(
        label=_("Why should we reinstate your account?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class StaffReplyForm(ReplyForm):
    ACTIONS = [
        ("reply", _("Reply (waits on the user)")),
        ("resolve", _("Reply and resolve")),
        ("note", _("Internal note (staff only)")),
    ]
    action = forms.ChoiceField(label=_("Send as"), choices=ACTIONS, initial="reply", widget=forms.RadioSelect)
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        queryset=CannedReply.objects.all(),
        required=False,
        empty_label=_("None"),
        help_text=_("Sent as it is when you leave the message empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("body", "").strip() and cleaned.get("canned"):
            cleaned["body"] = cleaned["canned"].body
        if not cleaned.get("body", "").strip():
            self.add_error("body", _("Write a message or pick a canned reply."))
        return cleaned


class EmergencyForm(forms.Form):
    description = forms.CharField(
        label=_("What is happening?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class TicketFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open or waiting")), *Ticket.Status.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *Ticket.Priority.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any category")), *Ticket.Category.choices]
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *settings.LANGUAGES]
    )
    breached = forms.BooleanField(label=_("First response late"), required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("none", _("Unassigned")),
            *[(str(s.pk), s.full_name) for s in staff],
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        assignee = self.cleaned_data["assignee"]
        return {
            "status": self.cleaned_data["status"] or None,
            "priority": self.cleaned_data["priority"],
            "category": self.cleaned_data["category"] or None,
            "assignee_id": int(assignee) if assignee.isdigit() else None,
            "unassigned": assignee == "none",
            "language_code": self.cleaned_data["language"] or None,
            "breached": self.cleaned_data["breached"],
        }


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Ticket.Priority.choices, coerce=int)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class QualityDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=QualityReview.Outcome.choices)
    note = forms.CharField(
        label=_("Note to the mentor"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How is PeerLearn working for you? (1 = poor, 5 = great)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What should we improve?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you reporting this?"), choices=ModerationReport.Reason.choices)
    details = forms.CharField(
        label=_("Details (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ModerationDecisionForm(forms.Form):
    OUTCOMES = [
        ("dismiss", _("Dismiss")),
        ("hide", _("Hide the review or message")),
        ("warn", _("Warn the user")),
        ("suspend", _("Suspend the user")),
    ]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
