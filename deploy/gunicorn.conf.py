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
# Import the app once in the master, then fork: a worker (at start, after a graceful reload with HUP, or when
# max_requests recycles it) serves at once instead of spending seconds importing Django while nginx's requests
# wait in the socket's queue, and the port is bound only once the app has loaded, so nginx never sends a
# restarting node requests it cannot serve yet (tests/mentorship/test_scale_out.py). New code means a restart of
# the node (one node at a time behind nginx), not a HUP.
preload_app = True


def when_ready(server):
    """Before the first fork: close any database connection the app's start opened, so no two workers share one."""
    from django.db import connections

    connections.close_all()
