from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user: User = request.user
        if user.is_staff:
            return reverse("adminpanel:home")
        # The dashboard sends students who have not finished onboarding to their next step.
        return reverse("accounts:dashboard")

    def save_user(self, request: HttpRequest, user: User, form: object, commit: bool = True) -> User:
        from accounts.services import student_register

        user = super().save_user(request, user, form, commit=commit)
        if commit:
            student_register(user=user)
        return user
