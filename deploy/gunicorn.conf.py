"""gunicorn for the `web` service: pages, HTMX partials and JSON through sync workers (WebSockets go to Daphne)."""

import multiprocessing
import os

bind = "0.0.0.0:8000"
worker_class = "sync"
# Measured on 2-core machines: sync workers serve pages 5-10x faster than Daphne (DESIGN.md §1).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
timeout = 30
graceful_timeout = 30
# nginx keeps connections to the upstream open between requests.
keepalive = 5
# Recycle workers now and then so a slow leak in any library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Only nginx reaches this port (the compose network); it sets X-Forwarded-For / -Proto.
forwarded_allow_ips = "*"
# Heartbeat files on tmpfs: a container's overlay disk can stall them and get healthy workers killed.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (gunicorn's own heartbeat files, not user data)
accesslog = "-"
errorlog = "-"
