from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from mentorship.http import AuthenticatedHttpRequest


def staff_required(view):
    """Staff with the admin or support role; anyone else signed in gets 403, visitors the login page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_active and request.user.is_support_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only: support staff get 403 (payout details, verification documents, account suspension)."""

    @staff_required
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role != request.user.Role.ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
