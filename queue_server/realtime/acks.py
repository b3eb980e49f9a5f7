"""Socket.IO's one error mapping: handlers answer {ok: true, ...} or {ok: false, error}."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask_socketio import ConnectionRefusedError

from ..domain.errors import DomainError

log = logging.getLogger(__name__)


def acknowledged(handler: Callable[..., dict]) -> Callable[..., dict]:
    """Wrap a handler so its result, or its error, becomes the contract's acknowledgement."""

    @functools.wraps(handler)
    def wrapper(*args: object) -> dict:
        try:
            return {"ok": True, **handler(*args)}
        except DomainError as error:
            return failed(error)
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            return {
                "ok": False,
                "error": {
                    "code": "internal_error",
                    "message": "Something went wrong on the server.",
                },
            }

    return wrapper


def refusal(error: DomainError) -> dict[str, str]:
    """The contract's `{code, message}` of an error, as refusals and failed acks carry it."""
    return {"code": error.code, "message": error.message}


def failed(error: DomainError) -> dict:
    """The acknowledgement of an event refused with `error`."""
    return {"ok": False, "error": refusal(error)}


def refused(code: str, message: str) -> ConnectionRefusedError:
    """A refused connection whose `{code, message}` the client receives as the error's `data`.

    Given one argument, python-socketio sends only its text (as `message`); given two, the
    second arrives as `data`, which the pages read (`liveConnection`'s `onRefused`).
    """
    return ConnectionRefusedError(message, {"code": code, "message": message})
