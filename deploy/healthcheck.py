"""Container health checks for docker-compose.yml (python:3.11-slim has neither curl nor wget).

python deploy/healthcheck.py http PORT   the app's /api/health/ answers 200 on 127.0.0.1:PORT
python deploy/healthcheck.py broker      the Celery broker accepts a connection (for beat)
"""

import os
import sys
import urllib.request


def check_http(port: str) -> bool:
    # Ask as nginx would: a configured host name (ALLOWED_HOSTS) over HTTPS, so no SSL redirect happens.
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/health/", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed loopback URL)
            return response.status == 200
    except OSError:
        return False


def check_broker() -> bool:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from mentorship.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=5)
    except Exception:  # any failure to reach the broker is "unhealthy"
        return False
    return True


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "http" and len(sys.argv) == 3:
        sys.exit(0 if check_http(sys.argv[2]) else 1)
    if mode == "broker":
        sys.exit(0 if check_broker() else 1)
    sys.exit(__doc__)
