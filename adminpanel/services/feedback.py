"""Platform feedback (seed 002): how PeerLearn itself is doing, from users after a session or from the help centre."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from adminpanel.models import PlatformFeedback
from sessions_app.models import Session


def platform_feedback_add(
    *, user: User | None, rating: int, comment: str, session: Session | None = None
) -> PlatformFeedback:
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Choose from 1 to 5.")}, code="rating")
    return PlatformFeedback.objects.create(user=user, rating=rating, comment=comment.strip(), session=session)
