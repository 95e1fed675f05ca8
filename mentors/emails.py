"""Emails to mentors, always in the mentor's language (plain text with an HTML alternative)."""

from accounts.emails import send_templated_email
from accounts.models import User
from accounts.selectors import user_language


def send_mentor_email(*, user: User, template: str, context: dict) -> None:
    """Send `mentors/email/<template>` (subject, text and HTML) to the mentor in their language."""
    send_templated_email(
        to=user.email,
        template=f"mentors/email/{template}",
        context={"user": user, **context},
        language=user_language(user),
    )
