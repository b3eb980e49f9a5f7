"""The track page: a citizen follows their own ticket on a phone (the printed QR code's link)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, request, url_for

from common import render_page, secure_page
from queue_server.bootstrap import services
from queue_server.limits import limited_render

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"
TICKET_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
QR_CACHE_SIZE = 512

bp = Blueprint(
    "track",
    __name__,
    url_prefix="/track",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


def _checked(ticket_id: str) -> str:
    """The ticket id if it has the shape of one (ids are unguessable tokens), else 404."""
    if not TICKET_ID.fullmatch(ticket_id):
        abort(404)
    return ticket_id


@bp.get("/<ticket_id>")
def page(ticket_id: str) -> Response:
    """The ticket's own page: number, status, people ahead, estimated wait, live."""
    return render_page("track/track.html", CATALOGUE, ticket_id=_checked(ticket_id))


@bp.get("/<ticket_id>/qr.svg")
def qr_code(ticket_id: str) -> Response:
    """A QR code (SVG) of the ticket's page, for the kiosk's screen and printed tickets."""
    path = url_for("track.page", ticket_id=_checked(ticket_id))
    base = services().settings.public_url or request.host_url
    svg = limited_render(services().renders, qr_svg, base.rstrip("/") + path)
    response = secure_page(Response(svg, mimetype="image/svg+xml"))
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@lru_cache(maxsize=QR_CACHE_SIZE)
def qr_svg(text: str) -> str:
    """`text` as a QR code in SVG, dark on white, with the standard quiet zone."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
    )
    return image.to_string(encoding="unicode")
