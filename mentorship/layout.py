"""A page's layout (head, header, navigation, footer, language switchers) rendered once per process and kind of
viewer, with each request's own parts put into it.

Rendering the layout costs a page a dozen URL reversals and about a hundred translation lookups, the same for every
viewer of one kind. `render_page` renders the page template once with markers where the view's pre-rendered parts,
the CSRF token and the current path go, keeps that shell in this process (a template changes only with a deploy,
which starts new processes) and fills the markers for each request.

The shell may depend only on what its key holds: the template, the language, the path, and the viewer's kind
(signed in or not, role, staff). While it is rendered, the user and the request are stand-ins that refuse any
other attribute, so a template that starts showing something personal in the layout (a name in the header) makes
the shell fail loudly and the page is rendered in full, never another viewer's data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Letters only, so that escaping (attributes, JSON in hx-headers) keeps them as they are.
_CSRF_MARKER = "layoutCsrfQz8Kd3Wm5"
_PATH_MARKER = "layoutPathQz8Kd3Wm5"
# The views' parts are HTML between elements, never inside an attribute.
_PART_MARKER = "<!--layout:part:{}-->"
# Templates × languages × viewer kinds × parts: a small, fixed set; the bound only guards against a path explosion.
MAX_SHELLS = 500
_shells: dict[tuple, str] = {}


class PersonalInLayoutError(Exception):
    """The layout read something that is not part of the shell's key (see the module's docstring)."""


class _ViewerStandIn:
    """The user as the layout may see it: signed in or not, role and staff, nothing personal."""

    def __init__(self, user) -> None:
        self.is_authenticated = bool(user.is_authenticated)
        self.is_anonymous = not self.is_authenticated
        self.is_staff = bool(getattr(user, "is_staff", False))
        self.role = getattr(user, "role", "")

    def __getattr__(self, name: str):
        raise PersonalInLayoutError(f"user.{name}")

    def __str__(self) -> str:
        raise PersonalInLayoutError("user")


class _RequestStandIn:
    """The request as the layout may see it: its path; the full path (with the query string) as a marker."""

    def __init__(self, request: HttpRequest) -> None:
        self.path = request.path
        self.LANGUAGE_CODE = get_language()

    def get_full_path(self) -> str:
        return _PATH_MARKER

    def __getattr__(self, name: str):
        raise PersonalInLayoutError(f"request.{name}")


class _Refused:
    def __getattr__(self, name: str):
        raise PersonalInLayoutError(name)

    def __iter__(self):
        raise PersonalInLayoutError("iteration")


def viewer_kind(request: HttpRequest) -> tuple[bool, str, bool]:
    user = request.user
    if not user.is_authenticated:
        return (False, "", False)
    return (True, str(getattr(user, "role", "")), bool(user.is_staff))


def render_page(request: HttpRequest, template_name: str, parts: Mapping[str, str]) -> str:
    """The page `template_name` whose context is only `parts` (pre-rendered HTML fragments, or text), with the
    layout from the shell of this kind of viewer. Rendered in full in DEBUG (templates are edited while the process
    runs), with a message waiting for the viewer, or when the template reads something personal outside the parts.
    """
    if settings.DEBUG or len(messages.get_messages(request)):
        return render_to_string(template_name, dict(parts), request)
    key = (template_name, get_language(), request.path, viewer_kind(request), tuple(sorted(parts)))
    shell = _shells.get(key)
    if shell is None:
        try:
            shell = _render_shell(request, template_name, parts)
        except PersonalInLayoutError as error:
            logger.warning("%s reads %s in its layout: rendered in full", template_name, error)
            return render_to_string(template_name, dict(parts), request)
        if len(_shells) < MAX_SHELLS:
            _shells[key] = shell
    return _fill(shell, request, parts)


def _render_shell(request: HttpRequest, template_name: str, parts: Mapping[str, str]) -> str:
    context = {
        **{name: mark_safe(_PART_MARKER.format(name)) for name in parts},  # noqa: S308 - our own marker
        # These override the context processors' values (a RequestContext puts the view's context above them).
        "user": _ViewerStandIn(request.user),
        "request": _RequestStandIn(request),
        "perms": _Refused(),
        "messages": (),
        "csrf_token": _CSRF_MARKER,
    }
    return render_to_string(template_name, context, request)


def _fill(shell: str, request: HttpRequest, parts: Mapping[str, str]) -> SafeString:
    page = shell.replace(_CSRF_MARKER, get_token(request)).replace(_PATH_MARKER, escape(request.get_full_path()))
    for name, html in parts.items():
        # As the template would show the part: a fragment the view rendered as is, any other text escaped.
        page = page.replace(_PART_MARKER.format(name), conditional_escape(html))
    # The shell is our own rendered template, each part safe or escaped above.
    return mark_safe(page)  # noqa: S308


def clear() -> None:
    """Forget every shell (tests that change templates or settings)."""
    _shells.clear()
