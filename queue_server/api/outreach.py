"""HTTP routes of Huduma Mashinani: the sites' uploads and status, and the sponsor report."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Literal

from flask import Response, current_app, jsonify
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..domain.errors import InvalidValue, NotFound
from ..schemas import Payload, SyncBatch, validate
from ..services import sponsor, sync
from . import bp
from .answers import (
    Acknowledged,
    OutreachSite,
    SiteConfiguration,
    SiteStatus,
    SiteUploads,
    SponsorReport,
)
from .openapi import documented
from .routes import json_body, query_args, request_principal

SITE = "outreach_site"
"""The app's `extensions` key holding the code of the outreach site this server runs."""
CONFIGURATION = "centre_configuration"
"""The app's `extensions` key holding the configuration it loaded at start (if any)."""


class SponsorQuery(Payload):
    first: str | None = Field(
        default=None, alias="from", description="YYYY-MM-DD; default: the event's first day."
    )
    last: str | None = Field(
        default=None, alias="to", description="YYYY-MM-DD; default: its last day."
    )
    format: Literal["json", "csv"] = "json"


@bp.post("/sync/<centre>/events")
@documented(
    "An outreach site uploads its log.", answers={200: Acknowledged}, body=SyncBatch, auth=("site",)
)
def sync_upload(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    s = services()
    return jsonify(sync.receive_batch(principal, centre, json_body(), uow=s.uow, clock=s.clock))


@bp.get("/sync/status")
@documented(
    "At an outreach site: how far its log has been sent.", answers={200: SiteStatus}, errors=(404,)
)
def sync_status() -> ResponseReturnValue:
    site = current_app.extensions.get(SITE)
    if site is None:
        raise NotFound("This server is not an outreach site.", code="not_a_site")
    return jsonify(sync.site_status(site, uow=services().uow))


@bp.get("/sync/config")
@documented(
    "The central configuration of the token's own site.",
    answers={200: SiteConfiguration},
    auth=("site",),
    errors=(404,),
)
def sync_config() -> ResponseReturnValue:
    config = current_app.extensions.get(CONFIGURATION)
    return jsonify(sync.site_configuration(request_principal(), config))


@bp.get("/sync/sites")
@documented(
    "The outreach sites of one's centres, with their last uploads (staff).",
    answers={200: list[OutreachSite]},
    auth=("user",),
)
def sync_sites() -> ResponseReturnValue:
    return jsonify(sync.outreach_sites(request_principal(), uow=services().uow))


@bp.get("/sync/<centre>")
@documented(
    "A site's uploads as the central server knows them (an admin, or the site).",
    answers={200: SiteUploads},
    auth=("user", "site"),
)
def sync_centre(centre: str) -> ResponseReturnValue:
    return jsonify(sync.central_status(request_principal(), centre, uow=services().uow))


@bp.get("/centres/<centre>/reports/sponsor")
@documented(
    "The sponsor report of an outreach site (a supervisor).",
    answers={200: SponsorReport},
    query=SponsorQuery,
    auth=("user",),
    csv=True,
)
def sponsor_report(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    query = validate(SponsorQuery, query_args())
    s = services()
    report = sponsor.sponsor_report(
        principal,
        centre,
        _date("from", query.first),
        _date("to", query.last),
        uow=s.uow,
        clock=s.clock,
    )
    if query.format == "json":
        return jsonify(report)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=sponsor.SPONSOR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report["by_service"])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="sponsor-{centre}.csv"'
    return response


def _date(name: str, text: str | None) -> date | None:
    """The query parameter `name` (YYYY-MM-DD), absent, or InvalidValue."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"{name} must be a date YYYY-MM-DD.") from None
