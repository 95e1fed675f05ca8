"""In-process CPU and cProfile of pages, for the bench scripts' `--profile N` option.

Run inside a process already set up with the server's settings (`django.setup()` done): each page is requested
through Django's test client, once to warm caches, then N times timed with `time.process_time` (the CPU per request
of this process alone, so other jobs on a shared machine barely move it), then N times under cProfile timed by CPU
(waits on PostgreSQL or for a core are left out), whose top by own and by cumulative time is printed.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Iterable


def profile_pages(pages: Iterable[tuple[str, str, object | None]], count: int, *, top: int = 30) -> dict[str, float]:
    """Profile each (name, path, user or None for a visitor); returns {name: CPU ms per request}."""
    from django.test import Client

    cpu_per_request = {}
    for name, path, user in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name} {path}: status {response.status_code}")
        started = time.process_time()
        for _ in range(count):
            client.get(path)
        cpu = (time.process_time() - started) * 1000 / count
        cpu_per_request[name] = cpu
        # CPU time, not wall time: waits on PostgreSQL and on other jobs' processes are not this page's cost.
        profiler = cProfile.Profile(time.process_time)
        started = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            client.get(path)
        profiler.disable()
        took = (time.perf_counter() - started) * 1000 / count
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            rows = top if order == "tottime" else 2 * top  # the cumulative list starts with the framework's frames
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(rows)
            body = out.getvalue()
            body = body[body.index("ncalls") :] if "ncalls" in body else body
            print(
                f"\n=== {name} {path}: {cpu:.2f} ms CPU per request (test client, this process), "
                f"{took:.2f} ms wall time under the profiler; top by {order}, in CPU seconds ==="
            )
            print(body.rstrip())
    print("\nCPU per request in this process (test client, no profiler):")
    for name, cpu in cpu_per_request.items():
        print(f"  {name:<20} {cpu:6.2f} ms")
    return cpu_per_request
