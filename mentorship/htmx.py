"""One URL, two answers: the page, or the fragment that an htmx swap asked for."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from mentorship.http import HtmxHttpRequest


def wants_partial(request: HtmxHttpRequest) -> bool:
    """True for an htmx swap; False for a normal visit and for htmx's history restore, which needs the whole page.

    htmx re-requests the URL with `HX-History-Restore-Request: true` when the back button finds nothing in its
    cache; a fragment there would replace the whole body.
    """
    return bool(request.htmx) and not request.htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """The same URL answers with a fragment or a page, so caches (and the back button) must tell them apart."""
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_page_or_partial(
    request: HtmxHttpRequest,
    template: str,
    partial: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """`template#partial` (a django-template-partials name) for htmx swaps, the whole `template` otherwise."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    return vary_on_htmx(render(request, name, context, status=status))
