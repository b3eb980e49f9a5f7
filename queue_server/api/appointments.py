"""HTTP routes of Service by Appointment (thin: validate, call a use case, map errors)."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..schemas import BookAppointmentRequest, CloseDayRequest, Payload, validate
from ..services import appointments
from . import bp
from .answers import AppointmentView, BookingInfo, ClosedDay, FreeDay, Slot, Ticket
from .openapi import documented
from .routes import idempotency_key, json_body, query_args, request_principal

LOCAL_DATE = "A local date of the centre, YYYY-MM-DD."


class SlotsQuery(Payload):
    date: str = Field(default="", description=LOCAL_DATE)


class DayQuery(Payload):
    date: str | None = Field(default=None, description=LOCAL_DATE + " Default: today.")


class FreeSlotsQuery(Payload):
    after: str = Field(default="", description="An ISO 8601 time with its offset.")


def _address() -> str:
    """Whom failed look-ups are counted against."""
    return request.remote_addr or "unknown"


@bp.get("/centres/<centre>/services/<service>/slots")
@documented(
    "A service's slots of one day that have not begun.", answers={200: list[Slot]}, query=SlotsQuery
)
def service_slots(centre: str, service: str) -> ResponseReturnValue:
    s = services()
    day = validate(SlotsQuery, query_args()).date
    return jsonify(appointments.list_slots(centre, service, day, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/booking")
@documented("What the booking page needs of a centre.", answers={200: BookingInfo})
def booking(centre: str) -> ResponseReturnValue:
    return jsonify(appointments.booking_info(centre, uow=services().uow))


@bp.get("/centres/<centre>/services/<service>/days")
@documented("The days of the booking window with free places.", answers={200: list[FreeDay]})
def service_days(centre: str, service: str) -> ResponseReturnValue:
    s = services()
    return jsonify(appointments.days_with_free_slots(centre, service, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/services/<service>/free-slots")
@documented(
    "The first three free slots after a time.", answers={200: list[Slot]}, query=FreeSlotsQuery
)
def free_slots(centre: str, service: str) -> ResponseReturnValue:
    s = services()
    after = appointments.parse_moment(validate(FreeSlotsQuery, query_args()).after)
    return jsonify(
        appointments.nearest_free_slots(centre, service, after, uow=s.uow, clock=s.clock)
    )


@bp.post("/centres/<centre>/appointments")
@documented(
    "Book an appointment.",
    answers={201: AppointmentView},
    body=BookAppointmentRequest,
    errors=(409,),
    idempotency_key=True,
)
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
@documented(
    "A centre's appointments of one day (its staff).",
    answers={200: list[AppointmentView]},
    query=DayQuery,
    auth=("user",),
)
def centre_appointments(centre: str) -> ResponseReturnValue:
    s = services()
    day = validate(DayQuery, query_args()).date
    return jsonify(
        appointments.appointments_of_day(request_principal(), centre, day, uow=s.uow, clock=s.clock)
    )


@bp.get("/appointments/<ref>")
@documented("An appointment by its ref.", answers={200: AppointmentView}, errors=(429,))
def get_appointment(ref: str) -> ResponseReturnValue:
    s = services()
    return jsonify(appointments.get_appointment(ref, _address(), uow=s.uow, clock=s.clock))


@bp.post("/appointments/<ref>/cancel")
@documented("Cancel an appointment.", answers={200: AppointmentView}, errors=(409, 429))
def cancel_appointment(ref: str) -> ResponseReturnValue:
    s = services()
    return jsonify(appointments.cancel(ref, _address(), uow=s.uow, clock=s.clock))


@bp.post("/centres/<centre>/appointments/<ref>/check-in")
@documented(
    "Check in: a ticket for the appointment (201; 200 when checked in already).",
    answers={201: Ticket, 200: Ticket},
    auth=("device", "user"),
    errors=(409,),
)
def check_in(centre: str, ref: str) -> ResponseReturnValue:
    principal = request_principal()
    s = services()
    ticket, new = appointments.check_in(
        principal, centre, ref, base_url=s.settings.public_url or request.host_url, **s.deps()
    )
    return jsonify(ticket), 201 if new else 200


@bp.post("/centres/<centre>/services/<service>/closed-days")
@documented(
    "Close a service's bookings on a day (a supervisor).",
    answers={201: ClosedDay},
    body=CloseDayRequest,
    auth=("user",),
)
def close_day(centre: str, service: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(CloseDayRequest, json_body())
    s = services()
    closed = appointments.close_day(
        principal, centre, service, body.date, body.reason, uow=s.uow, clock=s.clock
    )
    return jsonify(closed), 201
