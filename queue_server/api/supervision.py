"""HTTP routes of feedback, pausing a service, the supervisor's hall and the reports."""

from __future__ import annotations

from typing import Literal

from flask import Response, jsonify
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..schemas import FeedbackRequest, PauseServiceRequest, Payload, validate
from ..services import feedback, reports, supervision
from . import bp
from .answers import (
    CentreReportRow,
    CounterReportRow,
    FeedbackGiven,
    Hall,
    ServicePause,
    ServiceReportRow,
    TabletQuestion,
)
from .openapi import documented
from .routes import json_body, query_args, request_principal


class ReportQuery(Payload):
    """The dates of a report (the centre's local dates, both included) and its format."""

    first: str = Field(alias="from", description="YYYY-MM-DD")
    last: str = Field(alias="to", description="YYYY-MM-DD; at most 400 days after `from`.")
    format: Literal["json", "csv"] = "json"


@bp.post("/tickets/<ticket_id>/feedback")
@documented(
    "A citizen's feedback on a visit (public: the id is the secret).",
    answers={201: FeedbackGiven},
    body=FeedbackRequest,
    errors=(409,),
)
def give_feedback(ticket_id: str) -> ResponseReturnValue:
    body = validate(FeedbackRequest, json_body())
    answer = feedback.Answer(**body.model_dump())
    return jsonify(feedback.give_feedback(ticket_id, answer, **services().deps())), 201


@bp.get("/centres/<centre>/counters/<int:number>/feedback")
@documented(
    "The ticket a counter's feedback tablet asks about.",
    answers={200: TabletQuestion},
    auth=("device",),
)
def tablet_question(centre: str, number: int) -> ResponseReturnValue:
    s = services()
    return jsonify(
        feedback.tablet_question(request_principal(), centre, number, uow=s.uow, clock=s.clock)
    )


@bp.post("/centres/<centre>/services/<service>/pause")
@documented(
    "Pause a service (a supervisor).",
    answers={200: ServicePause},
    body=PauseServiceRequest,
    auth=("user",),
    errors=(409,),
)
def pause_service(centre: str, service: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(PauseServiceRequest, json_body())
    reason = (body.reason.en, body.reason.sw)
    return jsonify(
        supervision.pause_service(principal, centre, service, reason, **services().deps())
    )


@bp.post("/centres/<centre>/services/<service>/resume")
@documented(
    "Resume a paused service (a supervisor).",
    answers={200: ServicePause},
    auth=("user",),
    errors=(409,),
)
def resume_service(centre: str, service: str) -> ResponseReturnValue:
    principal = request_principal()
    return jsonify(supervision.resume_service(principal, centre, service, **services().deps()))


@bp.get("/centres/<centre>/hall")
@documented("The live hall (a supervisor).", answers={200: Hall}, auth=("user",))
def live_hall(centre: str) -> ResponseReturnValue:
    s = services()
    return jsonify(supervision.live_hall(request_principal(), centre, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/reports/services")
@documented(
    "Figures per local date and service (a supervisor).",
    answers={200: list[ServiceReportRow]},
    query=ReportQuery,
    auth=("user",),
    csv=True,
)
def services_report(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    query, days = _report_query()
    s = services()
    rows = reports.services_report(principal, centre, days, uow=s.uow, clock=s.clock)
    return _rows(
        rows, reports.SERVICE_COLUMNS, f"services-{centre}-{days[0]}-{days[1]}", query.format
    )


@bp.get("/centres/<centre>/reports/counters")
@documented(
    "Figures per counter and clerk (a supervisor).",
    answers={200: list[CounterReportRow]},
    query=ReportQuery,
    auth=("user",),
    csv=True,
)
def counters_report(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    query, days = _report_query()
    rows = reports.counters_report(principal, centre, days, uow=services().uow)
    return _rows(
        rows, reports.COUNTER_COLUMNS, f"counters-{centre}-{days[0]}-{days[1]}", query.format
    )


@bp.get("/reports/centres")
@documented(
    "Figures per centre and local date (an admin).",
    answers={200: list[CentreReportRow]},
    query=ReportQuery,
    auth=("user",),
    csv=True,
)
def centres_report() -> ResponseReturnValue:
    principal = request_principal()
    query, days = _report_query()
    s = services()
    rows = reports.centres_report(principal, days, uow=s.uow, clock=s.clock)
    return _rows(rows, reports.CENTRE_COLUMNS, f"centres-{days[0]}-{days[1]}", query.format)


def _report_query() -> tuple[ReportQuery, reports.Days]:
    """The report's query string, and its `from` and `to` as dates."""
    query = validate(ReportQuery, query_args())
    return query, reports.parse_days(query.first, query.last)


def _rows(rows: list[dict], columns: tuple[str, ...], name: str, kind: str) -> ResponseReturnValue:
    """The rows as JSON, or as CSV with `?format=csv` (the same rows, a header line first)."""
    if kind == "json":
        return jsonify(rows)
    response = Response(reports.as_csv(rows, columns), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
