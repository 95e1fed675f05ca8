from typing import cast

from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.suggestions import term_label
from matching.models import SuggestionTerm
from matching.selectors import MAX_PAGE, FilterOptions, SearchFilters
from mentors.models import StudentLevel

MAX_PRICE_RUPEES = 100_000

SORT_CHOICES_STUDENT = [
    ("best", _("Best match for you")),
    # The student's precomputed recommendations first (matching.recommender), then the best matches.
    ("for_you", _("For you")),
    ("rating", _("Highest rated")),
    ("price_low", _("Price: low to high")),
    ("price_high", _("Price: high to low")),
    ("experience", _("Most experienced")),
]
SORT_CHOICES_VISITOR = [("best", _("Top rated and popular")), *SORT_CHOICES_STUDENT[2:]]
EXPERIENCE_CHOICES = [
    ("", _("Any experience")),
    ("1", _("1+ years")),
    ("3", _("3+ years")),
    ("5", _("5+ years")),
    ("10", _("10+ years")),
]
RATING_CHOICES = [
    ("", _("Any rating")),
    ("3", _("3+ stars")),
    ("3.5", _("3.5+ stars")),
    ("4", _("4+ stars")),
    ("4.5", _("4.5+ stars")),
]
NEAR_CHOICES = [("", _("Anywhere")), ("state", _("In my state")), ("city", _("In my city"))]


class OptionsSelect(forms.Select):
    """A `<select>` built in Python: the filter form shows every subject and specialization on every search, and
    Django's per-option widget templates cost more than the search query (see bench/search_bench.py)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


def _with_current(values: list[str], current: str) -> list[str]:
    # A shared link may name a value no listed mentor has any more; keep it selectable so the page shows it.
    return values if not current or current in values else [*values, current]


def _term_choices(values: list[str]) -> list[tuple[str, str]]:
    # The value stays as mentors typed it (it is what the filter matches); the label is in the reader's language.
    labelled = [(value, term_label(value)) for value in values]
    return sorted(labelled, key=lambda choice: choice[1].casefold())


class MentorSearchForm(forms.Form):
    """The filters of `/mentors/`, read from the query string; a bad value is reported and ignored, never a 500."""

    q = forms.CharField(
        label=_("Search by name, subject or exam"),
        max_length=100,
        required=False,
        # Short enough for a 375 px phone in every language; the label says what can be searched.
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. NEET biology")}),
    )
    level = forms.ChoiceField(label=_("Teaches"), required=False, choices=[("", _("Any level")), *StudentLevel.choices])
    language = forms.ChoiceField(label=_("Language"), required=False)
    primary_only = forms.BooleanField(label=_("Only as their first language"), required=False)
    subject = forms.ChoiceField(label=_("Subject or field"), required=False)
    specialization = forms.ChoiceField(label=_("Specialization"), required=False)
    experience = forms.TypedChoiceField(
        label=_("Experience"), required=False, choices=EXPERIENCE_CHOICES, coerce=int, empty_value=None
    )
    near = forms.ChoiceField(label=_("Location"), required=False, choices=NEAR_CHOICES)
    tz = forms.BooleanField(label=_("Time zone close to mine"), required=False)
    price_min = forms.IntegerField(label=_("Min ₹ / hour"), required=False, min_value=0, max_value=MAX_PRICE_RUPEES)
    price_max = forms.IntegerField(label=_("Max ₹ / hour"), required=False, min_value=0, max_value=MAX_PRICE_RUPEES)
    rating = forms.TypedChoiceField(
        label=_("Rating"), required=False, choices=RATING_CHOICES, coerce=float, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES_STUDENT)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, data, *, options: FilterOptions, is_student: bool, knows_place: bool):
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Any language")),
            *(
                (code, options.language_names.get(code, code))
                for code in _with_current(options.languages, data.get("language", ""))
            ),
        ]
        cast(forms.ChoiceField, self.fields["subject"]).choices = [
            ("", _("Any subject")),
            *_term_choices(_with_current(options.subjects, data.get("subject", ""))),
        ]
        cast(forms.ChoiceField, self.fields["specialization"]).choices = [
            ("", _("Any specialization")),
            *_term_choices(_with_current(options.specializations, data.get("specialization", ""))),
        ]
        if not is_student:
            cast(forms.ChoiceField, self.fields["sort"]).choices = SORT_CHOICES_VISITOR
        if not knows_place:
            del self.fields["near"]
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                # The choices of these fields are lists of pairs.
                field.widget = OptionsSelect(choices=cast(forms.ChoiceField, field).choices)  # type: ignore[arg-type]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must be at least the lowest."))
        return cleaned

    def _value(self, name: str, default=None):
        # Valid fields count even when another one is wrong: one bad parameter must not hide every filter.
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def search_filters(self) -> SearchFilters:
        price_min, price_max = self._value("price_min"), self._value("price_max")
        return SearchFilters(
            query=self._value("q", "").strip(),
            level=self._value("level", ""),
            language=self._value("language", ""),
            primary_language_only=bool(self._value("primary_only", False)),
            subject=self._value("subject", ""),
            specialization=self._value("specialization", ""),
            min_experience=self._value("experience"),
            near=self._value("near", ""),
            time_zone_compatible=bool(self._value("tz", False)),
            price_min_paise=None if price_min is None else price_min * 100,
            price_max_paise=None if price_max is None else price_max * 100,
            min_rating=self._value("rating"),
            sort=self._value("sort", "best"),
        )

    def page_number(self) -> int:
        return self._value("page", 1)

    def filter_count(self) -> int:
        """How many filters are in use (the "Filters (n)" button; each is a removable chip above the results)."""
        return len(self.active_filters())

    def active_filters(self) -> list[tuple[str, str]]:
        """(parameter, what it shows) for every filter in use, to offer removing each one."""
        active: list[tuple[str, str]] = []
        for name in ("q", "level", "language", "primary_only", "subject", "specialization", "experience", "near", "tz",
                     "price_min", "price_max", "rating"):  # fmt: skip
            if name not in self.fields or self._value(name) is None or self._value(name) is False:
                continue
            field = self.fields[name]
            if name == "q":
                shown = str(self._value(name))  # the words themselves: the search box's label is long
            elif isinstance(field, forms.BooleanField):
                shown = str(field.label)
            elif isinstance(field, forms.ChoiceField):
                shown = str(dict(field.choices).get(self.data.get(name), self.data.get(name)))  # type: ignore[arg-type]  # choices here are lists of pairs
            else:
                shown = f"{field.label}: {self._value(name)}"
            active.append((name, shown))
        return active


class TermSuggestionsForm(forms.Form):
    """What the suggestions endpoint is asked: which vocabulary, for whom, and which request parameter holds the
    field's text (the widget sends the field under its own name)."""

    TYPED_TEXT_MAX_LENGTH = 2000

    vocabulary = forms.ChoiceField(choices=SuggestionTerm.Vocabulary.choices)
    audience = forms.ChoiceField(choices=[("student", "student"), ("mentor", "mentor")])
    field = forms.RegexField(regex=r"^[\w-]{1,64}$", required=False)
    target = forms.RegexField(regex=r"^[\w-]{1,80}$", required=False)
    format = forms.ChoiceField(choices=[("buttons", "buttons"), ("options", "options")], required=False)

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or "buttons"

    def typed_text(self, query: QueryDict) -> str:
        name = self.cleaned_data["field"]
        return query.get(name, "")[: self.TYPED_TEXT_MAX_LENGTH] if name else ""
