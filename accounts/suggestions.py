"""Suggestions offered as <datalist> help in the onboarding forms; students may type anything else."""

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

INDIAN_STATES = (
    "Andhra Pradesh",
    "Arunachal Pradesh",
    "Assam",
    "Bihar",
    "Chhattisgarh",
    "Goa",
    "Gujarat",
    "Haryana",
    "Himachal Pradesh",
    "Jharkhand",
    "Karnataka",
    "Kerala",
    "Madhya Pradesh",
    "Maharashtra",
    "Manipur",
    "Meghalaya",
    "Mizoram",
    "Nagaland",
    "Odisha",
    "Punjab",
    "Rajasthan",
    "Sikkim",
    "Tamil Nadu",
    "Telangana",
    "Tripura",
    "Uttar Pradesh",
    "Uttarakhand",
    "West Bengal",
    "Andaman and Nicobar Islands",
    "Chandigarh",
    "Dadra and Nagar Haveli and Daman and Diu",
    "Delhi",
    "Jammu and Kashmir",
    "Ladakh",
    "Lakshadweep",
    "Puducherry",
)


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
