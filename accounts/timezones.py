"""Which time zone to show times in for the person looking at the page."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.http import HttpRequest

# static/js/app.js stores the browser's IANA zone here, so anonymous visitors see their own local times.
TIME_ZONE_COOKIE_NAME = "peerlearn_tz"


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def viewer_time_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """The signed-in user's zone; else the browser's (cookie) if it is a real zone; else the site default."""
    if request.user.is_authenticated:
        return request.user.tzinfo
    cookie = request.COOKIES.get(TIME_ZONE_COOKIE_NAME, "")
    return zoneinfo.ZoneInfo(cookie if cookie in _known_zones() else settings.DEFAULT_USER_TIME_ZONE)
