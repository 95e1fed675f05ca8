"""Extension points that let apps built on top of `mentors` feed it without `mentors` importing them.

Register from the other app's `AppConfig.ready()`:

- `register_profile_context_provider(fn)`: `fn(request, mentor) -> dict` adds context to the public profile page
  (matching adds `compatibility`; sessions adds `reviews`). `profile_extra_context` merges every provider's dict.
- `register_dashboard_context_provider(fn)`: `fn(request, mentor) -> dict` adds context to the mentor's own
  dashboard (sessions adds the business figures and charts). `dashboard_extra_context` merges them.
- `register_stats_provider(fn)`: `fn(mentor_id) -> dict` returns some of `STAT_FIELDS` computed from the
  provider's own tables; `mentors.services.mentor_stats_refresh` writes them onto the profile.
- `register_profile_changed_listener(fn)`: `fn(mentor_id)` runs after the commit of every change to a profile
  that students can see (submission, edit, status change, stats), e.g. to refresh a search index.
- `register_booked_times_changed_listener(fn)`: `fn(mentor_user_id)` runs after the commit of a change to the
  times a mentor is busy (a slot held, booked, moved or released), e.g. to refresh the "next open slot" shown.
  Apps that own bookings call `announce_booked_times_changed`.

The slot service's busy-time registry lives next to it: `mentors.slots.register_busy_intervals_provider`.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

STAT_FIELDS = (
    "average_rating",
    "rating_count",
    "total_sessions",
    "response_time_minutes",
    "no_show_count",
    "repeat_student_percent",
)

ProfileContextProvider = Callable[[HttpRequest, Any], dict[str, Any]]
StatsProvider = Callable[[int], dict[str, Any]]
ProfileChangedListener = Callable[[int], None]

_profile_context_providers: list[ProfileContextProvider] = []
_dashboard_context_providers: list[ProfileContextProvider] = []
_stats_providers: list[StatsProvider] = []
_profile_changed_listeners: list[ProfileChangedListener] = []
_booked_times_changed_listeners: list[ProfileChangedListener] = []


def _register(registry: list, fn: Callable) -> Callable:
    # AppConfig.ready() can run more than once (tests, autoreload); registering twice must not double the effect.
    if fn not in registry:
        registry.append(fn)
    return fn


def register_profile_context_provider(fn: ProfileContextProvider) -> ProfileContextProvider:
    return _register(_profile_context_providers, fn)


def register_dashboard_context_provider(fn: ProfileContextProvider) -> ProfileContextProvider:
    return _register(_dashboard_context_providers, fn)


def register_stats_provider(fn: StatsProvider) -> StatsProvider:
    return _register(_stats_providers, fn)


def register_profile_changed_listener(fn: ProfileChangedListener) -> ProfileChangedListener:
    return _register(_profile_changed_listeners, fn)


def register_booked_times_changed_listener(fn: ProfileChangedListener) -> ProfileChangedListener:
    return _register(_booked_times_changed_listeners, fn)


def profile_extra_context(request: HttpRequest, mentor: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _profile_context_providers:
        context.update(provider(request, mentor))
    return context


def dashboard_extra_context(request: HttpRequest, mentor: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _dashboard_context_providers:
        context.update(provider(request, mentor))
    return context


def collected_stats(mentor_id: int) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    for provider in _stats_providers:
        provided = provider(mentor_id)
        unknown = set(provided) - set(STAT_FIELDS)
        if unknown:
            raise ValueError(f"stats provider {provider!r} returned unknown fields {sorted(unknown)}")
        stats.update(provided)
    return stats


def announce_profile_changed(mentor_id: int) -> None:
    """Tell the listeners once the current transaction commits (at once outside a transaction)."""
    for listener in list(_profile_changed_listeners):
        transaction.on_commit(functools.partial(listener, mentor_id))


def announce_booked_times_changed(mentor_user_id: int) -> None:
    """Tell the listeners once the current transaction commits (at once outside a transaction). Robust: the booking
    is already saved, so a listener's failure is logged, never the request's; the periodic sweep catches up."""
    for listener in list(_booked_times_changed_listeners):
        # A named function, not a functools.partial: Django logs a robust callback's failure by its __qualname__.
        def tell(listener: ProfileChangedListener = listener) -> None:
            listener(mentor_user_id)

        transaction.on_commit(tell, robust=True)
