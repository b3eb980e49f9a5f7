"""HTTP routes of the SMS channel: the gateway's delivery reports, the outbox for supervisors."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..schemas import Payload, validate
from ..services import messages
from . import bp
from .routes import query_args, request_principal

DEFAULT_MESSAGES, MOST_MESSAGES = 50, 500


class MessagesQuery(Payload):
    limit: int = Field(default=DEFAULT_MESSAGES, ge=1, le=MOST_MESSAGES)


@bp.post("/sms/delivery-reports")
def sms_delivery_report() -> ResponseReturnValue:
    s = services()
    report = {k: v[:200] for k, v in request.form.items()}
    messages.record_delivery_report(
        request.args.get("key"), s.settings.sms_callback_key, report, uow=s.uow
    )
    return jsonify({"ok": True})


@bp.get("/centres/<centre>/messages")
def centre_messages(centre: str) -> ResponseReturnValue:
    query = validate(MessagesQuery, query_args())
    principal = request_principal()
    return jsonify(
        messages.centre_messages(principal, centre, limit=query.limit, uow=services().uow)
    )


@bp.post("/messages/<int:message_id>/retry")
def retry_message(message_id: int) -> ResponseReturnValue:
    s = services()
    return jsonify(messages.retry_sms(request_principal(), message_id, uow=s.uow, clock=s.clock))
