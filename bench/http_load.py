"""A closed-loop HTTP load generator: N clients, each sending its next request when the previous answers.

The clients are coroutines on one asyncio loop over raw sockets, not threads around `http.client`: the load
generator shares the machine's cores with the server, and a thread per client spent about as much CPU per request
as the page it measured. `LoadResult.client_cpu_s` is the CPU the generator itself used, so a report can show it.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    latencies_ms: list[float]
    errors: int
    elapsed_s: float
    client_cpu_s: float = 0.0

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

    @property
    def client_cpu_ms_per_request(self) -> float:
        return self.client_cpu_s * 1000 / max(1, self.requests + self.errors)


def run_load(
    *, host: str, port: int, path: str, clients: int, total_requests: int, headers: dict[str, str] | None = None
) -> LoadResult:
    """Send `total_requests` GETs for `path` from `clients` concurrent clients; every response must be 200."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    cpu_started = time.process_time()
    latencies, errors, elapsed = asyncio.run(_load(host, port, request, clients, total_requests))
    return LoadResult(
        latencies_ms=latencies, errors=errors, elapsed_s=elapsed, client_cpu_s=time.process_time() - cpu_started
    )


async def _load(host: str, port: int, request: bytes, clients: int, total: int) -> tuple[list[float], int, float]:
    remaining = total
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            # gunicorn's sync workers close every connection; connecting is part of each request.
            try:
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                response = await asyncio.wait_for(reader.read(), timeout=30)
                writer.close()
                ok = response.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200"))
            except (OSError, TimeoutError):
                ok = False
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started
