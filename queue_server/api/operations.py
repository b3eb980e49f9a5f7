"""Operations routes outside /api/v1: liveness, readiness and metrics, for the centre's IT staff."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from ..adapters.database import DatabaseUnavailable, ping
from ..adapters.message_queue import MessageQueueUnavailable, check_message_queue
from ..bootstrap import services
from ..metrics import metrics_response
from .answers import Healthy, Unready
from .openapi import documented

bp = Blueprint("operations", __name__)

READY_TIMEOUT_S = 1.0
"""A readiness probe answers within about this long even when Redis is gone."""


@bp.get("/healthz")
@documented("Liveness: the process serves requests.", answers={200: Healthy})
def healthz() -> ResponseReturnValue:
    """The process serves requests."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
@documented(
    "Readiness: the database and Redis answer (503 names those that do not).",
    answers={200: Healthy, 503: Unready},
)
def readyz() -> ResponseReturnValue:
    """The database and (when configured) Redis answer; else 503 naming those that do not."""
    s = services()
    failing: list[str] = []
    try:
        ping(s.uow.engine)
    except DatabaseUnavailable:
        failing.append("database")
    if s.settings.message_queue:
        try:
            check_message_queue(s.settings.message_queue, timeout_s=READY_TIMEOUT_S)
        except MessageQueueUnavailable:
            failing.append("redis")
    if failing:
        return jsonify({"status": "unavailable", "failing": failing}), 503
    return jsonify({"status": "ok"})


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    """This process's metrics in Prometheus' text format."""
    return metrics_response(services().metrics)
