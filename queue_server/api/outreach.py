"""HTTP routes of Huduma Mashinani: the sites' uploads and status, and the sponsor report."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from ..bootstrap import services
from ..domain.errors import InvalidValue, NotFound
from ..services import sponsor, sync
from . import bp
from .routes import json_body, request_principal

SITE = "outreach_site"
"""The app's `extensions` key holding the code of the outreach site this server runs."""
CONFIGURATION = "centre_configuration"
"""The app's `extensions` key holding the configuration it loaded at start (if any)."""


@bp.post("/sync/<centre>/events")
def sync_upload(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    s = services()
    return jsonify(sync.receive_batch(principal, centre, json_body(), uow=s.uow, clock=s.clock))


@bp.get("/sync/status")
def sync_status() -> ResponseReturnValue:
    site = current_app.extensions.get(SITE)
    if site is None:
        raise NotFound("This server is not an outreach site.", code="not_a_site")
    return jsonify(sync.site_status(site, uow=services().uow))


@bp.get("/sync/config")
def sync_config() -> ResponseReturnValue:
    config = current_app.extensions.get(CONFIGURATION)
    return jsonify(sync.site_configuration(request_principal(), config))


@bp.get("/sync/sites")
def sync_sites() -> ResponseReturnValue:
    return jsonify(sync.outreach_sites(request_principal(), uow=services().uow))


@bp.get("/sync/<centre>")
def sync_centre(centre: str) -> ResponseReturnValue:
    return jsonify(sync.central_status(request_principal(), centre, uow=services().uow))


@bp.get("/centres/<centre>/reports/sponsor")
def sponsor_report(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    kind = request.args.get("format", "json")
    if kind not in ("json", "csv"):
        raise InvalidValue("format must be 'json' or 'csv'.")
    s = services()
    report = sponsor.sponsor_report(
        principal, centre, _date("from"), _date("to"), uow=s.uow, clock=s.clock
    )
    if kind == "json":
        return jsonify(report)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=sponsor.SPONSOR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report["by_service"])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="sponsor-{centre}.csv"'
    return response


def _date(name: str) -> date | None:
    """A query parameter YYYY-MM-DD, absent, or InvalidValue."""
    text = request.args.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"{name} must be a date YYYY-MM-DD.") from None
