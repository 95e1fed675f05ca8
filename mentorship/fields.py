import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# Every date a person enters here lies well inside these; outside them, date arithmetic (a day later, a week's
# slots) overflows at year 9999 or before year 1.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


class SafeDateField(forms.DateField):
    """A date field that refuses dates no page can work with (0001-01-01, 9999-12-31) with a form error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(MinValueValidator(EARLIEST_DATE, message=_("Enter a date after %(limit_value)s.")))
        self.validators.append(MaxValueValidator(LATEST_DATE, message=_("Enter a date before %(limit_value)s.")))
