import socket
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import override_settings

from mentorship.celery import app as celery_app

TOKEN = "health-token-for-tests"


@pytest.fixture(autouse=True)
def _health_token(settings):
    settings.HEALTH_TOKEN = TOKEN


def details(client, path: str):
    """The check as operations see it (with the token): the status and each dependency's details."""
    return client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_it_reports_app_database_and_services_healthy(client):
    for path in ("/api/health/", "/api/health/database/", "/api/health/services/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()["status"] == "ok"
        assert response["Cache-Control"].startswith("max-age=0"), path


@pytest.mark.django_db
def test_it_returns_503_when_redis_is_down(client):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{_unused_port()}/0"):
        response = details(client, "/api/health/services/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["redis"]["ok"] is False


@pytest.mark.django_db
def test_it_returns_503_when_no_celery_worker_answers(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = details(client, "/api/health/services/")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == {"ok": False, "workers": 0}
    assert response.json()["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_it_fails_fast_with_503_when_the_celery_broker_is_down(client):
    unreachable_broker = f"redis://127.0.0.1:{_unused_port()}/0"
    original_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = unreachable_broker
    try:
        started = time.monotonic()
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            response = details(client, "/api/health/services/")
        elapsed = time.monotonic() - started
    finally:
        celery_app.conf.broker_url = original_broker
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == {"ok": False, "error": "OperationalError"}
    # Load balancers give up after a few seconds; a dead broker must not make the check hang past that.
    assert elapsed < 2.5


@pytest.mark.django_db(transaction=True)
def test_it_counts_a_real_celery_worker_answering_through_redis(client):
    # Not in a database transaction: the worker's Django fix-up closes the current thread's connections.
    worker = start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10)
    with worker, override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = details(client, "/api/health/services/")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["celery"]["ok"] is True
    assert response.json()["checks"]["celery"]["workers"] >= 1


def test_it_returns_503_when_the_database_is_unreachable(client, django_db_blocker):
    """A real connection attempt to a port nobody listens on; the test database connection is left untouched."""
    healthy = connections["default"]
    unreachable = DatabaseWrapper({**healthy.settings_dict, "HOST": "127.0.0.1", "PORT": str(_unused_port())})
    connections["default"] = unreachable
    try:
        with django_db_blocker.unblock():
            response = details(client, "/api/health/database/")
            services = details(client, "/api/health/services/")
    finally:
        connections["default"] = healthy
        unreachable.close()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": {"ok": False, "error": "OperationalError"}},
    }
    # The load balancer's single check sees the database too.
    assert services.status_code == 503
    assert services.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.django_db
def test_anyone_gets_only_the_status_staff_and_the_token_get_the_details(client, settings):
    from tests.factories import UserFactory

    anonymous = client.get("/api/health/services/")
    wrong_token = client.get("/api/health/services/", headers={"Authorization": "Bearer guess"})
    with_token = details(client, "/api/health/services/")
    client.force_login(UserFactory(is_staff=True))
    staff = client.get("/api/health/services/")

    assert anonymous.json() == {"status": "ok"}
    assert wrong_token.json() == {"status": "ok"}
    assert set(with_token.json()["checks"]) == {"database", "redis", "celery"}
    assert set(staff.json()["checks"]) == {"database", "redis", "celery"}


@pytest.mark.django_db
def test_without_a_configured_token_no_token_opens_the_details(client, settings):
    settings.HEALTH_TOKEN = ""
    response = client.get("/api/health/services/", headers={"Authorization": "Bearer "})
    assert response.json() == {"status": "ok"}
