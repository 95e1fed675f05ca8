"""Which time zone to show times in for the person looking at the page."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop

# static/js/app.js stores the browser's IANA zone here, so anonymous visitors see their own local times.
TIME_ZONE_COOKIE_NAME = "peerlearn_tz"

# Browsers (ICU) report some zones by their old names, India's among them; we store and show the current IANA name.
TIME_ZONE_ALIASES = {
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Dacca": "Asia/Dhaka",
    "Asia/Thimbu": "Asia/Thimphu",
    "Europe/Kiev": "Europe/Kyiv",
}


# Zones with a name in words, translated (most of our readers live in this one); every other zone is named by its
# IANA name, which is the same in every language.
TIME_ZONE_NAMES = {"Asia/Kolkata": gettext_noop("India Standard Time")}


def canonical_time_zone(zone: str) -> str:
    return TIME_ZONE_ALIASES.get(zone, zone)


def time_zone_label(zone: str) -> str:
    """How pages name a time zone, in the reader's language."""
    zone = canonical_time_zone(zone)
    named = TIME_ZONE_NAMES.get(zone)
    return gettext(named) if named else zone


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def viewer_time_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """The signed-in user's zone; else the browser's (cookie) if it is a real zone; else the site default."""
    if request.user.is_authenticated:
        return request.user.tzinfo
    cookie = canonical_time_zone(request.COOKIES.get(TIME_ZONE_COOKIE_NAME, ""))
    return zoneinfo.ZoneInfo(cookie if cookie in _known_zones() else settings.DEFAULT_USER_TIME_ZONE)
