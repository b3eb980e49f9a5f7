"""Huduma Mashinani pages: a site's sync status, and the sponsor's printable report."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from common import checked_centre, render_page

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "outreach",
    __name__,
    url_prefix="/outreach",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/sync")
def sync_status() -> Response:
    """At a site: when its records were last sent home, and how many wait to be sent."""
    return render_page("outreach/sync.html", CATALOGUE)


@bp.get("/<centre>/sponsor")
def sponsor(centre: str) -> Response:
    """The sponsor report, printable, for a supervisor to hand to the sponsor."""
    return render_page("outreach/sponsor.html", CATALOGUE, centre=checked_centre(centre))
