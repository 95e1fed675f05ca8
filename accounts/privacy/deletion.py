"""Account deletion: a request, 30 days to change one's mind (signing in cancels), then erasure.

Erasure runs every app's registered preparer (cancel upcoming bookings with the usual refund rules, pay a
mentor's balance out) and, once none of them asks to wait, every eraser: personal data is removed or
anonymised; what the law makes us keep (ledger, payments, tax records) stays under the user's id, which
no longer leads to a person.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.emails import send_templated_email
from accounts.models import (
    AccountDeletion,
    AuditLogEntry,
    DataExport,
    GuardianConsent,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PhoneVerification,
    StudentProfile,
    User,
)
from accounts.privacy import registry
from accounts.privacy.audit import audit_record
from accounts.privacy.sessions import user_sessions_end_all
from accounts.selectors import user_language

logger = logging.getLogger(__name__)

DELETION_GRACE = dt.timedelta(days=30)
OPEN_STATUSES = [AccountDeletion.Status.SCHEDULED, AccountDeletion.Status.WAITING_PAYOUT]


def account_deletion_pending(user: User) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(user=user, status__in=OPEN_STATUSES).first()


def account_deletion_request(
    *, user: User, now: dt.datetime | None = None, inactive: bool = False
) -> AccountDeletion:
    """Schedule the deletion (the view has re-authenticated the user, or ``inactive``: nobody signed in for
    years). Asking twice keeps the first date."""
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = account_deletion_pending(user)
        if existing is not None:
            return existing
        deletion = AccountDeletion.objects.create(user=user, due_at=now + DELETION_GRACE)
        audit_record(
            event=AuditLogEntry.Event.DELETION,
            subject=deletion,
            changes={"status": "inactive" if inactive else "requested"},
        )
        template = "accounts/email/deletion_inactive" if inactive else "accounts/email/deletion_scheduled"
        transaction.on_commit(lambda: _email(deletion, template))
    return deletion


def account_deletion_cancel(*, user: User) -> AccountDeletion | None:
    """Signing in (or the button on the privacy page) during the grace period keeps the account."""
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().filter(user=user, status__in=OPEN_STATUSES).first()
        if deletion is None:
            return None
        deletion.status, deletion.cancelled_at = AccountDeletion.Status.CANCELLED, timezone.now()
        deletion.save(update_fields=["status", "cancelled_at"])
        audit_record(event=AuditLogEntry.Event.DELETION, subject=deletion, changes={"status": "cancelled"})
    return deletion


def inactive_accounts_schedule_deletion(*, now: dt.datetime | None = None) -> int:
    """Retention for accounts nobody uses: after ``INACTIVE_ACCOUNT_DAYS`` without a sign-in, the usual
    deletion with 30 days' notice by email (signing in keeps the account). Staff accounts are left alone."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.INACTIVE_ACCOUNT_DAYS)
    idle = (
        User.objects.filter(is_active=True, is_staff=False)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(deletion_requests__status__in=OPEN_STATUSES)
    )
    scheduled = 0
    for user in idle.iterator():
        account_deletion_request(user=user, now=now, inactive=True)
        scheduled += 1
    return scheduled


def account_deletions_run_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The beat task: carry out every deletion whose grace period has ended (or that waits for a payout)."""
    now = now or timezone.now()
    counts = {"completed": 0, "waiting": 0, "errors": 0}
    due = AccountDeletion.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now).values_list("pk", flat=True)
    for deletion_id in list(due):
        try:
            deletion = account_deletion_perform(deletion_id=deletion_id, now=now)
        except Exception:
            # One account that cannot be erased yet must not stop the others; the next run retries it.
            logger.exception("Deletion %s failed; it will be retried.", deletion_id)
            counts["errors"] += 1
            continue
        counts["completed" if deletion.status == AccountDeletion.Status.COMPLETED else "waiting"] += 1
    return counts


def account_deletion_perform(*, deletion_id: int, now: dt.datetime | None = None) -> AccountDeletion:
    now = now or timezone.now()
    deletion = AccountDeletion.objects.select_related("user").get(pk=deletion_id)
    if deletion.status not in OPEN_STATUSES or deletion.due_at > now:
        return deletion
    user = deletion.user
    # Preparers use other apps' own use cases (cancellations, payouts), each with its own transaction.
    reasons = [reason for _name, prepare in registry.deletion_preparers() if (reason := prepare(user=user))]
    if reasons:
        if deletion.status != AccountDeletion.Status.WAITING_PAYOUT:
            deletion.status = AccountDeletion.Status.WAITING_PAYOUT
            deletion.save(update_fields=["status"])
            audit_record(event=AuditLogEntry.Event.DELETION, subject=deletion, changes={"waiting": reasons})
        return deletion
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().get(pk=deletion_id)
        if deletion.status not in OPEN_STATUSES:
            return deletion
        for _name, erase in registry.erasers():
            erase(user=user, pseudonym=pseudonym_for(user))
        deletion.status, deletion.completed_at = AccountDeletion.Status.COMPLETED, now
        deletion.save(update_fields=["status", "completed_at"])
        audit_record(event=AuditLogEntry.Event.DELETION, subject=deletion, actor=None, changes={"status": "completed"})
    return deletion


def pseudonym_for(user: User) -> str:
    return _("Former mentor") if user.role == User.Role.MENTOR else _("Former student")


def _erase_notifications(*, user: User, pseudonym: str) -> None:
    """The user's own notifications and choices go; other people's keep their facts, with the name replaced in
    their parameters ("Meera booked your session" is rendered from a stored name)."""
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    name = user.full_name.strip()
    if not name:
        return
    # The name as it appears inside the JSON text (quotes and backslashes escaped), replaced in place.
    encoded = json.dumps(name, ensure_ascii=False)[1:-1]
    replacement = json.dumps(pseudonym, ensure_ascii=False)[1:-1]
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name is our own model's, not input.
            f"UPDATE {Notification._meta.db_table} SET params = replace(params::text, %s, %s)::jsonb "  # noqa: S608
            "WHERE strpos(params::text, %s) > 0",
            [encoded, replacement, encoded],
        )


def erase_account(*, user: User, pseudonym: str) -> None:
    """What ``accounts`` holds: the user row becomes an anonymous, unusable shell that keeps its id."""
    email = user.email
    if user.photo:
        user.photo.delete(save=False)
    for export in DataExport.objects.filter(user=user):
        if export.file:
            export.file.delete(save=False)
    DataExport.objects.filter(user=user).delete()
    _erase_notifications(user=user, pseudonym=pseudonym)
    StudentProfile.objects.filter(user=user).delete()
    GuardianConsent.objects.filter(student=user).update(
        guardian_name="", guardian_email=f"guardian-{user.pk}@deleted.invalid", guardian_phone="", granted_ip=None,
        granted_user_agent="", withdrawn_ip=None, withdrawn_user_agent="",
    )
    EmailAddress.objects.filter(user=user).delete()
    PhoneVerification.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()
    user_sessions_end_all(user=user)
    # Django admin's history names objects by their text, and a user's text is their name.
    AdminLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=pseudonym, change_message="")
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.full_name = pseudonym
    user.phone = ""
    user.date_of_birth = None
    user.city = user.state = ""
    user.photo = ""
    user.is_active = False
    user.status = User.Status.DEACTIVATED
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email", "full_name", "phone", "date_of_birth", "city", "state", "photo", "is_active", "status",
            "password",
        ]
    )
    user.languages.clear()




def _email(deletion: AccountDeletion, template: str) -> None:
    send_templated_email(
        to=deletion.user.email,
        template=template,
        context={"user": deletion.user, "deletion": deletion, "days": DELETION_GRACE.days},
        language=user_language(deletion.user),
    )


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """Signing in during the grace period is how a user keeps their account (seed 000 §14.2)."""
    if account_deletion_cancel(user=user) is not None and request is not None:
        messages.info(request, _("Welcome back. Your account will not be deleted."))
