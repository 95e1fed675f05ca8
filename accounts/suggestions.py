"""Fixed lists for forms: <datalist> suggestions in onboarding (students may type anything else), and India's states
and union territories."""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

SCHOOL_CORE_SUBJECTS = (_("Mathematics"), _("Science"), _("Social Science"), _("English"), _("Hindi"), _("Telugu"))
STREAM_SUBJECTS = {
    "science_pcm": (_("Physics"), _("Chemistry"), _("Mathematics"), _("Computer Science"), _("English")),
    "science_pcb": (_("Physics"), _("Chemistry"), _("Biology"), _("English"), _("Psychology")),
    "commerce": (_("Accountancy"), _("Business Studies"), _("Economics"), _("Mathematics"), _("English")),
    "arts": (_("History"), _("Political Science"), _("Geography"), _("Sociology"), _("Psychology"), _("English")),
    "vocational": (_("Information Technology"), _("Entrepreneurship"), _("Agriculture"), _("English")),
}
SCHOOL_EXTRA_SUBJECTS = (_("Sanskrit"), _("Computer Applications"), _("Physical Education"), _("Fine Arts"))

DEGREES = (
    "B.Tech",
    "B.E.",
    "B.Sc",
    "B.Com",
    "B.A.",
    "BBA",
    "BCA",
    "MBBS",
    "B.Pharm",
    "LLB",
    "B.Arch",
    "B.Des",
    "M.Tech",
    "M.Sc",
    "M.Com",
    "M.A.",
    "MBA",
    "MCA",
)

# States and union territories, stored by their English names (a fixed list: shown in the reader's language).
INDIAN_STATES = (
    gettext_noop("Andhra Pradesh"),
    gettext_noop("Arunachal Pradesh"),
    gettext_noop("Assam"),
    gettext_noop("Bihar"),
    gettext_noop("Chhattisgarh"),
    gettext_noop("Goa"),
    gettext_noop("Gujarat"),
    gettext_noop("Haryana"),
    gettext_noop("Himachal Pradesh"),
    gettext_noop("Jharkhand"),
    gettext_noop("Karnataka"),
    gettext_noop("Kerala"),
    gettext_noop("Madhya Pradesh"),
    gettext_noop("Maharashtra"),
    gettext_noop("Manipur"),
    gettext_noop("Meghalaya"),
    gettext_noop("Mizoram"),
    gettext_noop("Nagaland"),
    gettext_noop("Odisha"),
    gettext_noop("Punjab"),
    gettext_noop("Rajasthan"),
    gettext_noop("Sikkim"),
    gettext_noop("Tamil Nadu"),
    gettext_noop("Telangana"),
    gettext_noop("Tripura"),
    gettext_noop("Uttar Pradesh"),
    gettext_noop("Uttarakhand"),
    gettext_noop("West Bengal"),
    gettext_noop("Andaman and Nicobar Islands"),
    gettext_noop("Chandigarh"),
    gettext_noop("Dadra and Nagar Haveli and Daman and Diu"),
    gettext_noop("Delhi"),
    gettext_noop("Jammu and Kashmir"),
    gettext_noop("Ladakh"),
    gettext_noop("Lakshadweep"),
    gettext_noop("Puducherry"),
)
INDIAN_STATE_CHOICES = [(name, _(name)) for name in INDIAN_STATES]
_STATES_BY_KEY = {name.casefold(): name for name in INDIAN_STATES}


def state_from_text(text: str) -> str:
    """The list's name for a typed state ("telangana " → "Telangana"), or "" when it is not one of them."""
    return _STATES_BY_KEY.get(" ".join(text.split()).casefold(), "")


def state_label(name: str) -> str:
    """A stored state in the active language; text that is not on the list is shown as typed."""
    return gettext(name) if name in INDIAN_STATES else name


def subject_suggestions(class_grade: int | None, stream: str) -> list[str]:
    """Subjects worth suggesting for a class and stream, without repeats, in a stable order."""
    if class_grade is not None and class_grade >= 11 and stream in STREAM_SUBJECTS:
        candidates = [*STREAM_SUBJECTS[stream]]
    elif class_grade is not None and class_grade >= 11:
        candidates = [subject for subjects in STREAM_SUBJECTS.values() for subject in subjects]
    else:
        candidates = [*SCHOOL_CORE_SUBJECTS, *SCHOOL_EXTRA_SUBJECTS]
    seen: dict[str, None] = {}
    for subject in candidates:
        seen.setdefault(str(subject), None)
    return list(seen)
