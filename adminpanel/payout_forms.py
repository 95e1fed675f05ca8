from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import Payout, PayoutHold


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Payout.Status.choices]
    )
    run = forms.IntegerField(label=_("Weekly run"), required=False, min_value=1, widget=forms.HiddenInput)
    mentor = forms.IntegerField(label=_("Mentor (user id)"), required=False, min_value=1)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"status": data["status"], "run_id": data["run"], "mentor_id": data["mentor"]}


class PayoutRetryForm(forms.Form):
    reason = forms.CharField(
        label=_("Why retry now"),
        max_length=500,
        help_text=_("For the audit trail, e.g. “Mentor corrected the IFSC on 3 Dec”."),
    )


class PayoutHoldForm(forms.Form):
    # Set when the form is sent from a payout's page, which the staff member returns to.
    payout = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    mentor_email = forms.EmailField(label=_("Mentor's email"))
    reason = forms.ChoiceField(label=_("Reason"), choices=PayoutHold.Reason.choices)
    note = forms.CharField(
        label=_("Message to the mentor"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The mentor reads this on their earnings page."),
    )


class PayoutHoldReleaseForm(forms.Form):
    payout = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    release_note = forms.CharField(label=_("Why the hold ends"), max_length=500)
