from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from allauth.account.utils import get_next_redirect_url
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import User

# The account whose correct password was just refused for being inactive (for the status and appeal page).
INACTIVE_USER_SESSION_KEY = "inactive_user_id"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_staff:
            return reverse("adminpanel:home")
        # The dashboard sends students who have not finished onboarding to their next step.
        return reverse("accounts:dashboard")

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: EmailConfirmation) -> str:
        # The link is often opened in another browser, without the session that remembers where the person was
        # going (e.g. the mentor application): the link carries it, and the confirm page passes it on.
        url = super().get_email_confirmation_url(request, emailconfirmation)
        next_url = get_next_redirect_url(request) if request is not None else None
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url

    def respond_user_inactive(self, request: HttpRequest, user: User) -> HttpResponse:
        """The password was right but the account is suspended or deactivated: say so, and let them appeal."""
        request.session[INACTIVE_USER_SESSION_KEY] = user.pk
        return redirect("help:account_status")

    def save_user(self, request: HttpRequest, user: User, form: object, commit: bool = True) -> User:
        from accounts.services import student_register

        user = super().save_user(request, user, form, commit=commit)
        if commit:
            student_register(user=user)
        return user
