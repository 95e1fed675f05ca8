"""Request types for views: what the middleware and the sign-in decorators guarantee, told to the type checker."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """Any request: django-htmx's middleware sets ``request.htmx``."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request behind ``login_required`` (or a decorator built on it): the user is signed in."""

    user: "User"
