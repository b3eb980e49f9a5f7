"""HTTP routes of ticket printing: a device's own printer, print jobs, reprints and retries."""

from __future__ import annotations

from typing import Literal

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..schemas import Payload, validate
from ..services.printing import staff
from . import bp
from .answers import DeviceView, PrintJob
from .openapi import documented
from .routes import optional_json_body, query_args, request_principal

DEFAULT_JOBS, MOST_JOBS = 50, 200


class PrintJobsQuery(Payload):
    state: Literal["pending", "printing", "printed", "failed", "expired"] | None = None
    limit: int = Field(default=DEFAULT_JOBS, ge=1, le=MOST_JOBS)


class ReprintRequest(Payload):
    kiosk: str | None = Field(default=None, min_length=1, max_length=64)


@bp.get("/devices/me")
@documented(
    "The device a token belongs to, with its printer.",
    answers={200: DeviceView},
    auth=("device", "site"),
    errors=(404,),
)
def device_me() -> ResponseReturnValue:
    return jsonify(staff.device_me(request_principal(), uow=services().uow))


@bp.get("/centres/<centre>/print-jobs")
@documented(
    "A centre's print jobs, newest first (a supervisor; a kiosk its own).",
    answers={200: list[PrintJob]},
    query=PrintJobsQuery,
    auth=("user", "device"),
)
def centre_print_jobs(centre: str) -> ResponseReturnValue:
    query = validate(PrintJobsQuery, query_args())
    return jsonify(
        staff.list_print_jobs(
            request_principal(), centre, state=query.state, limit=query.limit, uow=services().uow
        )
    )


@bp.get("/print-jobs/<int:job_id>")
@documented("One print job.", answers={200: PrintJob}, auth=("user", "device"))
def print_job(job_id: int) -> ResponseReturnValue:
    return jsonify(staff.get_print_job(request_principal(), job_id, uow=services().uow))


@bp.post("/print-jobs/<int:job_id>/retry")
@documented(
    "Try a failed or expired print job again (a supervisor).",
    answers={200: PrintJob},
    auth=("user",),
    errors=(409,),
)
def retry_print_job(job_id: int) -> ResponseReturnValue:
    principal = request_principal()
    return jsonify(staff.retry_print_job(principal, job_id, **services().deps()))


@bp.post("/tickets/<ticket_id>/reprint")
@documented(
    "Print a ticket again (a supervisor).",
    answers={201: PrintJob},
    body=ReprintRequest,
    body_required=False,
    auth=("user",),
    errors=(409,),
)
def reprint_ticket(ticket_id: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(ReprintRequest, optional_json_body())
    s = services()
    job = staff.reprint_ticket(
        principal,
        ticket_id,
        kiosk=body.kiosk,
        base_url=s.settings.public_url or request.host_url,
        **s.deps(),
    )
    return jsonify(job), 201
