"""The Content-Security-Policy and Permissions-Policy every page is served with, and the rule that keeps Alpine
working under that policy (the CSP build: no request data and no JavaScript in template expressions)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import live_group_session, room_member

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
ALPINE_ATTRIBUTE = re.compile(r'\s(x-[\w:.-]+|@[\w.:-]+|:[\w.-]+)="([^"]*)"')


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_the_policy_allows_no_eval_no_foreign_sockets_and_no_foreign_images(client):
    response = client.get(reverse("home"))
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-eval'" not in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["connect-src"][:2] == ["'self'", "ws://testserver"]
    assert not {"ws:", "wss:", "https:", "*"} & set(policy["connect-src"] + policy["img-src"])


def test_a_secure_request_may_open_a_socket_only_to_its_own_host(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get(reverse("home"), HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver")
    assert "wss://testserver" in _directives(response["Content-Security-Policy"])["connect-src"]


def test_only_the_room_may_ask_for_the_camera_and_microphone(client):
    session = live_group_session(starts_in_minutes=-5)
    student = room_member(session)
    client.force_login(student)
    assert client.get(reverse("home"))["Permissions-Policy"] == "camera=(), microphone=(), display-capture=()"
    room = client.get(reverse("sessions_app:room", args=[session.pk]))
    assert room.status_code == 200
    assert room["Permissions-Policy"] == "camera=(self), microphone=(self), display-capture=(self)"


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_alpine_expressions_carry_no_template_data_and_no_code_the_csp_build_cannot_run(template):
    for name, expression in ALPINE_ATTRIBUTE.findall(template.read_text()):
        assert "{{" not in expression and "{%" not in expression, f"{name}={expression!r}: data belongs in a component"
        assert "`" not in expression and "??" not in expression and "=>" not in expression, f"{name}={expression!r}"


def test_the_page_loads_alpines_csp_build(client):
    page = client.get(reverse("home")).content.decode()
    assert re.search(r'src="/static/vendor/alpine-csp-[\d.]+\.min\.js"', page)
    assert not re.search(r'src="/static/vendor/alpine-\d', page)
