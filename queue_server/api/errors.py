"""The one error mapping of the HTTP API: DomainError and HTTP errors → the contract's body."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from ..domain import errors as e

log = logging.getLogger(__name__)

STATUS = {
    e.Malformed: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.InvalidState: 409,
    e.InvalidValue: 422,
    e.TooLarge: 413,
    e.ConfigError: 422,
    e.TooManyAttempts: 429,
}

HTTP_CODES = {
    400: "malformed",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def error_response(status: int, code: str, message: str) -> ResponseReturnValue:
    """The contract's error body with `status`."""
    return jsonify({"error": {"code": code, "message": message}}), status


def status_of(error: e.DomainError) -> int:
    """The HTTP status of a domain error (by its kind)."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def register_error_handlers(app: Flask) -> None:
    """JSON errors for every failure, never a traceback, for API and pages alike."""

    @app.errorhandler(e.DomainError)
    def _domain(error: e.DomainError) -> ResponseReturnValue:
        return error_response(status_of(error), error.code, error.message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if not request.path.startswith("/api/"):
            return error
        code = HTTP_CODES.get(status, "http_error")
        return error_response(status, code, error.description or error.name)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on the server.")
