"""The counter page: a clerk signs in, chooses a counter and serves, by mouse or keyboard."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from common import render_page

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "counter",
    __name__,
    url_prefix="/counter",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/")
def page() -> Response:
    """Sign in, choose a counter, serve; the session lives in the tab (sessionStorage)."""
    return render_page("counter/counter.html", CATALOGUE)
