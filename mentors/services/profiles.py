"""Applying to mentor, and editing the profile afterwards."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Language, User
from accounts.services import user_photo_set
from accounts.suggestions import INDIAN_STATES
from mentors.documents import detect_document_type
from mentors.hooks import announce_profile_changed
from mentors.models import (
    Certification,
    Education,
    MentorProfile,
    MentorSlugHistory,
    VerificationDocument,
    VerificationEvent,
    WorkExperience,
)
from mentors.models import VerificationStatus as S
from mentors.services.verification import REVIEW_AGAIN_FROM, verification_transition_by_mentor
from mentors.tasks import send_application_received_email
from outbox.services import enqueue

PROFILE_FIELDS = (
    "title",
    "university",
    "company",
    "years_experience",
    "bio",
    "expertise_areas",
    "specializations",
    "industry_focus",
    "subjects",
    "skills",
    "levels_served",
    "hourly_rate_paise",
    "linkedin_url",
    "offered_durations",
)
# Facts staff checked against documents: changing them sends the profile back to document review.
VERIFIED_FIELDS = ("university", "company")
EDITABLE_STATUSES = frozenset({S.PENDING, S.DOCUMENTS_UNDER_REVIEW, *REVIEW_AGAIN_FROM, S.SUSPENDED})
MAX_SLUG_LENGTH = 80


@dataclass(frozen=True)
class MentorApplication:
    """Everything the application (and the profile editor) collects, already cleaned by the forms."""

    full_name: str
    profile: dict[str, Any]
    primary_language: Language
    languages: list[Language]
    time_zone: str
    city: str
    state: str  # one of accounts.suggestions.INDIAN_STATES
    work_experiences: list[dict[str, Any]] = field(default_factory=list)
    education: list[dict[str, Any]] = field(default_factory=list)
    certifications: list[dict[str, Any]] = field(default_factory=list)
    documents: list[tuple[str, UploadedFile]] = field(default_factory=list)


def mentor_application_submit(*, user: User, application: MentorApplication) -> MentorProfile:
    """A first application, or a resubmission when staff asked for one. Leaves the profile `pending`."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        mentor = MentorProfile.objects.select_for_update().filter(user=user).first()
        if mentor is not None and mentor.verification_status != S.REAPPLICATION_REQUIRED:
            raise ValidationError(_("You have already applied to be a mentor."), code="already_applied")
        documents = _checked_documents(application.documents)
        has_id_proof = any(kind == VerificationDocument.DocumentType.ID_PROOF for kind, _upload, _type in documents)
        if not has_id_proof and not (
            mentor and mentor.documents.filter(document_type=VerificationDocument.DocumentType.ID_PROOF).exists()
        ):
            raise ValidationError({"documents": _("Upload an ID proof.")}, code="id_proof_required")

        if mentor is None:
            mentor = MentorProfile(user=user, slug=_unique_slug(application.full_name or user.email.split("@")[0]))
            _set_profile_fields(mentor, application.profile)
            mentor.verification_status = S.PENDING
            mentor.submitted_at = timezone.now()
            _full_clean(mentor, exclude=["user", "slug"])
            mentor.save()
            VerificationEvent.objects.create(mentor=mentor, from_status="", to_status=S.PENDING, actor=user)
        else:
            _set_profile_fields(mentor, application.profile)
            mentor.submitted_at = timezone.now()
            _full_clean(mentor, exclude=["user", "slug"])
            mentor.save(update_fields=[*PROFILE_FIELDS, "submitted_at", "updated_at"])
            verification_transition_by_mentor(
                mentor=mentor, to_status=S.PENDING, note=_("Application resubmitted."), notify=False
            )
        _update_user(user, application, make_mentor=True)
        _replace_entries(mentor, application)
        _store_documents(mentor, documents)
        enqueue(send_application_received_email, mentor.pk)
        announce_profile_changed(mentor.pk)
    return mentor


def mentor_profile_update(*, mentor_id: int, actor: User, application: MentorApplication) -> MentorProfile:
    """The mentor's own edit. The rest publishes at once; new verified facts go back to document review."""
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().select_related("user").get(pk=mentor_id, user=actor)
        if mentor.verification_status not in EDITABLE_STATUSES:
            raise ValidationError(_("This profile cannot be edited now."), code="not_editable")
        documents = _checked_documents(application.documents)
        changed_facts = [name for name in VERIFIED_FIELDS if getattr(mentor, name) != application.profile[name]]
        _set_profile_fields(mentor, application.profile)
        _full_clean(mentor, exclude=["user", "slug"])
        mentor.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
        _update_user(mentor.user, application, make_mentor=False)
        _replace_entries(mentor, application)
        _store_documents(mentor, documents)
        if (changed_facts or documents) and mentor.verification_status in REVIEW_AGAIN_FROM:
            changes = [str(MentorProfile._meta.get_field(name).verbose_name) for name in changed_facts]  # type: ignore[union-attr]  # concrete fields
            if documents:
                changes.append(_("new documents"))
            verification_transition_by_mentor(
                mentor=mentor,
                to_status=S.DOCUMENTS_UNDER_REVIEW,
                note=_("Verified details changed: %(changes)s.") % {"changes": ", ".join(changes)},
            )
        announce_profile_changed(mentor.pk)
    return mentor


def mentor_slug_change(*, mentor_id: int, actor: User, slug: str) -> MentorProfile:
    """Give the profile a new address; the old one keeps working as a permanent redirect."""
    slug = slugify(slug)[:MAX_SLUG_LENGTH].strip("-")
    if not slug:
        raise ValidationError({"slug": _("Use letters, numbers and hyphens.")}, code="invalid")
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=mentor_id, user=actor)
        if slug == mentor.slug:
            return mentor
        if (
            MentorProfile.objects.filter(slug=slug).exists()
            or MentorSlugHistory.objects.filter(slug=slug).exclude(mentor=mentor).exists()
        ):
            raise ValidationError({"slug": _("That address is taken.")}, code="taken")
        MentorSlugHistory.objects.filter(mentor=mentor, slug=slug).delete()
        MentorSlugHistory.objects.create(mentor=mentor, slug=mentor.slug)
        mentor.slug = slug
        mentor.save(update_fields=["slug", "updated_at"])
        announce_profile_changed(mentor.pk)
    return mentor


def mentor_photo_change(*, mentor_id: int, actor: User, photo: UploadedFile | None, remove: bool, keep: str) -> bool:
    """A new profile photo cut to a square keeping the `keep` part (or none: the initials are shown). Students see
    it on the profile, on search and recommendation cards (their cached HTML is retired by the profile-changed
    listeners once this commits) and in the room. Returns whether the photo changed."""
    with transaction.atomic():
        mentor = MentorProfile.objects.select_related("user").get(pk=mentor_id, user=actor)
        user = User.objects.select_for_update().get(pk=mentor.user_id)
        changed = user_photo_set(user=user, photo=photo, remove=remove, square=keep)
        if changed:
            announce_profile_changed(mentor.pk)
    return changed


def _unique_slug(name: str) -> str:
    base = slugify(name)[: MAX_SLUG_LENGTH - 6].strip("-") or "mentor"
    taken = set(MentorProfile.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | set(
        MentorSlugHistory.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _set_profile_fields(mentor: MentorProfile, profile: dict[str, Any]) -> None:
    for name in PROFILE_FIELDS:
        setattr(mentor, name, profile[name])
    for name in ("expertise_areas", "specializations", "industry_focus", "subjects", "skills"):
        setattr(mentor, name, _tidy_list(getattr(mentor, name)))
    mentor.levels_served = sorted(set(mentor.levels_served))
    mentor.offered_durations = sorted(set(mentor.offered_durations))


def _tidy_list(values: list[str]) -> list[str]:
    """Trimmed, without blanks or case-insensitive repeats, in the order given."""
    seen: set[str] = set()
    tidy = []
    for value in values:
        value = value.strip()
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            tidy.append(value)
    return tidy


def _full_clean(instance: Any, exclude: list[str]) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False)


def _update_user(user: User, application: MentorApplication, *, make_mentor: bool) -> None:
    city = " ".join(application.city.split())
    if not city:
        raise ValidationError({"city": _("Enter the city or town you live in.")}, code="city_required")
    if application.state not in INDIAN_STATES:
        raise ValidationError({"state": _("Choose your state or union territory.")}, code="state_unknown")
    user.full_name = application.full_name.strip() or user.full_name
    user.primary_language = application.primary_language
    user.time_zone = application.time_zone
    user.city, user.state = city, application.state
    fields = ["full_name", "primary_language", "time_zone", "city", "state", "updated_at"]
    if make_mentor and user.role == User.Role.STUDENT:
        user.role = User.Role.MENTOR
        fields.append("role")
    user.full_clean(exclude=["password", "email"], validate_unique=False)
    user.save(update_fields=fields)
    user.languages.set({application.primary_language, *application.languages})


def _replace_entries(mentor: MentorProfile, application: MentorApplication) -> None:
    for model, rows, related in (
        (WorkExperience, application.work_experiences, mentor.work_experiences),
        (Education, application.education, mentor.education_entries),
        (Certification, application.certifications, mentor.certifications),
    ):
        entries = [model(mentor=mentor, **row) for row in rows]
        for entry in entries:
            _full_clean(entry, exclude=["mentor"])
        related.all().delete()
        model.objects.bulk_create(entries)  # type: ignore[arg-type]  # entries are all of `model`


def _checked_documents(documents: list[tuple[str, UploadedFile]]) -> list[tuple[str, UploadedFile, str]]:
    checked = []
    for kind, upload in documents:
        if kind not in VerificationDocument.DocumentType.values:
            raise ValidationError({"documents": _("Choose what kind of document this is.")}, code="bad_kind")
        try:
            checked.append((kind, upload, detect_document_type(upload)))
        except ValidationError as error:
            raise ValidationError({"documents": error.messages}) from error
    return checked


def _store_documents(mentor: MentorProfile, documents: list[tuple[str, UploadedFile, str]]) -> None:
    # Files are written last, after every check, so a refused application leaves nothing in storage.
    for kind, upload, content_type in documents:
        document = VerificationDocument(
            mentor=mentor,
            document_type=kind,
            original_name=(upload.name or "")[-255:],
            content_type=content_type,
            size_bytes=upload.size or 0,
        )
        upload.seek(0)
        document.file.save("upload", upload, save=False)
        document.save()
