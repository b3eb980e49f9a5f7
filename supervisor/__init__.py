"""The supervisor's page: the live hall of a centre, pausing services, and the reports."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from common import checked_centre, render_page

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "supervisor",
    __name__,
    url_prefix="/supervisor",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/<centre>")
def page(centre: str) -> Response:
    """The live hall and reports of `centre`, for its supervisors and administrators."""
    return render_page("supervisor/supervisor.html", CATALOGUE, centre=checked_centre(centre))
