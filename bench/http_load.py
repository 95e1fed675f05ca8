"""A small closed-loop HTTP load generator: N clients, each sending its next request when the previous answers."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    latencies_ms: list[float]
    errors: int
    elapsed_s: float

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed_s


def run_load(
    *, host: str, port: int, path: str, clients: int, total_requests: int, headers: dict[str, str] | None = None
) -> LoadResult:
    """Send `total_requests` GETs for `path` from `clients` concurrent clients; every response must be 200."""
    remaining = iter(range(total_requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    send_headers = {"Host": f"{host}:{port}", **(headers or {})}

    def client() -> None:
        nonlocal errors
        connection: http.client.HTTPConnection | None = None
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=30)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=send_headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                # gunicorn's sync workers close every connection; reconnecting is part of each request.
                if response.will_close:
                    connection.close()
                    connection = None
            except OSError:
                ok = False
                connection = None
            took = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors += 1
        if connection is not None:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(latencies_ms=latencies, errors=errors, elapsed_s=time.perf_counter() - started)
