"""The HTTP API under /api/v1 (thin: validate, call a use case, map errors)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (registers the routes and handlers)
    appointments,
    documents,
    errors,
    messages,
    openapi,
    outreach,
    printing,
    routes,
    supervision,
)
