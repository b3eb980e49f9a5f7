"""The SMS gateway: Africa's Talking's messaging API, one recipient per request.

A send is a form POST (username, to, message, from) with the apiKey header; the answer names
each recipient's statusCode and messageId. Timeouts are short and explicit: 3 s to connect,
10 s for the answer; an unreachable gateway or a timeout is retried later by the worker.
"""

from __future__ import annotations

import http.client
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from ..domain.phone import mask_phone
from ..domain.sms import outcome
from ..services.messages import Sent

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
ANSWER_TIMEOUT_S = 10.0
RETRIED_HTTP = range(500, 600)


@dataclass(frozen=True)
class AfricasTalking:
    """Africa's Talking (or any gateway of its API shape) at `url`, as `username`."""

    url: str
    username: str
    api_key: str
    sender: str | None = None

    def send(self, phone: str, text: str) -> Sent:
        """Send `text` to one E.164 number; what the gateway said, as an outcome."""
        form = {"username": self.username, "to": phone, "message": text}
        if self.sender:
            form["from"] = self.sender
        try:
            status, body = self._post(urlencode(form))
        except (OSError, http.client.HTTPException) as exc:  # unreachable, refused, timed out
            return Sent("retry", error=f"gateway unreachable: {exc}"[:500])
        sent = _read_answer(status, body)
        log.info("sms to %s: %s %s", mask_phone(phone), sent.outcome, sent.error or "")
        return sent

    def _post(self, form: str) -> tuple[int, bytes]:
        """POST the form; the HTTP status and body."""
        parts = urlsplit(self.url)
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.hostname or "", parts.port, timeout=CONNECT_TIMEOUT_S)
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(ANSWER_TIMEOUT_S)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = {
                "apiKey": self.api_key,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            connection.request("POST", path or "/", body=form, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.read(64 * 1024)
        finally:
            connection.close()


def _read_answer(status: int, body: bytes) -> Sent:
    """The outcome of a send from the gateway's HTTP status and JSON answer."""
    if status in RETRIED_HTTP:
        return Sent("retry", error=f"gateway answered HTTP {status}")
    try:
        recipient = json.loads(body)["SMSMessageData"]["Recipients"][0]
        code = int(recipient["statusCode"])
    except (ValueError, KeyError, IndexError, TypeError):
        return Sent("failed", error=f"gateway answered HTTP {status}: {body[:200]!r}")
    meaning = outcome(code)
    if meaning == "sent":
        return Sent("sent", gateway_id=str(recipient.get("messageId")))
    return Sent(meaning, error=f"gateway status {code} {recipient.get('status', '')}".strip())
