"""The Sites framework's single site takes its name and domain from settings.

django-allauth words its emails ("Hello from …", "register an account on …") and the authenticator app's issuer
from the current Site, which Django creates as "example.com". Synced after every `migrate`, so a fresh database,
the test database and a deployment whose SITE_URL changed all agree with settings.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).netloc


def site_sync(*, using: str = "default", **kwargs: object) -> Site:
    site, _created = Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": settings.SITE_NAME}
    )
    return site
