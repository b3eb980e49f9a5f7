"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of the HTTP API, generated.

Paths and path parameters come from Flask's url_map; each route says what it takes and answers
with `@documented(...)`, naming the pydantic models that validate its body and query string
(queue_server/schemas.py and the route modules) and those of its answers (api/answers.py).
openapi-pydantic builds the document and turns the models into `#/components/schemas`.
Routes without `@documented` (the pages, static files, /metrics) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args, get_origin

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from openapi_pydantic import (
    Components,
    Info,
    MediaType,
    OpenAPI,
    Operation,
    Parameter,
    PathItem,
    RequestBody,
    Response,
    Schema,
    SecurityScheme,
)
from openapi_pydantic.util import PydanticSchema, construct_open_api_with_schema_class
from pydantic import BaseModel

from ..schemas import DB_INT_MAX
from . import bp
from .answers import ErrorBody, OpenAPIDocument
from .errors import HTTP_CODES

Scheme = Literal["user", "device", "site"]
Answered = type[BaseModel] | Any | None
"""What a route answers: a model, `list[Model]`, or None (no body)."""
F = TypeVar("F", bound=Callable[..., Any])

SECURITY_SCHEMES = {
    "user": SecurityScheme(
        type="http",
        scheme="bearer",
        description="A member of staff's token, from `POST /api/v1/auth/login` (12 hours).",
    ),
    "device": SecurityScheme(
        type="http",
        scheme="bearer",
        description="A device's token from the centre configuration (a kiosk, a display, a "
        "print agent, a feedback tablet).",
    ),
    "site": SecurityScheme(
        type="http",
        scheme="bearer",
        description="An outreach site's token (a device of kind `site`).",
    ),
}
ERROR_MEANINGS = {
    400: "The body is not JSON, or not a JSON object (`malformed`).",
    401: "No token, an unknown or expired token, or a wrong password.",
    403: "Valid credentials without the right to this.",
    404: "The named thing does not exist.",
    409: "The action does not fit the present state.",
    413: "The body is too large.",
    422: "A field has the wrong type or value; the message names it.",
    429: "Too many attempts; try again later.",
}
PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
KEY = "openapi_document"
"""The app's `extensions` key caching its document."""


@dataclass(frozen=True)
class RouteDoc:
    """What one route takes and answers, as its `@documented` says."""

    summary: str
    answers: Mapping[int, Answered]
    body: type[BaseModel] | None = None
    body_required: bool = True
    form: bool = False
    query: type[BaseModel] | None = None
    auth: tuple[Scheme, ...] = ()
    errors: tuple[int, ...] = ()
    idempotency_key: bool = False
    csv: bool = False


def documented(summary: str, **details: Any) -> Callable[[F], F]:
    """Mark a view with what it takes and answers (the fields of RouteDoc)."""

    def mark(view: F) -> F:
        view.openapi = RouteDoc(summary, **details)  # type: ignore[attr-defined]
        return view

    return mark


def openapi_document(app: Flask) -> dict[str, Any]:
    """The app's OpenAPI 3.1 document as JSON data (made once per app)."""
    if KEY not in app.extensions:
        app.extensions[KEY] = _build(app)
    document: dict[str, Any] = app.extensions[KEY]
    return document


@bp.get("/openapi.json")
@documented(
    "This document: the OpenAPI 3.1 description of the HTTP API.", answers={200: OpenAPIDocument}
)
def openapi_json() -> ResponseReturnValue:
    return jsonify(openapi_document(current_app))


def _build(app: Flask) -> dict[str, Any]:
    paths: dict[str, PathItem] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        doc: RouteDoc | None = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if doc is None:
            continue
        path, parameters = _path(rule.rule)
        item = paths.setdefault(path, PathItem())
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            setattr(item, method.lower(), _operation(rule.endpoint, doc, parameters))
    document = OpenAPI(
        openapi="3.1.0",
        info=Info(
            title="Huduma Centre queue server",
            version="1",
            description="The HTTP API under /api/v1 and the operations probes. Every error "
            'has the body {"error": {"code", "message"}}. See docs/API.md.',
        ),
        paths=paths,
        components=Components(securitySchemes=dict(SECURITY_SCHEMES)),
    )
    built = construct_open_api_with_schema_class(document)
    return built.model_dump(mode="json", by_alias=True, exclude_none=True)


def _path(rule: str) -> tuple[str, list[Parameter]]:
    """A Flask rule as an OpenAPI path, with its path parameters."""
    parameters = [
        _parameter(match["name"], "path", _path_schema(match["converter"]), required=True)
        for match in PATH_ARGUMENT.finditer(rule)
    ]
    return PATH_ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def _path_schema(converter: str | None) -> dict[str, Any]:
    """What api/converters.py lets through: a number a database integer holds, or one path
    segment without NUL."""
    if converter == "int":
        return {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
    return {"type": "string", "minLength": 1, "pattern": "^[^/\\x00]+$"}


def _parameter(
    name: str, where: str, schema: dict[str, Any], *, required: bool, description: str | None = None
) -> Parameter:
    return Parameter.model_validate(
        {
            "name": name,
            "in": where,
            "required": required,
            "description": description,
            "schema": Schema.model_validate(schema),
        }
    )


def _operation(endpoint: str, doc: RouteDoc, path_parameters: list[Parameter]) -> Operation:
    parameters = path_parameters + _query(doc.query) + _headers(doc)
    errors = set(doc.errors)
    if path_parameters:
        errors.add(404)
    if doc.body:
        errors |= {400, 413, 422}
    if doc.query:
        errors.add(422)
    if doc.auth:
        errors |= {401, 403}
    responses = {str(status): _answer(answer, doc.csv) for status, answer in doc.answers.items()}
    for status in sorted(errors):
        description = ERROR_MEANINGS.get(status, HTTP_CODES.get(status, "An error."))
        responses[str(status)] = _response(description, {"application/json": _model(ErrorBody)})
    return Operation.model_validate(
        {
            "operationId": endpoint,
            "summary": doc.summary,
            "parameters": parameters or None,
            "requestBody": _request_body(doc),
            "responses": responses,
            "security": [{scheme: []} for scheme in doc.auth],
        }
    )


def _response(description: str, content: dict[str, Schema] | None = None) -> Response:
    media = {kind: MediaType.model_validate({"schema": s}) for kind, s in (content or {}).items()}
    return Response.model_validate({"description": description, "content": media or None})


def _answer(answer: Answered, csv: bool) -> Response:
    if answer is None:
        return _response("No body.")
    model = _answer_model(answer)
    many = get_origin(answer) is list
    content = {
        "application/json": Schema.model_validate({"type": "array", "items": _model(model)})
        if many
        else _model(model)
    }
    if csv:
        content["text/csv"] = Schema.model_validate({"type": "string"})
    lines = (model.__doc__ or "").strip().splitlines()
    described = lines[0] if lines else model.__name__
    return _response(f"A list: {described}" if many else described, content)


def _answer_model(answer: Answered) -> type[BaseModel]:
    """The model of an answer (of its items, for `list[Model]`)."""
    model = get_args(answer)[0] if get_origin(answer) is list else answer
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"an answer is a pydantic model or a list of one, not {answer!r}")
    return model


def _model(model: type[BaseModel]) -> Schema:
    """A reference to the model's schema, which construct_open_api_with_schema_class adds."""
    return PydanticSchema.model_validate({"schema_class": model})


def _request_body(doc: RouteDoc) -> RequestBody | None:
    if doc.body is None:
        return None
    kind = "application/x-www-form-urlencoded" if doc.form else "application/json"
    return RequestBody.model_validate(
        {
            "required": doc.body_required,
            "content": {kind: MediaType.model_validate({"schema": _model(doc.body)})},
        }
    )


def _query(model: type[BaseModel] | None) -> list[Parameter]:
    """One query parameter per field of the model that validates the query string."""
    if model is None:
        return []
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", ()))
    return [
        _parameter(
            name,
            "query",
            {k: v for k, v in prop.items() if k != "title"},
            required=name in required,
            description=prop.get("description"),
        )
        for name, prop in schema["properties"].items()
    ]


def _headers(doc: RouteDoc) -> list[Parameter]:
    if not doc.idempotency_key:
        return []
    return [
        _parameter(
            "Idempotency-Key",
            "header",
            {"type": "string", "minLength": 1, "maxLength": 128},
            required=False,
            description="The same key answers the same result, never a second one.",
        )
    ]
