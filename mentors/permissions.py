from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from mentors import selectors
from mentorship.http import AuthenticatedHttpRequest


def mentor_required(view: Callable | None = None, *, refuse_others: bool = False):
    """Signed in with a mentor profile (of any status), which is passed to the view after the request.

    Anyone else is sent to the mentor application, or gets 403 with `refuse_others` (pages that only make sense
    for a mentor already, such as the bookings of their sessions); visitors get the login page.
    """

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
            mentor = selectors.mentor_for_user(request.user)
            if mentor is None:
                if refuse_others:
                    raise PermissionDenied
                return redirect("mentors:apply")
            return view(request, mentor, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
