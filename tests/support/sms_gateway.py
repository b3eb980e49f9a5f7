"""A stand-in SMS gateway on a loopback port that answers as Africa's Talking does.

It can be told to be down (nothing listens on its port), to answer HTTP 500 for a number of
requests, or to answer a recipient status code (403: an invalid number) for one number.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

USERNAME, API_KEY = "sandbox", "test-api-key-0123456789"
STATUS_TEXT = {101: "Success", 403: "InvalidPhoneNumber", 406: "UserInBlacklist"}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmsGateway:
    """Records every send; `up()` and `down()` start and stop it on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.requests: list[dict] = []  # every request that reached it, answered or not
        self.accepted: list[dict] = []  # the messages it accepted (status 101)
        self.fail_next = 0  # answer HTTP 500 to this many requests
        self.recipient_status: dict[str, int] = {}
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)

    @property
    def url(self) -> str:
        """The messaging endpoint, as QUEUE_SMS_URL."""
        return f"http://127.0.0.1:{self.port}/version1/messaging"

    def env(self) -> dict[str, str]:
        """The server's settings for this gateway."""
        return {
            "QUEUE_SMS_URL": self.url,
            "QUEUE_SMS_USERNAME": USERNAME,
            "QUEUE_SMS_API_KEY": API_KEY,
            "QUEUE_SMS_SENDER": "HUDUMA",
            "QUEUE_SMS_CALLBACK_KEY": "callback-key-0123456789",
        }

    def up(self) -> SmsGateway:
        """Listen (again) on its port."""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                form["apiKey"] = self.headers.get("apiKey", "")
                form["accept"] = self.headers.get("Accept", "")
                status, answer = gateway._answer(form)
                body = json.dumps(answer).encode() if answer is not None else b"Server Error"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def down(self) -> None:
        """Stop listening: sends are refused until `up()`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _answer(self, form: dict) -> tuple[int, dict | None]:
        """The HTTP status and JSON answer Africa's Talking would give."""
        with self.changed:
            self.requests.append(form)
            self.changed.notify_all()
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, None
            if form.get("username") != USERNAME or form["apiKey"] != API_KEY:
                return 401, {"error": "The supplied authentication is invalid"}
            code = self.recipient_status.get(form["to"], 101)
            recipient = {
                "statusCode": code,
                "number": form["to"],
                "status": STATUS_TEXT.get(code, "Failed"),
                "cost": "KES 0.8000" if code == 101 else "0",
                "messageId": f"ATXid_{uuid.uuid4().hex}" if code == 101 else "None",
            }
            if code == 101:
                self.accepted.append({**form, "messageId": recipient["messageId"]})
            message = f"Sent to {int(code == 101)}/1 Total Cost: {recipient['cost']}"
            return 201, {"SMSMessageData": {"Message": message, "Recipients": [recipient]}}

    def wait_for(self, predicate, timeout: float = 30) -> bool:  # type: ignore[no-untyped-def]
        """Wait until `predicate(self)` holds (checked whenever a request comes)."""
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout=timeout)
