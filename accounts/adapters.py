from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user: User = request.user
        if user.is_staff:
            return reverse("adminpanel:home")
        return reverse("accounts:dashboard")
