"""Kiosks issuing tickets over HTTP as fast as they are answered, one process per kiosk."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

START_DELAY_S = 2.0


@dataclass(frozen=True)
class KioskRun:
    """What one kiosk does: POST `path` up to `count` times, stopping at `max_s` seconds."""

    url: str
    path: str
    token: str
    services: tuple[str, ...]
    count: int
    max_s: float
    expect: int


@dataclass(frozen=True)
class LoadResult:
    """Latencies of the answered requests, how long the load ran, and failed requests."""

    latencies: list[float]
    elapsed_s: float
    failed: int

    @property
    def rate(self) -> float:
        """Requests answered per second."""
        return len(self.latencies) / self.elapsed_s if self.elapsed_s else 0.0


def run_kiosk(run: KioskRun, start_at: float) -> tuple[list[float], float, float, int]:
    """One kiosk on one kept-alive connection; (latencies, first send, last answer, failures)."""
    address = urlsplit(run.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {"Authorization": f"Bearer {run.token}", "Content-Type": "application/json"}
    bodies = [json.dumps({"service": s}) for s in run.services]
    latencies: list[float] = []
    failures = 0
    time.sleep(max(0.0, start_at - time.monotonic()))
    began = time.monotonic()
    deadline = began + run.max_s
    for index in range(run.count):
        sent = time.monotonic()
        if sent > deadline:
            break
        connection.request("POST", run.path, bodies[index % len(bodies)], headers)
        response = connection.getresponse()
        response.read()
        if response.status == run.expect:
            latencies.append(time.monotonic() - sent)
        else:
            failures += 1
    connection.close()
    return latencies, began, time.monotonic(), failures


def load(runs: list[KioskRun]) -> LoadResult:
    """Run the kiosks at once, each in its own process; their combined figures."""
    context = multiprocessing.get_context("spawn")
    start_at = time.monotonic() + START_DELAY_S + 0.5 * len(runs)
    with context.Pool(len(runs)) as pool:
        results = pool.starmap(run_kiosk, [(run, start_at) for run in runs])
    latencies = [lat for result in results for lat in result[0]]
    elapsed = max(r[2] for r in results) - min(r[1] for r in results)
    return LoadResult(latencies, elapsed, sum(r[3] for r in results))
