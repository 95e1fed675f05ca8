from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from matching.selectors import home_showcase


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"showcase": home_showcase()})


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; send them to the static (hashed in production) file.
    Temporary, so a later icon with a new hash is picked up."""
    return HttpResponseRedirect(static("favicon.ico"))


def admin_login(request: HttpRequest) -> HttpResponse:
    """Django admin's login page hands over to allauth's (which validates `next` and asks for the second factor)."""
    next_url = request.GET.get("next", reverse("admin:index"))
    return redirect(reverse("account_login") + "?" + urlencode({"next": next_url}, safe="/"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from a context processor or the database.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
