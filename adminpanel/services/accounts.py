"""Suspending, deactivating and reinstating accounts, enforced everywhere through `User.is_active`.

An inactive user cannot sign in (and their open sessions stop authenticating), staff-only and listing queries
already filter on it, so a suspended mentor leaves search, recommendations and profiles at once. What still needs
doing here: their upcoming bookings are cancelled with full refunds, and their search document is dropped.
Payouts are held by `payments.payouts` for any mentor whose account is not active.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from adminpanel.models import AccountAction
from mentors.hooks import announce_profile_changed
from mentors.models import MentorProfile
from outbox.services import enqueue
from sessions_app.models import Booking, Session
from sessions_app.services import booking_cancel, session_cancel


def _enqueue_notice(action_id: int) -> None:
    from adminpanel import tasks

    enqueue(tasks.notify_account_action, action_id)


def _cancel_upcoming(user: User, *, actor: User, reason: str, now: dt.datetime) -> int:
    """Cancel what the user would still attend or host; support's cancellation refunds in full."""
    cancelled = 0
    as_student = Booking.objects.filter(
        student=user, status__in=Booking.ACTIVE_STATUSES, session__starts_at__gt=now
    ).order_by("pk")
    hosted_one_to_one = Booking.objects.filter(
        session__mentor=user,
        session__kind=Session.Kind.ONE_TO_ONE,
        status__in=Booking.ACTIVE_STATUSES,
        session__starts_at__gt=now,
    ).order_by("pk")
    for booking in [*as_student, *hosted_one_to_one]:
        booking_cancel(booking=booking, actor=actor, note=reason, now=now)
        cancelled += 1
    hosted_groups = Session.objects.filter(
        mentor=user,
        kind=Session.Kind.GROUP,
        status__in=(Session.Status.DRAFT, Session.Status.SCHEDULED),
        starts_at__gt=now,
    ).order_by("pk")
    for session in hosted_groups:
        session_cancel(session=session, actor=actor, reason=reason, now=now)
        cancelled += 1
    return cancelled


def suspension_allowed_check(*, actor: User, field: str | None = None) -> None:
    """Only admins suspend accounts, from any door (account page, quality review, moderation report); ``field``
    names the form field the refusal belongs to."""
    if not actor.is_support_staff or actor.role != User.Role.ADMIN:
        message = _("Only admins can suspend accounts.")
        raise ValidationError({field: message} if field else message, code="forbidden")


def user_suspend(
    *, user: User, actor: User, reason: str, deactivate: bool = False, now: dt.datetime | None = None
) -> AccountAction:
    """Suspend (or deactivate) an account: no sign-in, not listed anywhere, upcoming sessions cancelled and refunded,
    payouts held."""
    now = now or timezone.now()
    suspension_allowed_check(actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason; the user is told.")}, code="empty")
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot suspend your own account."), code="self")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        status = User.Status.DEACTIVATED if deactivate else User.Status.SUSPENDED
        if user.status == status:
            raise ValidationError(_("This account is already %(status)s.") % {"status": user.get_status_display()})
        user.status = status
        user.is_active = False
        user.save(update_fields=["status", "is_active", "updated_at"])
        action = AccountAction.objects.create(
            user=user,
            kind=AccountAction.Kind.DEACTIVATE if deactivate else AccountAction.Kind.SUSPEND,
            reason=reason,
            actor=actor,
            created_at=now,
        )
        _cancel_upcoming(user, actor=actor, reason=reason, now=now)
        _announce_listing_change(user)
        _enqueue_notice(action.pk)
    return action


def user_reinstate(*, user: User, actor: User, reason: str, now: dt.datetime | None = None) -> AccountAction:
    now = now or timezone.now()
    if not actor.is_support_staff or actor.role != User.Role.ADMIN:
        raise ValidationError(_("Only admins can reinstate accounts."), code="forbidden")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason; the user is told.")}, code="empty")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.status == User.Status.ACTIVE:
            raise ValidationError(_("This account is active already."), code="active")
        user.status = User.Status.ACTIVE
        user.is_active = True
        user.save(update_fields=["status", "is_active", "updated_at"])
        action = AccountAction.objects.create(
            user=user, kind=AccountAction.Kind.REINSTATE, reason=reason, actor=actor, created_at=now
        )
        _announce_listing_change(user)
        _enqueue_notice(action.pk)
    return action


def user_warn(*, user: User, actor: User, reason: str, now: dt.datetime | None = None) -> AccountAction:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason; the user is told.")}, code="empty")
    with transaction.atomic():
        action = AccountAction.objects.create(
            user=user, kind=AccountAction.Kind.WARN, reason=reason, actor=actor, created_at=now or timezone.now()
        )
        _enqueue_notice(action.pk)
    return action


def _announce_listing_change(user: User) -> None:
    mentor_id = MentorProfile.objects.filter(user=user).values_list("pk", flat=True).first()
    if mentor_id is not None:
        announce_profile_changed(mentor_id)
