"""A bare JSON endpoint, only for benchmarks (QUEUE_BENCH_FLOOR=1): the framework's floor."""

from flask import Blueprint, jsonify

bp = Blueprint("bench_floor", __name__)


@bp.route("/bench/floor", methods=["GET", "POST"])
def floor():  # type: ignore[no-untyped-def]
    """{"ok": true}, with no database, authentication or events behind it."""
    return jsonify(ok=True)
