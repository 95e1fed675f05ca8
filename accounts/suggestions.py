"""Fixed lists: <datalist> suggestions in onboarding (students may type anything else), India's states and union
territories, and the subjects and specializations pages show in the reader's language."""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

SCHOOL_CORE_SUBJECTS = (
    gettext_noop("Mathematics"),
    gettext_noop("Science"),
    gettext_noop("Social Science"),
    gettext_noop("English"),
    gettext_noop("Hindi"),
    gettext_noop("Telugu"),
)
STREAM_SUBJECTS = {
    "science_pcm": (
        gettext_noop("Physics"),
        gettext_noop("Chemistry"),
        gettext_noop("Mathematics"),
        gettext_noop("Computer Science"),
        gettext_noop("English"),
    ),
    "science_pcb": (
        gettext_noop("Physics"),
        gettext_noop("Chemistry"),
        gettext_noop("Biology"),
        gettext_noop("English"),
        gettext_noop("Psychology"),
    ),
    "commerce": (
        gettext_noop("Accountancy"),
        gettext_noop("Business Studies"),
        gettext_noop("Economics"),
        gettext_noop("Mathematics"),
        gettext_noop("English"),
    ),
    "arts": (
        gettext_noop("History"),
        gettext_noop("Political Science"),
        gettext_noop("Geography"),
        gettext_noop("Sociology"),
        gettext_noop("Psychology"),
        gettext_noop("English"),
    ),
    "vocational": (
        gettext_noop("Information Technology"),
        gettext_noop("Entrepreneurship"),
        gettext_noop("Agriculture"),
        gettext_noop("English"),
    ),
}
SCHOOL_EXTRA_SUBJECTS = (
    gettext_noop("Sanskrit"),
    gettext_noop("Computer Applications"),
    gettext_noop("Physical Education"),
    gettext_noop("Fine Arts"),
)
# Further subjects, specializations, expertise areas and industries mentors commonly list. Mentors type these lists
# themselves: an entry that is one of these names (in any letter case) is shown translated, anything else as typed.
MENTOR_TERMS = (
    gettext_noop("Polity"),
    gettext_noop("Statistics"),
    gettext_noop("Python"),
    gettext_noop("Accountancy"),
    gettext_noop("Board exam preparation"),
    gettext_noop("CA Foundation"),
    gettext_noop("CBSE Mathematics"),
    gettext_noop("Career counselling"),
    gettext_noop("Data Science"),
    gettext_noop("Data Structures and Algorithms"),
    gettext_noop("GATE Computer Science"),
    gettext_noop("General Studies"),
    gettext_noop("ICSE Chemistry"),
    gettext_noop("IELTS preparation"),
    gettext_noop("JEE Advanced"),
    gettext_noop("JEE Main"),
    gettext_noop("JEE Mathematics"),
    gettext_noop("JEE Physics"),
    gettext_noop("Machine Learning"),
    gettext_noop("NEET preparation"),
    gettext_noop("Operating Systems"),
    gettext_noop("Placement preparation"),
    gettext_noop("Spoken English"),
    gettext_noop("Stream selection"),
    gettext_noop("UPSC Civil Services"),
    gettext_noop("Career guidance"),
    gettext_noop("Communication skills"),
    gettext_noop("Competitive exams"),
    gettext_noop("Data analysis"),
    gettext_noop("Engineering entrance"),
    gettext_noop("Finance"),
    gettext_noop("Medical entrance"),
    gettext_noop("Organic chemistry"),
    gettext_noop("Public administration"),
    gettext_noop("Python programming"),
    gettext_noop("School mathematics"),
    gettext_noop("Software engineering"),
    gettext_noop("Taxation"),
    gettext_noop("Education"),
    gettext_noop("Engineering"),
    gettext_noop("Government"),
    gettext_noop("Healthcare"),
    gettext_noop("Pharmaceuticals"),
    gettext_noop("Technology"),
)

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
    """Subjects worth suggesting for a class and stream in the active language, without repeats, in a stable
    order."""
    if class_grade is not None and class_grade >= 11 and stream in STREAM_SUBJECTS:
        candidates = [*STREAM_SUBJECTS[stream]]
    elif class_grade is not None and class_grade >= 11:
        candidates = [subject for subjects in STREAM_SUBJECTS.values() for subject in subjects]
    else:
        candidates = [*SCHOOL_CORE_SUBJECTS, *SCHOOL_EXTRA_SUBJECTS]
    seen: dict[str, None] = {}
    for subject in candidates:
        seen.setdefault(gettext(subject), None)
    return list(seen)


_TERMS_BY_KEY = {
    " ".join(term.split()).casefold(): term
    for term in (
        *SCHOOL_CORE_SUBJECTS,
        *(subject for subjects in STREAM_SUBJECTS.values() for subject in subjects),
        *SCHOOL_EXTRA_SUBJECTS,
        *MENTOR_TERMS,
    )
}


def term_label(text: str) -> str:
    """A subject, specialization or field in the active language when it is on the lists; else as typed."""
    term = _TERMS_BY_KEY.get(" ".join(text.split()).casefold())
    return gettext(term) if term else text


def term_labels(texts: list[str]) -> str:
    """A typed list of subjects or fields, comma-separated, each through `term_label`."""
    return ", ".join(term_label(text) for text in texts)
