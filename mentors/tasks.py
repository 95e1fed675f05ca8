from celery import shared_task
from django.urls import reverse

from mentors.emails import send_mentor_email
from mentors.models import MentorProfile, VerificationEvent, VerificationStatus
from outbox.services import effect_once


@shared_task(name="mentors.send_application_received_email")
def send_application_received_email(mentor_id: int) -> None:
    mentor = MentorProfile.objects.select_related("user__primary_language").get(pk=mentor_id)
    with effect_once("email") as first:
        if not first:
            return
        send_mentor_email(
            user=mentor.user,
            template="application_received",
            context={"mentor": mentor, "dashboard_path": reverse("mentors:dashboard")},
        )


@shared_task(name="mentors.send_verification_update_email")
def send_verification_update_email(event_id: int) -> None:
    event = VerificationEvent.objects.select_related("mentor__user__primary_language").get(pk=event_id)
    with effect_once("email") as first:
        if not first:
            return
        send_mentor_email(
            user=event.mentor.user,
            template="verification_update",
            context={
                "event": event,
                "mentor": event.mentor,
                "status": VerificationStatus(event.to_status),
                "dashboard_path": reverse("mentors:dashboard"),
                "profile_path": reverse("mentors:profile", args=[event.mentor.slug]),
            },
        )
