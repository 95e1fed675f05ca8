"""How every form renders, and how a service's refusal lands on a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from mentorship.money import MAX_PRICE_PAISE, MIN_PRICE_PAISE, PRICE_STEP_PAISE, price_error

# A form submission that fails validation (the form's or the service's) is answered with this status and the form
# again, with its errors; htmx is configured in base.html to swap it like a success.
INVALID_FORM_STATUS = 400


class FormRenderer(TemplatesSetting):
    """Forms render through the project's templates: `{{ field.as_field_group }}` through the one field template,
    `{{ form }}` as all its fields through it (the errors summary, partials/_form_errors.html, is the page's)."""

    field_template_name = "partials/_field.html"
    form_template_name = "partials/_fields.html"


def add_service_errors(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    field_map: dict[str, str] | None = None,
    default_field: str | None = None,
) -> None:
    """A service's ValidationError as form errors: next to the field it names (renamed through `field_map` where
    the form calls it differently), the rest on `default_field`, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(default_field, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = (field_map or {}).get(name, name)
        form.add_error(field if field in form.fields else default_field, messages)


def form_status(form: forms.BaseForm) -> int:
    """200 for a blank or valid form, `INVALID_FORM_STATUS` once a submitted one carries errors."""
    return INVALID_FORM_STATUS if form.is_bound and form.errors else 200


class PriceRupeesField(forms.IntegerField):
    """A price in whole rupees as mentors set it (``mentorship.money.price_error``): ₹50 steps from ₹50 to ₹10,000,
    and 0 (free) where ``allow_free``. Render it with ``{% load earnings %}{% price_field form.<name> %}`` to show
    what the mentor keeps of it."""

    def __init__(self, *, allow_free: bool = False, **kwargs):
        self.allow_free = allow_free
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "min": 0 if self.allow_free else MIN_PRICE_PAISE // 100,
                "max": MAX_PRICE_PAISE // 100,
                "step": PRICE_STEP_PAISE // 100,
                "inputmode": "numeric",
            }
        )
        return attrs

    def validate(self, value):
        super().validate(value)
        if value is not None and (error := price_error(value * 100, allow_free=self.allow_free)):
            raise forms.ValidationError(error, code="price")
