"""HTTP routes of Service by Appointment (thin: validate, call a use case, map errors)."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from ..bootstrap import services
from ..schemas import BookAppointmentRequest, CloseDayRequest, validate
from ..services import appointments
from . import bp
from .routes import idempotency_key, json_body, request_principal


def _address() -> str:
    """Whom failed look-ups are counted against."""
    return request.remote_addr or "unknown"


@bp.get("/centres/<centre>/services/<service>/slots")
def service_slots(centre: str, service: str) -> ResponseReturnValue:
    s = services()
    day = request.args.get("date", "")
    return jsonify(appointments.list_slots(centre, service, day, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/booking")
def booking(centre: str) -> ResponseReturnValue:
    return jsonify(appointments.booking_info(centre, uow=services().uow))


@bp.get("/centres/<centre>/services/<service>/days")
def service_days(centre: str, service: str) -> ResponseReturnValue:
    s = services()
    return jsonify(appointments.days_with_free_slots(centre, service, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/services/<service>/free-slots")
def free_slots(centre: str, service: str) -> ResponseReturnValue:
    s = services()
    after = appointments.parse_moment(request.args.get("after", ""))
    return jsonify(
        appointments.nearest_free_slots(centre, service, after, uow=s.uow, clock=s.clock)
    )


@bp.post("/centres/<centre>/appointments")
def book_appointment(centre: str) -> ResponseReturnValue:
    body = validate(BookAppointmentRequest, json_body())
    s = services()
    booked = appointments.book(
        centre,
        body.service,
        body.start,
        language=body.language,
        phone=body.phone,
        consent=body.consent,
        idempotency_key=idempotency_key(),
        uow=s.uow,
        clock=s.clock,
    )
    return jsonify(booked), 201


@bp.get("/centres/<centre>/appointments")
def centre_appointments(centre: str) -> ResponseReturnValue:
    s = services()
    day = request.args.get("date")
    return jsonify(
        appointments.appointments_of_day(request_principal(), centre, day, uow=s.uow, clock=s.clock)
    )


@bp.get("/appointments/<ref>")
def get_appointment(ref: str) -> ResponseReturnValue:
    s = services()
    return jsonify(appointments.get_appointment(ref, _address(), uow=s.uow, clock=s.clock))


@bp.post("/appointments/<ref>/cancel")
def cancel_appointment(ref: str) -> ResponseReturnValue:
    s = services()
    return jsonify(appointments.cancel(ref, _address(), uow=s.uow, clock=s.clock))


@bp.post("/centres/<centre>/appointments/<ref>/check-in")
def check_in(centre: str, ref: str) -> ResponseReturnValue:
    principal = request_principal()
    s = services()
    ticket, new = appointments.check_in(
        principal, centre, ref, base_url=s.settings.public_url or request.host_url, **s.deps()
    )
    return jsonify(ticket), 201 if new else 200


@bp.post("/centres/<centre>/services/<service>/closed-days")
def close_day(centre: str, service: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(CloseDayRequest, json_body())
    s = services()
    closed = appointments.close_day(
        principal, centre, service, body.date, body.reason, uow=s.uow, clock=s.clock
    )
    return jsonify(closed), 201
