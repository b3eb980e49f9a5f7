"""HTTP routes of the contract."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from ..bootstrap import services
from ..domain.errors import InvalidValue, Malformed, Unauthorized
from ..domain.phone import consented_phone
from ..schemas import IssueTicketRequest, LoginRequest, validate
from ..services import counters, tickets
from ..services.common import Principal
from . import bp
from .answers import (
    CentreView,
    CounterQueue,
    CounterView,
    PublicTicket,
    ServiceView,
    SignedIn,
    Ticket,
)
from .openapi import documented

MAX_IDEMPOTENCY_KEY = 128


def json_body() -> object:
    """The request's JSON body, or Malformed."""
    data = request.get_json(silent=True)
    if data is None:
        raise Malformed("The body must be JSON (Content-Type: application/json).")
    return data


def optional_json_body() -> object:
    """The JSON body, or an empty object when none was sent."""
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    return [] if data is None else data  # not JSON: rejected as malformed by validate


def query_args() -> dict[str, object]:
    """The query string, with a numeric `limit` as a number (validated like every payload)."""
    args: dict[str, object] = dict(request.args.items())
    if "limit" in args:
        text = str(args["limit"])
        args["limit"] = int(text) if text.isdigit() else text
    return args


def idempotency_key() -> str | None:
    """The request's Idempotency-Key header, if any, or InvalidValue when it is unusable."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= MAX_IDEMPOTENCY_KEY and key.isprintable()):
        raise InvalidValue(
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters."
        )
    return key


def request_principal() -> Principal:
    """Who sent the request, from its bearer token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if header and scheme.lower() != "bearer":
        raise Unauthorized("Use 'Authorization: Bearer <token>'.", code="bad_credentials")
    return services().auth.principal(token.strip() or None)


@bp.post("/auth/login")
@documented(
    "Sign in: a token for a member of staff.",
    answers={200: SignedIn},
    body=LoginRequest,
    errors=(401, 429),
)
def login() -> ResponseReturnValue:
    body = validate(LoginRequest, json_body())
    s = services()
    return jsonify(
        s.auth.login(
            body.username,
            body.password,
            request.remote_addr or "unknown",
            allowed=s.settings.login_failures_allowed,
            window_s=s.settings.login_failure_window_s,
        )
    )


@bp.post("/auth/logout")
@documented(
    "Sign out: this token is refused from now on.",
    answers={204: None},
    auth=("user", "device", "site"),
)
def logout() -> ResponseReturnValue:
    header = request.headers.get("Authorization", "")
    request_principal()  # the same checks and errors as every route
    services().auth.logout(header.partition(" ")[2].strip())
    return "", 204


@bp.get("/centres")
@documented("Every centre.", answers={200: list[CentreView]})
def centres() -> ResponseReturnValue:
    return jsonify(tickets.list_centres(uow=services().uow))


@bp.get("/centres/<centre>/services")
@documented("A centre's services with their queues now.", answers={200: list[ServiceView]})
def centre_services(centre: str) -> ResponseReturnValue:
    s = services()
    return jsonify(tickets.list_services(centre, uow=s.uow, clock=s.clock))


@bp.get("/centres/<centre>/counters")
@documented(
    "A centre's counters (staff of the centre).",
    answers={200: list[CounterView]},
    auth=("user", "device"),
)
def centre_counters(centre: str) -> ResponseReturnValue:
    return jsonify(counters.list_counters(request_principal(), centre, uow=services().uow))


@bp.get("/centres/<centre>/counters/<int:number>/queues")
@documented(
    "The queues a counter calls from (staff of the centre).",
    answers={200: list[CounterQueue]},
    auth=("user", "device"),
)
def counter_queues(centre: str, number: int) -> ResponseReturnValue:
    s = services()
    ref = counters.CounterRef(centre, number)
    return jsonify(counters.counter_queues(request_principal(), ref, uow=s.uow, clock=s.clock))


@bp.post("/centres/<centre>/tickets")
@documented(
    "Issue a ticket (the centre's kiosk, or its staff).",
    answers={201: Ticket},
    body=IssueTicketRequest,
    auth=("device", "user"),
    errors=(409,),
    idempotency_key=True,
)
def issue_ticket(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(IssueTicketRequest, json_body())
    key = idempotency_key()
    s = services()
    ticket = tickets.issue_ticket(
        principal,
        centre,
        body.service,
        priority=body.priority,
        language=body.language,
        phone=consented_phone(body.phone, body.consent),
        idempotency_key=key,
        base_url=s.settings.public_url or request.host_url,
        **s.deps(),
    )
    s.metrics.tickets_issued.labels(centre).inc()
    return jsonify(ticket), 201


@bp.get("/tickets/<ticket_id>")
@documented(
    "A ticket as its holder sees it (public: the id is the secret).", answers={200: PublicTicket}
)
def get_ticket(ticket_id: str) -> ResponseReturnValue:
    return jsonify(tickets.get_ticket(ticket_id, uow=services().uow, clock=services().clock))
