"""The kiosk page: a portrait touch screen where citizens take a ticket."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from common import checked_centre, render_page

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "kiosk",
    __name__,
    url_prefix="/kiosk",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/<centre>")
def page(centre: str) -> Response:
    """The kiosk of `centre`; it binds itself to its device with `?token=…` once."""
    return render_page("kiosk/kiosk.html", CATALOGUE, centre=checked_centre(centre))
