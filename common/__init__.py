"""What the four pages share: the client module and styles, the page frame, the catalogue
loader, and the JavaScript libraries installed from the npm registry (node_modules/)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, send_from_directory

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
LANGUAGES = ("en", "sw")
FIRST_LANGUAGE = "en"
CENTRE_CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")

VENDOR_FILES = {
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "chart.umd.js": "chart.js/dist/chart.umd.js",  # the supervisor's charts
}
"""The files of npm packages the pages load, by the name they are served under."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

bp = Blueprint(
    "common",
    __name__,
    static_folder="static",
    static_url_path="/common/static",
    template_folder="templates",
)


@bp.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """A JavaScript library from node_modules (installed by `npm ci`), under a fixed name."""
    path = VENDOR_FILES.get(name)
    if path is None or not (NODE_MODULES / path).is_file():
        abort(404, description=f"{name} is not installed: run `npm ci` in {ROOT}.")
    return send_from_directory(NODE_MODULES, path, mimetype="text/javascript")


@cache
def load_catalogue(path: Path) -> dict[str, dict[str, str]]:
    """A page's English and Kiswahili texts; both languages must have the same keys."""
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    keys = {lang: set(catalogue.get(lang, {})) for lang in LANGUAGES}
    if keys["en"] != keys["sw"] or not keys["en"]:
        missing = sorted(keys["en"] ^ keys["sw"])
        raise ValueError(f"{path}: English and Kiswahili texts differ in keys {missing}")
    return catalogue


def checked_centre(code: str) -> str:
    """A centre code from a page's address, or 404 when it cannot be one."""
    if not CENTRE_CODE.fullmatch(code):
        abort(404)
    return code


def render_page(template: str, catalogue_path: Path, **context: Any) -> Response:
    """A page in its first language, carrying its whole catalogue for the client to switch."""
    catalogue = load_catalogue(catalogue_path)
    html = render_template(
        template,
        catalogue=catalogue,
        t=catalogue[FIRST_LANGUAGE],
        lang=FIRST_LANGUAGE,
        **context,
    )
    return secure_page(Response(html, mimetype="text/html"))


def secure_page(response: Response) -> Response:
    """A page's own policy: no inline script, never cached (the app adds the other headers)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response
