"""Health endpoints for load balancers (seed 000 §4.1): JSON, 503 when a dependency is down.

Anyone gets the status; which dependency failed and how many workers answer (a map of the deployment) only staff
and callers presenting ``HEALTH_TOKEN`` (``Authorization: Bearer <token>``) see.
"""

import hmac

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mentorship.celery import app as celery_app


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver failure means "down" to a load balancer
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True}


def _check_redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return {"ok": False, "error": error.__class__.__name__}
    finally:
        client.close()
    return {"ok": True}


def _check_celery() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    try:
        with celery_app.connection_for_write() as connection:
            # Fail at once when the broker is down instead of retrying for seconds past the balancer's timeout.
            connection.ensure_connection(max_retries=0, timeout=1)
            # limit=1: answer as soon as one worker replies rather than always waiting out the timeout.
            replies = celery_app.control.ping(timeout=1.0, limit=1, connection=connection)
    except Exception as error:  # any broker failure means "down" to a load balancer
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": bool(replies), "workers": len(replies or [])}


def _may_see_details(request: HttpRequest) -> bool:
    token = settings.HEALTH_TOKEN
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and hmac.compare_digest(presented.encode(), token.encode()):
        return True
    try:
        return request.user.is_authenticated and request.user.is_staff
    except DatabaseError:
        return False  # the database is what is down: answer the status all the same


def _respond(request: HttpRequest, checks: dict) -> JsonResponse:
    healthy = all(check["ok"] for check in checks.values())
    body: dict = {"status": "ok" if healthy else "unavailable"}
    if _may_see_details(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
@never_cache
def app_health(request: HttpRequest) -> JsonResponse:
    return _respond(request, {"app": {"ok": True}})


@require_GET
@never_cache
def database_health(request: HttpRequest) -> JsonResponse:
    return _respond(request, {"database": _check_database()})


@require_GET
@never_cache
def services_health(request: HttpRequest) -> JsonResponse:
    """The one check a load balancer needs: everything a page depends on (PostgreSQL, Redis, a Celery worker)."""
    return _respond(request, {"database": _check_database(), "redis": _check_redis(), "celery": _check_celery()})
