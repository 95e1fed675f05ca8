import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.utils import timezone

from accounts.middleware import ViewerTimeZoneMiddleware
from tests.factories import UserFactory


def zone_seen_by_view(request):
    return HttpResponse(timezone.get_current_timezone_name())


def render_zone(rf, *, user=None, cookie: str | None = None) -> str:
    request = rf.get("/")
    request.user = user or AnonymousUser()
    if cookie is not None:
        request.COOKIES["peerlearn_tz"] = cookie
    return ViewerTimeZoneMiddleware(zone_seen_by_view)(request).content.decode()


@pytest.mark.django_db
def test_signed_in_viewers_see_times_in_their_own_zone(rf):
    assert render_zone(rf, user=UserFactory(time_zone="Europe/London"), cookie="Asia/Tokyo") == "Europe/London"


def test_anonymous_viewers_see_their_browsers_zone_or_india(rf):
    assert render_zone(rf, cookie="Asia/Tokyo") == "Asia/Tokyo"
    assert render_zone(rf, cookie="Not/AZone") == "Asia/Kolkata"
    assert render_zone(rf) == "Asia/Kolkata"


def test_the_zone_does_not_leak_past_the_request(rf):
    render_zone(rf, cookie="Asia/Tokyo")
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_browser_reporting_an_old_zone_name_is_shown_the_current_one(rf):
    assert render_zone(rf, cookie="Asia/Calcutta") == "Asia/Kolkata"
    assert render_zone(rf, cookie="Asia/Katmandu") == "Asia/Kathmandu"
