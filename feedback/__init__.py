"""The feedback tablet beside a counter, and the feedback form the track page shares."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from common import checked_centre, render_page

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "feedback",
    __name__,
    url_prefix="/feedback",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/<centre>/<int:counter>")
def page(centre: str, counter: int) -> Response:
    """The tablet at `counter`; it binds itself to its device with `?token=…` once."""
    return render_page(
        "feedback/tablet.html", CATALOGUE, centre=checked_centre(centre), counter=counter
    )
