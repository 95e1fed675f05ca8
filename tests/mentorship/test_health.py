import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_it_reports_app_database_and_services_healthy(client):
    for path in ("/api/health/", "/api/health/database/", "/api/health/services/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_it_returns_503_when_redis_is_down(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/api/health/services/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


@pytest.mark.django_db
def test_it_returns_503_when_no_celery_worker_answers(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/api/health/services/")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"]["ok"] is False
