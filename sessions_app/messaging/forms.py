from django import forms
from django.utils.translation import gettext_lazy as _

from mentors.forms import StyledFormMixin
from sessions_app.messaging.services import MAX_TEXT


class MessageForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
    )
    # Checked by its content in the service (accounts.photos): JPEG, PNG or WebP only, re-encoded before storing.
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("A photo or screenshot: JPEG, PNG or WebP, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("text") or "").strip() and not cleaned.get("image"):
            self.add_error("text", _("Write a message or attach an image."))
        return cleaned
