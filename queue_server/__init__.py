"""The queue server: create_app builds it; `python -m queue_server` serves it.

Nothing is imported here at module level, so that `python -m queue_server` can patch the
standard library for eventlet before Flask, SQLAlchemy or anything else is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(*args: Any, **kwargs: Any) -> Flask:
    """Build the app (see queue_server.app.create_app)."""
    from .app import create_app as build

    return build(*args, **kwargs)
