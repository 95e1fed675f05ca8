from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The `next` the request carries when it points into this site, else `default` (never another origin)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and "\x00" not in candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
