"""Emails to mentors, always in the mentor's language (plain text with an HTML alternative)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User

_UI_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def language_for(user: User) -> str:
    code = user.primary_language.code if user.primary_language_id else None
    return code if code in _UI_LANGUAGES else settings.LANGUAGE_CODE


def send_mentor_email(*, user: User, template: str, context: dict) -> None:
    """Render `mentors/email/<template>_subject.txt`, `.txt` and `.html` in the user's language and send them."""
    context = {"user": user, "SITE_URL": settings.SITE_URL, **context}
    with translation.override(language_for(user)):
        subject = render_to_string(f"mentors/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"mentors/email/{template}.txt", context)
        html = render_to_string(f"mentors/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=text, to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
