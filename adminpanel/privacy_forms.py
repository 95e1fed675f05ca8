from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditLogEntry


class AuditLogFilterForm(forms.Form):
    event = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("Any event")), *AuditLogEntry.Event.choices]
    )
    model = forms.RegexField(
        label=_("Record type"),
        required=False,
        regex=r"^[a-z_]+\.[a-z_]+$",
        max_length=100,
        help_text=_("For example payments.payout or accounts.user"),
        error_messages={"invalid": _("Write it as app.model, for example payments.payout.")},
    )
    object_pk = forms.CharField(label=_("Record id"), required=False, max_length=64)
    actor_id = forms.IntegerField(label=_("Done by (user id)"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
