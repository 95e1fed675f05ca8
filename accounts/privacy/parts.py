"""What ``accounts`` itself contributes to a user's data export."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from accounts.models import (
    AccountDeletion,
    AuditLogEntry,
    ConsentRecord,
    DataExport,
    GuardianConsent,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PhoneVerification,
    StudentProfile,
    User,
)
from accounts.privacy.registry import ExportPart, files_of, rows

SIGN_IN_EVENTS = [AuditLogEntry.Event.SIGN_IN, AuditLogEntry.Event.SIGN_OUT]


def export_account(*, user: User) -> ExportPart:
    account = rows([user], exclude=["password", "groups", "user_permissions", "is_superuser"])[0]
    account["languages"] = list(user.languages.values_list("code", flat=True))
    history = AuditLogEntry.objects.filter(actor=user, event__in=SIGN_IN_EVENTS).order_by("id")
    return ExportPart(
        data={
            "account": account,
            "student_profile": rows(StudentProfile.objects.filter(user=user), exclude=["user"]),
            "email_addresses": rows(EmailAddress.objects.filter(user=user), exclude=["user"]),
            "two_factor_methods": list(
                Authenticator.objects.filter(user=user).values("type", "created_at", "last_used_at")
            ),
            "guardian_consents": rows(GuardianConsent.objects.filter(student=user), exclude=["student"]),
            "sign_in_history": [
                {"event": entry.event, "at": entry.timestamp, "ip": entry.remote_addr, "browser": entry.user_agent}
                for entry in history
            ],
            "signed_in_devices": list(
                UserSession.objects.filter(user=user).values("ip", "user_agent", "created_at", "last_seen_at")
            ),
            "phone_verifications": list(
                PhoneVerification.objects.filter(user=user).values("phone", "created_at", "verified_at")
            ),
            "consents": rows(ConsentRecord.objects.filter(user=user), exclude=["user"]),
            "data_exports": rows(DataExport.objects.filter(user=user), exclude=["user", "file"]),
            "deletion_requests": rows(AccountDeletion.objects.filter(user=user), exclude=["user"]),
            "notifications": rows(Notification.objects.filter(recipient=user).order_by("id"), exclude=["recipient"]),
            "notification_preferences": rows(NotificationPreference.objects.filter(user=user), exclude=["user"]),
            "notification_settings": rows(NotificationSettings.objects.filter(user=user), exclude=["user"]),
        },
        files=files_of([user], "photo", "photo"),
    )
