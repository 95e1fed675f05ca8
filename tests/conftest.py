import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_redis():
    """Each test starts with an empty cache, channel layer and rate-limit counters (all live in Redis)."""
    cache.clear()
    yield
