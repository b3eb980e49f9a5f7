"""Prometheus metrics of one server process, served at /metrics.

Each server process has its own registry and answers /metrics with its own figures (scrape
every process, as Prometheus does with one target per process). Counts of rows waiting in an
outbox are read from the database when scraped, so every process reports the same totals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from flask import Flask, g, request
from flask.typing import ResponseReturnValue
from flask_socketio import SocketIO
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .adapters.repository import Repository
from .adapters.unit_of_work import UnitOfWorkFactory
from .domain.events import Event, TicketCalled
from .services.common import Notifier

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

StateCounts = Callable[[Repository], dict[str, int]]
"""Reads how many rows of an outbox are in each state."""

OUTBOX_STATES: list[tuple[str, str, StateCounts]] = [
    ("queue_print_jobs", "Print jobs by state.", Repository.print_jobs_by_state),
    ("queue_appointments", "Appointments by status, all days.", Repository.appointments_by_status),
    ("queue_sms_messages", "SMS messages by status.", Repository.sms_by_status),
    ("queue_sync_entries", "Sync log entries waiting.", Repository.sync_entries_waiting),
    # Another outbox adds its line here: (metric name, help, repository query by state).
]
"""Gauges read from the database at each scrape: one line each, labelled by state."""


class Metrics:
    """The counters, gauges and histograms of this process, in their own registry."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.registry = CollectorRegistry()
        self.tickets_issued = Counter(
            "queue_tickets_issued", "Tickets issued.", ["centre"], registry=self.registry
        )
        self.calls = Counter(
            "queue_calls",
            "Tickets called to a counter.",
            ["centre", "recall"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "queue_http_request_seconds",
            "Time to answer an HTTP request, by route (api.issue_ticket: issuing).",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.event_seconds = Histogram(
            "queue_socket_event_seconds",
            "Time to handle a Socket.IO event, by namespace and event (/counter call_next: calls).",
            ["namespace", "event"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.open_sockets = Gauge(
            "queue_open_sockets",
            "Socket.IO connections open in this process, by namespace.",
            ["namespace"],
            registry=self.registry,
        )
        self.registry.register(OutboxCollector(uow))

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric of this process."""
        return generate_latest(self.registry)


class OutboxCollector(Collector):
    """Rows waiting in the outboxes (print jobs, SMS, sync log), by state, read when scraped."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One gauge per outbox, labelled by state; an unreadable database yields none."""
        try:
            with self.uow(write=False) as unit:
                counts = [(name, text, read(unit.repo)) for name, text, read in OUTBOX_STATES]
        except Exception:  # a scrape must answer even when the database does not
            log.warning("metrics: could not read the outboxes", exc_info=True)
            return
        for name, text, by_state in counts:
            family = GaugeMetricFamily(name, text, labels=["state"])
            for state, count in sorted(by_state.items()):
                family.add_metric([state], count)
            yield family


class CountingNotifier:
    """Counts the calls among published events, then hands them on."""

    def __init__(self, inner: Notifier, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def publish(self, events: Sequence[Event]) -> None:
        """Count each call (and recall) by centre, then publish as before."""
        for event in events:
            if isinstance(event, TicketCalled):
                self.metrics.calls.labels(event.centre, str(event.recall).lower()).inc()
        self.inner.publish(events)


def time_requests(app: Flask, metrics: Metrics) -> None:
    """Observe every HTTP request's duration under its route's endpoint name."""

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Any) -> Any:
        started = g.pop("metrics_started", None)
        if started is not None and request.endpoint:
            metrics.http_seconds.labels(request.endpoint).observe(time.perf_counter() - started)
        return response


def time_events(socketio: SocketIO, metrics: Metrics) -> None:
    """Time the events and count the open sockets of every namespace registered so far."""
    for namespace in socketio.server.namespace_handlers.values():
        if not getattr(namespace, "metrics_timed", False):
            namespace.trigger_event = _timed(namespace.trigger_event, namespace.namespace, metrics)
            namespace.metrics_timed = True


def _timed(trigger: Callable[..., Any], name: str, metrics: Metrics) -> Callable[..., Any]:
    """A namespace's event dispatch that observes durations and counts connects/disconnects."""

    def trigger_event(event: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = trigger(event, *args)
        if event == "connect":
            if result is not False:  # a refused connection raises, or returns False
                metrics.open_sockets.labels(name).inc()
        elif event == "disconnect":
            metrics.open_sockets.labels(name).dec()
        else:
            metrics.event_seconds.labels(name, event).observe(time.perf_counter() - started)
        return result

    return trigger_event


def metrics_response(metrics: Metrics) -> ResponseReturnValue:
    """The /metrics answer in Prometheus' text format."""
    return metrics.exposition(), 200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
