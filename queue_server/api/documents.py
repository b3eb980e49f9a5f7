"""HTTP routes of Track my Service (thin: validate, call a use case, map errors)."""

from __future__ import annotations

from typing import Literal

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import Field

from ..bootstrap import services
from ..schemas import (
    CollectDocumentRequest,
    DocumentStatusRequest,
    LodgeDocumentRequest,
    Payload,
    ReadyBatchRequest,
    validate,
)
from ..services import documents
from . import bp
from .answers import DocumentView, PublicDocument, ReadyBatch, Ticket
from .openapi import documented
from .routes import json_body, optional_json_body, query_args, request_principal

DEFAULT_DOCUMENTS, MOST_DOCUMENTS = 100, 500


class DocumentsQuery(Payload):
    status: Literal["lodged", "in_process", "ready", "collected", "returned"] | None = None
    limit: int = Field(default=DEFAULT_DOCUMENTS, ge=1, le=MOST_DOCUMENTS)


class LookUpQuery(Payload):
    phone: str = Field(default="", max_length=16, description="The last digits of the phone.")


@bp.post("/centres/<centre>/documents")
@documented(
    "Lodge a document (staff of the centre).",
    answers={201: DocumentView},
    body=LodgeDocumentRequest,
    auth=("user",),
)
def lodge_document(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(LodgeDocumentRequest, json_body())
    s = services()
    document = documents.lodge_document(
        principal,
        centre,
        body.service,
        phone=body.phone,
        consent=body.consent,
        language=body.language,
        uow=s.uow,
        clock=s.clock,
    )
    return jsonify(document), 201


@bp.get("/centres/<centre>/documents")
@documented(
    "A centre's documents, most recently changed first (staff).",
    answers={200: list[DocumentView]},
    query=DocumentsQuery,
    auth=("user",),
)
def centre_documents(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    query = validate(DocumentsQuery, query_args())
    return jsonify(
        documents.list_documents(
            principal, centre, status=query.status, limit=query.limit, uow=services().uow
        )
    )


@bp.post("/documents/<ref>/status")
@documented(
    "Move a document on (staff of its centre).",
    answers={200: DocumentView},
    body=DocumentStatusRequest,
    auth=("user",),
    errors=(409,),
)
def document_status(ref: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(DocumentStatusRequest, json_body())
    s = services()
    return jsonify(documents.set_status(principal, ref, body.status, uow=s.uow, clock=s.clock))


@bp.post("/centres/<centre>/documents/ready")
@documented(
    "Mark a box of documents ready (staff).",
    answers={200: ReadyBatch},
    body=ReadyBatchRequest,
    auth=("user",),
)
def documents_ready(centre: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(ReadyBatchRequest, json_body())
    s = services()
    return jsonify(
        documents.mark_batch_ready(principal, centre, body.refs, uow=s.uow, clock=s.clock)
    )


@bp.get("/documents/<ref>")
@documented(
    "Where a document is (public, with the phone's last digits).",
    answers={200: PublicDocument},
    query=LookUpQuery,
    errors=(429,),
)
def look_up_document(ref: str) -> ResponseReturnValue:
    query = validate(LookUpQuery, query_args())
    s = services()
    address = request.remote_addr or "unknown"
    return jsonify(documents.look_up(ref, query.phone, address, uow=s.uow, clock=s.clock))


@bp.post("/centres/<centre>/documents/<ref>/collect")
@documented(
    "A ticket to collect a ready document (the kiosk or staff).",
    answers={201: Ticket},
    body=CollectDocumentRequest,
    body_required=False,
    auth=("device", "user"),
    errors=(409,),
)
def collect_document(centre: str, ref: str) -> ResponseReturnValue:
    principal = request_principal()
    body = validate(CollectDocumentRequest, optional_json_body())
    s = services()
    ticket = documents.collect(
        principal,
        centre,
        ref,
        language=body.language,
        base_url=s.settings.public_url or request.host_url,
        **s.deps(),
    )
    return jsonify(ticket), 201
