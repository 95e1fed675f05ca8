"""The deployment files agree with each other and with the code: compose, nginx, gunicorn, .env.example, settings."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

# Deployment files (compose, nginx, Dockerfile, .env.example) and production servers: `make test` runs them,
# `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NGINX_CONF = (BASE_DIR / "deploy" / "nginx.conf").read_text()
# The HTTPS server; the plain-HTTP one only redirects to it.
NGINX_TLS_SERVER = NGINX_CONF[NGINX_CONF.index("listen 443 ssl") :]
APP_SERVICES = ("migrate", "web", "ws", "worker", "worker-precompute", "beat")
LONG_RUNNING = ("nginx", "web", "ws", "worker", "worker-precompute", "beat", "postgres", "redis", "coturn")
# Read outside settings.py: by the launcher, the demo data, the browser tests and gunicorn.
NON_SETTINGS_VARIABLES = {"DEMO_PASSWORD", "PORT", "PEERLEARN_DATA_DIR", "PLAYWRIGHT_CHROMIUM", "CI", "WEB_CONCURRENCY"}
ASSIGNMENT = re.compile(r"^#?\s?([A-Z][A-Z0-9_]*)=")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(
        PEERLEARN_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS="k1:" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="peerlearn.example.com",
        CSRF_TRUSTED_ORIGINS="https://peerlearn.example.com",
        **overrides,
    )
    return env


def _settings_variables() -> set[str]:
    source = (BASE_DIR / "mentorship" / "settings.py").read_text()
    return set(re.findall(r"env_(?:str|bool|int|list|choice)\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def _env_example() -> list[str]:
    return (BASE_DIR / ".env.example").read_text().splitlines()


def _nginx_block(opening: str, conf: str = NGINX_TLS_SERVER) -> str:
    """The body of the first `opening { ... }` block, nested blocks included."""
    start = conf.index(opening + " {") + len(opening) + 2
    depth, position = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(conf[position], 0)
        position += 1
    return conf[start : position - 1]


def _command(service: str) -> list[str]:
    return SERVICES[service]["command"]


def test_compose_runs_the_production_topology():
    assert set(SERVICES) == {*LONG_RUNNING, "migrate"}
    assert _command("web")[0] == "gunicorn" and "mentorship.wsgi:application" in _command("web")
    assert _command("ws")[0] == "daphne" and "mentorship.asgi:application" in _command("ws")
    assert _command("worker")[:4] == ["celery", "-A", "mentorship", "worker"]
    assert _command("beat")[:4] == ["celery", "-A", "mentorship", "beat"]
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    for service in APP_SERVICES:
        assert SERVICES[service]["environment"]["PEERLEARN_ENV"] == "production", service
        assert SERVICES[service]["env_file"] == ".env", service
        assert SERVICES[service]["build"] == ".", service
    postgres_major = int(SERVICES["postgres"]["image"].split(":")[1].split(".")[0])
    assert postgres_major >= 16


def test_compose_gives_every_long_running_service_a_health_check():
    for service in LONG_RUNNING:
        assert SERVICES[service]["healthcheck"]["test"], service
    assert "pg_isready" in SERVICES["postgres"]["healthcheck"]["test"]
    assert "redis-cli ping" in SERVICES["redis"]["healthcheck"]["test"][1]
    assert SERVICES["web"]["healthcheck"]["test"][-2:] == ["http", "8000"]
    assert SERVICES["ws"]["healthcheck"]["test"][-2:] == ["http", "8001"]
    assert "inspect ping" in SERVICES["worker"]["healthcheck"]["test"][1]
    assert "inspect ping" in SERVICES["worker-precompute"]["healthcheck"]["test"][1]


def test_compose_migrates_and_collects_static_before_anything_serves():
    migrate = " ".join(_command("migrate"))
    assert "manage.py migrate --no-input" in migrate
    assert "manage.py collectstatic --no-input" in migrate
    assert SERVICES["migrate"]["restart"] == "no"
    for service in ("web", "ws", "worker", "worker-precompute", "beat"):
        depends_on = SERVICES[service]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", service
        assert depends_on["postgres"]["condition"] == "service_healthy", service
        assert depends_on["redis"]["condition"] == "service_healthy", service
    assert SERVICES["nginx"]["depends_on"] == {
        "web": {"condition": "service_healthy"},
        "ws": {"condition": "service_healthy"},
    }


def test_compose_shares_static_and_media_volumes_between_the_app_and_nginx():
    app_environment = SERVICES["web"]["environment"]
    app_volumes = SERVICES["web"]["volumes"]
    assert f"static:{app_environment['STATIC_ROOT']}" in app_volumes
    assert f"media:{app_environment['MEDIA_ROOT']}" in app_volumes
    assert "static:/srv/static:ro" in SERVICES["nginx"]["volumes"]
    assert "media:/srv/media:ro" in SERVICES["nginx"]["volumes"]
    # Private media (documents, recordings) must never reach nginx.
    assert not any(volume.startswith("private-media:") for volume in SERVICES["nginx"]["volumes"])
    assert {"static", "media", "private-media", "postgres-data", "redis-data"} <= set(COMPOSE["volumes"])


def test_compose_refers_only_to_files_that_exist():
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./") and not source.endswith("/certs"):
                assert (BASE_DIR / source).is_file(), source
    for service in ("web", "ws", "beat"):
        script = SERVICES[service]["healthcheck"]["test"][2]
        assert (BASE_DIR / script).is_file(), script
    assert (BASE_DIR / _command("web")[2]).is_file()


def test_nginx_routes_websockets_to_daphne_and_the_rest_to_gunicorn():
    ws_port = _command("ws")[_command("ws").index("-p") + 1]
    assert f"server ws:{ws_port} " in _nginx_block("upstream peerlearn_ws", NGINX_CONF)
    assert "server web:8000 " in _nginx_block("upstream peerlearn_web", NGINX_CONF)
    gunicorn_config = (BASE_DIR / "deploy" / "gunicorn.conf.py").read_text()
    assert 'bind = "0.0.0.0:8000"' in gunicorn_config
    websockets = _nginx_block("location /ws/")
    assert "proxy_pass http://peerlearn_ws;" in websockets
    assert "proxy_http_version 1.1;" in websockets
    assert "proxy_set_header Upgrade $http_upgrade;" in websockets
    assert "proxy_set_header Connection $connection_upgrade;" in websockets
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in websockets
    pages = _nginx_block("location /")
    assert "proxy_pass http://peerlearn_web;" in pages
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in pages
    assert "root /srv;" in _nginx_block("location /static/")
    assert "root /srv;" in _nginx_block("location /media/")
    assert "/private-media/" not in NGINX_CONF


def test_production_reads_the_client_address_from_the_header_nginx_sets():
    for location in ("location /ws/", "location /"):
        assert "proxy_set_header X-Real-IP $remote_addr;" in _nginx_block(location)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; "
            "print(s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER, s.AXES_CLIENT_IP_CALLABLE)",
        ],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split()[-2:] == ["X-Real-IP", "accounts.lockout.client_ip"], result.stderr


def test_nginx_braces_balance():
    assert NGINX_CONF.count("{") == NGINX_CONF.count("}")


def test_env_example_lists_every_variable_with_a_comment():
    lines = _env_example()
    listed = {}
    for number, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match:
            listed[match.group(1)] = number
    read_by_code = _settings_variables() | NON_SETTINGS_VARIABLES
    assert len(_settings_variables()) > 30
    assert read_by_code - set(listed) == set(), "missing from .env.example"
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (BASE_DIR / "docker-compose.yml").read_text()))
    assert interpolated - set(listed) == set(), "docker-compose.yml needs these in .env"
    for name, number in listed.items():
        above = number - 1
        while above >= 0 and ASSIGNMENT.match(lines[above]):
            above -= 1
        assert lines[above].startswith("# ") and not ASSIGNMENT.match(lines[above]), f"{name} has no comment"


def test_env_example_sets_only_what_compose_needs():
    """Uncommented lines become real values in `.env`; an empty DATABASE_URL there would break settings."""
    active = {ASSIGNMENT.match(line).group(1) for line in _env_example() if re.match(r"^[A-Z]", line)}
    required = {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "TURN_USERNAME"}
    assert required | {"TURN_CREDENTIAL"} <= active
    assert active.isdisjoint({"DATABASE_URL", "REDIS_URL", "DEBUG", "PEERLEARN_ENV", "CELERY_TASK_ALWAYS_EAGER"})


def test_dockerfile_builds_a_non_root_python_311_image():
    dockerfile = (BASE_DIR / "Dockerfile").read_text().splitlines()
    assert dockerfile[[line.startswith("FROM") for line in dockerfile].index(True)] == "FROM python:3.11-slim"
    assert "RUN pip install -r requirements.txt" in dockerfile
    user_line = next(line for line in dockerfile if line.startswith("USER "))
    assert user_line not in {"USER root", "USER 0"}
    assert dockerfile.index(user_line) < dockerfile.index("RUN python manage.py compiletranslations")
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "var", "node_modules"} <= set(ignored)


def test_production_settings_pass_check_deploy_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_collectstatic_builds_the_hashed_manifest(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=_production_env(STATIC_ROOT=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").is_file()
    assert list(tmp_path.glob("css/app.*.css")), "hashed CSS for nginx's immutable caching"


@pytest.fixture(scope="module")
def production_gunicorn():
    """gunicorn with deploy/gunicorn.conf.py and production settings, as the compose `web` service runs it."""
    port = _free_port()
    env = _production_env(WEB_CONCURRENCY="1")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "mentorship.wsgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Until a worker answers (gunicorn binds the port before its workers have imported Django).
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=5).close()
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stderr.read().decode()[-3000:]) from None
            time.sleep(0.2)
        else:
            break
    yield port, env
    process.send_signal(signal.SIGINT)  # quick shutdown; SIGTERM waits out graceful_timeout for idle workers
    process.wait(timeout=30)


def test_container_health_check_passes_against_production_gunicorn(production_gunicorn):
    port, env = production_gunicorn
    result = subprocess.run(
        [sys.executable, "deploy/healthcheck.py", "http", str(port)], cwd=BASE_DIR, env=env, timeout=30
    )
    assert result.returncode == 0


def test_production_gunicorn_redirects_plain_http_and_rejects_unknown_hosts(production_gunicorn):
    port, _env = production_gunicorn
    opener = urllib.request.build_opener(NoRedirect)
    plain = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "peerlearn.example.com"})
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(plain, timeout=10)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == "https://peerlearn.example.com/"
    unknown = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/health/", headers={"Host": "evil.example", "X-Forwarded-Proto": "https"}
    )
    with pytest.raises(urllib.error.HTTPError) as rejected:
        opener.open(unknown, timeout=10)
    assert rejected.value.code == 400
