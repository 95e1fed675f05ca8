"""Rendered search HTML kept in the cache, keyed by the data version of the search documents.

What is shared between viewers is rendered once and reused: a visitor's whole results (and filter form) per query,
language and data version; for a student, the filter form, the filters it parses to and each mentor's card per
language and data version, with only the personal score and reasons filled in per request.

The data version is a token in the cache that changes whenever a search document does (`data_version_bump`), so
every key built on the old token stops being read at once; entries also expire after `PAGE_TTL_SECONDS`, which
bounds staleness from anything not tracked by the version (a language renamed, a bump lost while Redis was down).

The cache is an accelerator, never a dependency: any cache error means "not cached" and the page is rendered from
PostgreSQL as if this module did not exist.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from matching import scoring

logger = logging.getLogger(__name__)

DATA_VERSION_KEY = "matching:data-version"
PAGE_TTL_SECONDS = 300
# In the cached card HTML, where the viewer's own score and reasons go (see templates/matching/_mentor_card.html).
MATCH_SLOT = "<!--personal:match-->"
REASONS_SLOT = "<!--personal:reasons-->"
# In a cached visitor page, where each request's own CSRF token goes: letters only, so escaping keeps it as is.
CSRF_SLOT = "csrfslotQx7Lm2Vb9Rt4"
_MISSING = object()


def data_version(found: Mapping[str, Any] | None = None) -> str | None:
    """The current data version, or None when the cache cannot be reached (then nothing is cached).

    `found`: what a `read_many` that asked for `DATA_VERSION_KEY` returned, to save a round trip to Redis.
    """
    try:
        version = cache.get(DATA_VERSION_KEY) if found is None else found.get(DATA_VERSION_KEY)
        if version is None:
            # Evicted or never set: any new token is correct, since no key was built on it yet.
            cache.add(DATA_VERSION_KEY, uuid.uuid4().hex[:12], timeout=None)
            version = cache.get(DATA_VERSION_KEY)
    except Exception:  # noqa: BLE001 - whatever the cache backend raises, the page renders without it
        logger.warning("search cache unavailable; rendering without it", exc_info=True)
        return None
    return version


def data_version_bump() -> None:
    """Retire every cached page and card: called after a search document changes."""
    try:
        cache.set(DATA_VERSION_KEY, uuid.uuid4().hex[:12], timeout=None)
    except Exception:  # noqa: BLE001 - a lost bump is bounded by PAGE_TTL_SECONDS
        logger.warning("could not bump the search data version", exc_info=True)


def _key(version: str, *parts: str) -> str:
    # The viewer's zone too: cards show the next open slot in it (most viewers share one, so entries stay shared).
    return f"matching:page:{version}:{get_language()}:{timezone.get_current_timezone_name()}:" + ":".join(parts)


def query_fingerprint(request: HttpRequest) -> str:
    """The query string with its parameters in a fixed order, hashed (the same search in any order, one key)."""
    normal = "&".join(f"{name}={value}" for name in sorted(request.GET) for value in request.GET.getlist(name))
    return hashlib.sha256(normal.encode()).hexdigest()[:32]


def cached(version: str | None, parts: Sequence[str], build: Callable[[], Any]) -> Any:
    """`build()` through the cache under `parts` of the current data version and language."""
    if version is None:
        return build()
    key = _key(version, *parts)
    value = safe_get(key, _MISSING)
    if value is _MISSING:
        value = build()
        safe_set(key, value, PAGE_TTL_SECONDS)
    return value


def safe_get(key: str, default: Any = None) -> Any:
    """`cache.get`, with a cache error read as a miss."""
    try:
        return cache.get(key, default)
    except Exception:  # noqa: BLE001
        logger.warning("search cache read failed", exc_info=True)
        return default


def read_many(keys: Sequence[str]) -> dict[str, Any]:
    """`cache.get_many`: what a page needs first in one round trip; a cache error reads as all missing."""
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001
        logger.warning("search cache read failed", exc_info=True)
        return {}


def safe_set(key: str, value: Any, timeout: int) -> None:
    """`cache.set`, with a cache error ignored (the next request builds the value again)."""
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("search cache write failed", exc_info=True)


def visitor_page(request: HttpRequest, version: str | None, render: Callable[[dict], str]) -> str | None:
    """A signed-out visitor's whole page from the cache, with this request's CSRF token put in; None when the
    page has something of the visitor's own (a pending message) and must be rendered for them.

    `render(extra_context)` renders the page; the extra context stands in a placeholder for the CSRF token, the
    only per-visitor value in the layout.
    """
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    path_key = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    html = cached(version, ["visitor-page", path_key], lambda: render({"csrf_token": CSRF_SLOT}))
    return html.replace(CSRF_SLOT, get_token(request))


def mentor_cards(version: str | None, results: Sequence) -> list[SafeString]:
    """The HTML of each result's card, the viewer's score and reasons filled in: shared parts from the cache (one
    read for the page), missing ones rendered and stored."""
    keys = {result.document.mentor_id: _key(str(version), "card", str(result.document.mentor_id)) for result in results}
    found: dict[str, str] = {}
    if version is not None:
        try:
            found = cache.get_many(list(keys.values()))
        except Exception:  # noqa: BLE001
            logger.warning("search cache read failed", exc_info=True)
            version = None
    rendered: dict[str, str] = {}
    labels = _personal_labels()
    cards = []
    for result in results:
        key = keys[result.document.mentor_id]
        shared = found.get(key)
        if shared is None:
            shared = rendered[key] = render_to_string("matching/_mentor_card.html", {"result": result})
        cards.append(_personalised(shared, result.compatibility, labels))
    if version is not None and rendered:
        try:
            cache.set_many(rendered, PAGE_TTL_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("search cache write failed", exc_info=True)
    return cards


def _personalised(shared: str, compatibility: scoring.Compatibility | None, labels: dict[str, str]) -> SafeString:
    # `shared` is our own rendered template and `labels` are escaped once per page; a reason's text is escaped
    # here (plain string formatting: format_html per card was a measurable share of the page).
    if compatibility is None:
        return mark_safe(shared.replace(MATCH_SLOT, "").replace(REASONS_SLOT, ""))  # noqa: S308
    match = (
        f'<p class="flex-none text-center rounded-md bg-emerald-50 text-emerald-800 px-2 py-1" title="{labels["fit"]}">'
        f'<span class="block text-xl font-bold">{int(compatibility.percent)}%</span>'
        f'<span class="block text-xs">{labels["match"]}</span></p>'
    )
    reasons = ""
    if compatibility.reasons:
        items = "".join(
            f'<li class="rounded-full bg-indigo-50 text-indigo-800 px-2 py-1">{escape(reason.text)}</li>'
            for reason in compatibility.top_reasons()
        )
        reasons = f'<ul class="flex flex-wrap gap-2 text-xs" aria-label="{labels["why"]}">{items}</ul>'
    return mark_safe(shared.replace(MATCH_SLOT, match).replace(REASONS_SLOT, reasons))  # noqa: S308


def _personal_labels() -> dict[str, str]:
    """The fixed words around a score, translated and escaped once per page rather than once per card."""
    return {
        "fit": escape(gettext("How well this mentor fits your profile")),
        "match": escape(gettext("match")),
        "why": escape(gettext("Why this mentor fits you")),
    }
