"""HTTP routes of feedback, pausing a service, the supervisor's hall and the reports."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from ..bootstrap import services
from ..domain.errors import InvalidValue
from ..schemas import FeedbackRequest, PauseServiceRequest, validate
from ..services import feedback, reports, supervision
from . import bp
from .routes import json_body, request_principal


@bp.post("/tickets/<ticket_id>/feedback")
def give_feedback(ticket_id: str) -> ResponseReturnValue:
    body = validate(FeedbackRequest, json_body())
    answer = feedback.Answer(**body.model_dump())
    return jsonify(feedback.give_feedback(ticket_id, answer, **services().deps())), 201


@bp.get("/centres/<centre>/counters/<int:number>/feedback")
def tablet_question(centre: str, number: int) -> ResponseReturnValue:
    s = services()
    return jsonify(
        feedback.tablet_question(request_principal(), centre, number, uow=s.uow, clock=s.clock)
    )


@bp.post("/centres/<centre>/services/<service>/pause")
def pause_service(centre: str, service: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(PauseServiceRequest, json_body())
    reason = (body.reason.en, body.reason.sw)
    return jsonify(
        supervision.pause_service(principal, centre, service, reason, **services().deps())
    )


@bp.post("/centres/<centre>/services/<service>/resume")
def resume_service(centre: str, service: str) -> ResponseReturnValue:
    principal = request_principal()
    return jsonify(supervision.resume_service(principal, centre, service, **services().deps()))


@bp.get("/centres/<centre>/hall")
def live_hall(centre: str) -> ResponseReturnValue:
    s = services()
    return jsonify(supervision.live_hall(request_principal(), centre, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/reports/services")
def services_report(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    days = _days()
    s = services()
    rows = reports.services_report(principal, centre, days, uow=s.uow, clock=s.clock)
    return _rows(rows, reports.SERVICE_COLUMNS, f"services-{centre}-{days[0]}-{days[1]}")


@bp.get("/centres/<centre>/reports/counters")
def counters_report(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    days = _days()
    rows = reports.counters_report(principal, centre, days, uow=services().uow)
    return _rows(rows, reports.COUNTER_COLUMNS, f"counters-{centre}-{days[0]}-{days[1]}")


@bp.get("/reports/centres")
def centres_report() -> ResponseReturnValue:
    principal = request_principal()
    days = _days()
    s = services()
    rows = reports.centres_report(principal, days, uow=s.uow, clock=s.clock)
    return _rows(rows, reports.CENTRE_COLUMNS, f"centres-{days[0]}-{days[1]}")


def _days() -> reports.Days:
    """The report's `from` and `to` dates from the query string."""
    return reports.parse_days(request.args.get("from"), request.args.get("to"))


def _rows(rows: list[dict], columns: tuple[str, ...], name: str) -> ResponseReturnValue:
    """The rows as JSON, or as CSV with `?format=csv` (the same rows, a header line first)."""
    kind = request.args.get("format", "json")
    if kind not in ("json", "csv"):
        raise InvalidValue("format must be 'json' or 'csv'.")
    if kind == "json":
        return jsonify(rows)
    response = Response(reports.as_csv(rows, columns), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
