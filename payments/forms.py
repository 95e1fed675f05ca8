from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.forms import PriceRupeesField


class CheckoutResultForm(forms.Form):
    """What Checkout.js hands back: the signed success triple, or the id of a failed attempt."""

    SUCCESS = "success"
    FAILED = "failed"

    outcome = forms.ChoiceField(choices=[(SUCCESS, _("Paid")), (FAILED, _("Failed"))])
    razorpay_payment_id = forms.CharField(max_length=64, required=False)
    razorpay_order_id = forms.CharField(max_length=64, required=False)
    razorpay_signature = forms.CharField(max_length=128, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == self.SUCCESS and not all(
            cleaned.get(field) for field in ("razorpay_payment_id", "razorpay_order_id", "razorpay_signature")
        ):
            raise forms.ValidationError(_("The payment result is incomplete."), code="incomplete")
        return cleaned


class TestCheckoutForm(forms.Form):
    """The offline test checkout: the person testing decides how the payment ends."""

    SUCCEED = "succeed"
    FAIL = "fail"

    result = forms.ChoiceField(
        label=_("Result of this test payment"),
        choices=[(SUCCEED, _("Payment succeeds")), (FAIL, _("Payment fails"))],
        widget=forms.RadioSelect,
        initial=SUCCEED,
    )


class PayoutDetailsForm(forms.Form):
    account_holder_name = forms.CharField(label=_("Account holder name"), max_length=150)
    bank_account_number = forms.CharField(
        label=_("Bank account number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ifsc = forms.CharField(label=_("IFSC"), max_length=11, required=False)
    upi_id = forms.CharField(
        label=_("UPI id"), max_length=100, required=False, help_text=_("Instead of a bank account.")
    )
    pan = forms.CharField(
        label=_("PAN"),
        max_length=10,
        required=False,
        help_text=_(
            "Your Permanent Account Number, for income tax withheld at 0.1% instead of 5%. Leave empty to keep the "
            "one on file."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PackageForm(forms.Form):
    """A mentor's package; the price is in whole rupees (₹50 steps, ``mentorship.money.price_error``)."""

    title = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example: “JEE physics, 4 sessions”."))
    sessions_count = forms.IntegerField(label=_("Number of sessions"), min_value=2, max_value=20, initial=4)
    duration_minutes = forms.TypedChoiceField(label=_("Minutes per session"), coerce=int)
    price_rupees = PriceRupeesField(
        label=_("Price of the whole package (₹)"),
        help_text=_("In steps of ₹50, from ₹50 to ₹10,000. Students pay this once, up front."),
    )
    validity_days = forms.IntegerField(label=_("Valid for (days)"), min_value=7, max_value=365, initial=90)

    def __init__(self, *args, durations: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["duration_minutes"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(minutes, _("%(minutes)s minutes") % {"minutes": minutes}) for minutes in durations]


class ScholarshipGrantForm(forms.Form):
    student_email = forms.EmailField(label=_("Student's email address"))
    amount_rupees = forms.IntegerField(label=_("Credits worth (₹)"), min_value=1, max_value=10_00_000)
    sponsor_email = forms.EmailField(
        label=_("Sponsor's email address"),
        required=False,
        help_text=_("The sponsor account that funds it. Empty: you fund it yourself."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
class StatementRequestForm(forms.Form):
    """A past month (India Standard Time) whose statement the mentor wants."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}))


class YouEarnForm(forms.Form):
    """The "You'll earn" page: try a price in whole rupees (without JavaScript, by sending the form)."""

    price = PriceRupeesField(label=_("Price (₹)"), required=False)
