"""What ``mentors`` holds about a user, for their data export and account erasure (registered in apps.py)."""

from accounts.privacy.registry import ExportPart, files_of, rows
from mentors.models import (
    AvailabilityOverride,
    AvailabilityRule,
    Certification,
    Education,
    MentorProfile,
    MentorSlugHistory,
    VerificationDocument,
    VerificationEvent,
    WorkExperience,
)


def export_mentor_data(*, user) -> ExportPart:
    mentor = MentorProfile.objects.filter(user=user).first()
    if mentor is None:
        return ExportPart(data={"mentor_profile": None})
    documents = list(VerificationDocument.objects.filter(mentor=mentor))
    return ExportPart(
        data={
            "mentor_profile": rows([mentor], exclude=["user"])[0],
            "work_experience": rows(WorkExperience.objects.filter(mentor=mentor), exclude=["mentor"]),
            "education": rows(Education.objects.filter(mentor=mentor), exclude=["mentor"]),
            "certifications": rows(Certification.objects.filter(mentor=mentor), exclude=["mentor"]),
            "verification_documents": rows(documents, exclude=["mentor"]),
            "verification_history": rows(VerificationEvent.objects.filter(mentor=mentor), exclude=["mentor", "actor"]),
            "availability_rules": rows(AvailabilityRule.objects.filter(mentor=mentor), exclude=["mentor"]),
            "availability_overrides": rows(AvailabilityOverride.objects.filter(mentor=mentor), exclude=["mentor"]),
        },
        files=files_of(documents, "file", "verification-documents"),
    )


def erase_mentor_data(*, user, pseudonym: str) -> None:
    """The profile disappears from discovery and loses everything that described the person; its id stays
    for the sessions, reviews and payouts that point at it."""
    mentor = MentorProfile.objects.filter(user=user).first()
    if mentor is None:
        return
    for document in VerificationDocument.objects.filter(mentor=mentor):
        document.file.delete(save=False)
    VerificationDocument.objects.filter(mentor=mentor).delete()
    for model in (WorkExperience, Education, Certification, AvailabilityRule, AvailabilityOverride, MentorSlugHistory):
        model.objects.filter(mentor=mentor).delete()
    VerificationEvent.objects.filter(mentor=mentor).update(note="")
    mentor.slug = f"former-mentor-{mentor.pk}"
    mentor.title = pseudonym
    mentor.university = mentor.company = mentor.bio = mentor.linkedin_url = mentor.decision_reason = ""
    mentor.expertise_areas, mentor.specializations, mentor.industry_focus = [], [], []
    mentor.subjects, mentor.skills = [], []
    mentor.is_active = False
    mentor.save(
        update_fields=[
            "slug", "title", "university", "company", "bio", "linkedin_url", "decision_reason", "expertise_areas",
            "specializations", "industry_focus", "subjects", "skills", "is_active",
        ]
    )
