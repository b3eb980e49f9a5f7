"""HTTP routes of the SMS channel: the gateway's delivery reports, the outbox for supervisors."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..schemas import Payload, validate
from ..services import messages
from . import bp
from .answers import Delivered, MessageView
from .openapi import documented
from .routes import query_args, request_principal

DEFAULT_MESSAGES, MOST_MESSAGES = 50, 500


class MessagesQuery(Payload):
    limit: int = Field(default=DEFAULT_MESSAGES, ge=1, le=MOST_MESSAGES)


class CallbackQuery(Payload):
    key: str | None = Field(default=None, description="QUEUE_SMS_CALLBACK_KEY")


class DeliveryReport(Payload):
    """The SMS gateway's delivery report (form fields; each kept to 200 characters)."""

    id: str | None = None
    status: str | None = None
    phoneNumber: str | None = None  # noqa: N815  (the gateway's names)
    networkCode: str | None = None  # noqa: N815
    failureReason: str | None = None  # noqa: N815


@bp.post("/sms/delivery-reports")
@documented(
    "The SMS gateway's delivery report.",
    answers={200: Delivered},
    query=CallbackQuery,
    body=DeliveryReport,
    form=True,
    body_required=False,
    errors=(403,),
)
def sms_delivery_report() -> ResponseReturnValue:
    s = services()
    key = validate(CallbackQuery, query_args()).key
    report = {k: v[:200] for k, v in request.form.items()}
    messages.record_delivery_report(key, s.settings.sms_callback_key, report, uow=s.uow)
    return jsonify({"ok": True})


@bp.get("/centres/<centre>/messages")
@documented(
    "A centre's SMS outbox, newest first (a supervisor).",
    answers={200: list[MessageView]},
    query=MessagesQuery,
    auth=("user",),
)
def centre_messages(centre: str) -> ResponseReturnValue:
    query = validate(MessagesQuery, query_args())
    principal = request_principal()
    return jsonify(
        messages.centre_messages(principal, centre, limit=query.limit, uow=services().uow)
    )


@bp.post("/messages/<int:message_id>/retry")
@documented(
    "Send a failed message again (a supervisor).",
    answers={200: MessageView},
    auth=("user",),
    errors=(409,),
)
def retry_message(message_id: int) -> ResponseReturnValue:
    s = services()
    return jsonify(messages.retry_sms(request_principal(), message_id, uow=s.uow, clock=s.clock))
