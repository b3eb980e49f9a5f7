"""The framework's floor, only for benchmarks (QUEUE_BENCH_FLOOR=1).

A bare JSON endpoint, and a namespace /bench whose acknowledged `floor` event answers at once:
what a request and an acknowledged event cost with no database, authentication or events
behind them.
"""

from flask import Blueprint, jsonify
from flask_socketio import Namespace

BENCH_NS = "/bench"

bp = Blueprint("bench_floor", __name__)


@bp.route("/bench/floor", methods=["GET", "POST"])
def floor():  # type: ignore[no-untyped-def]
    """{"ok": true}."""
    return jsonify(ok=True)


class FloorNamespace(Namespace):
    """Acknowledges `floor` with {"ok": true}, like a counter action with nothing behind it."""

    def on_floor(self, data: object = None) -> dict:
        return {"ok": True}
