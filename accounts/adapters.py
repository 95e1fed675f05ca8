from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import User

# The account whose correct password was just refused for being inactive (for the status and appeal page).
INACTIVE_USER_SESSION_KEY = "inactive_user_id"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user: User = request.user
        if user.is_staff:
            return reverse("adminpanel:home")
        # The dashboard sends students who have not finished onboarding to their next step.
        return reverse("accounts:dashboard")

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
