"""Track my Service pages: a citizen's look-up on a phone, and the staff's documents page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from common import checked_centre, render_page

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "documents",
    __name__,
    url_prefix="/documents",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/<centre>")
def look_up(centre: str) -> Response:
    """The citizen's page: a document's ref and the phone's last three digits give its status."""
    return render_page("documents/look_up.html", CATALOGUE, centre=checked_centre(centre))


@bp.get("/<centre>/staff")
def staff(centre: str) -> Response:
    """The staff's page: lodge a document, mark a box of them ready, see them by status."""
    return render_page("documents/staff.html", CATALOGUE, centre=checked_centre(centre))
