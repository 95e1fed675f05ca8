import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_interface(client, settings):
    """The tests read the reasons in English; a Telugu-speaking student would otherwise get the Telugu interface
    (and an earlier request's language can linger in the test thread)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
