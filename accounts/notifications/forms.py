"""The notification preferences form: channels per category, quiet hours, the daily digest."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.notifications.kinds import CATEGORIES

CHANNELS = (("in_app", _("In the app")), ("email", _("Email")), ("sms", _("SMS")))


class NotificationPreferencesForm(forms.Form):
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In your own time zone. Emails and SMS wait until the quiet hours end; urgent notices do not."),
    )
    email_digest = forms.BooleanField(
        label=_("Send me one email a day with everything that is not urgent"), required=False
    )

    def __init__(self, *args: Any, has_phone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_phone = has_phone
        for category in CATEGORIES:
            for channel, label in CHANNELS:
                self.fields[f"{category}__{channel}"] = forms.BooleanField(
                    label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "h-4 w-4"})
                )

    def rows(self) -> list[tuple[Promise, list[forms.BoundField]]]:
        return [
            (label, [self[f"{key}__{channel}"] for channel, _label in CHANNELS]) for key, label in CATEGORIES.items()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if (start is None) != (end is None):
            raise ValidationError(_("Give both the start and the end of your quiet hours, or neither."))
        if not self.has_phone and any(cleaned.get(f"{key}__sms") for key in CATEGORIES):
            raise ValidationError(_("Add a mobile number before choosing SMS."))
        return cleaned

    def choices(self) -> dict[str, dict[str, bool]]:
        return {
            key: {channel: bool(self.cleaned_data.get(f"{key}__{channel}")) for channel, _label in CHANNELS}
            for key in CATEGORIES
        }
