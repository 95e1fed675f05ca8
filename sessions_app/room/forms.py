from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mentorship.fields import SafeDateField
from sessions_app.models.room import ProgressMilestone
from sessions_app.room.tips import TIP_MESSAGE_MAX_LENGTH

CUSTOM = "custom"


class TipForm(forms.Form):
    amount = forms.ChoiceField(
        label=_("Amount"),
        choices=[(str(rupees), f"₹{rupees}") for rupees in settings.TIP_PRESETS_RUPEES] + [(CUSTOM, _("Other"))],
        widget=forms.RadioSelect,
        initial=str(settings.TIP_PRESETS_RUPEES[1]),
    )
    custom_amount = forms.IntegerField(
        label=_("Other amount (₹)"),
        required=False,
        min_value=settings.TIP_MIN_PAISE // 100,
        max_value=settings.TIP_MAX_PAISE // 100,
    )
    message = forms.CharField(
        label=_("Message (optional)"), required=False, max_length=TIP_MESSAGE_MAX_LENGTH, strip=True
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("amount") == CUSTOM
            and cleaned.get("custom_amount") is None
            and "custom_amount" not in self.errors
        ):
            self.add_error("custom_amount", _("Enter the amount you want to give."))
        return cleaned

    @property
    def amount_paise(self) -> int:
        data = self.cleaned_data
        rupees = data["custom_amount"] if data["amount"] == CUSTOM else int(data["amount"])
        return rupees * 100


class MentorNoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    is_shared = forms.BooleanField(label=_("Share with the students"), required=False)


class FollowUpTaskForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = SafeDateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(student.pk, student.get_full_name()) for student in students]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(value, value) for value in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Your review"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MilestoneForm(forms.Form):
    """Recorded by the student for themselves, or by the mentor for one of the session's students."""

    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgressMilestone.Kind.choices)
    title = forms.CharField(label=_("Milestone"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(
        label=_("Next steps (one per line)"),
        required=False,
        max_length=2500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    achieved_on = SafeDateField(
        label=_("Achieved on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        if students is None:
            del self.fields["student"]
        else:
            self.fields["student"].choices = [(student.pk, student.get_full_name()) for student in students]

    def clean_next_steps(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["next_steps"].splitlines() if line.strip()]
