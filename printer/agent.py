"""The print agent: prints a kiosk's tickets on a printer attached to the kiosk PC.

    python -m printer.agent --server http://SERVER:5000 --token KIOSK_TOKEN --printer usb://04b8:0e15

It connects to the queue server's /printer namespace with the kiosk's own token (or with a
printer-agent device token and --kiosk NAME), receives the kiosk's print jobs, prints them in
order and acknowledges each. After a reconnect the server sends every job still to print, so
none is missed; a job printed but not yet acknowledged is acknowledged again, never reprinted.
The kiosk's printer in the centre configuration must be "agent". If the server withdraws the
token's access (the device left out of the configuration), the agent stops, exit status 1.
"""

from __future__ import annotations

import argparse
import base64
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import socketio

from printer.backends import AgentPrinter, NoPrinter, parse_printer_url
from printer.errors import PrinterError
from printer.jobs import STATUS_TIMEOUT_S, Delivery, deliver
from queue_server.protocol import ACCESS_REVOKED, JOB_FAILED, JOB_PRINTED, PRINT_JOB, PRINTER_NS

log = logging.getLogger("printer.agent")

ACK_TIMEOUT_S = 10.0
ACK_RETRY_S = 1.0  # an acknowledgement that did not get through is sent again this soon
EXIT_BAD_START = 2


class AgentRefused(Exception):
    """The server refused the agent (bad token, or the kiosk does not print through an agent)."""


@dataclass
class _Job:
    """A job the agent holds: its bytes, when to try it next, and whether it printed."""

    data: bytes
    due: float = 0.0
    printed: Delivery | None = None  # how it printed, kept to acknowledge it again if need be


class PrintAgent:
    """Holds its kiosk's jobs, prints the oldest due one, acknowledges it, and so on."""

    def __init__(
        self,
        server: str,
        token: str,
        printer: str,
        *,
        kiosk: str | None = None,
        status_timeout_s: float = STATUS_TIMEOUT_S,
    ) -> None:
        # A wrong URL stops the agent at once, not at the first job.
        if isinstance(parse_printer_url(printer), NoPrinter | AgentPrinter):
            raise PrinterError(f"--printer {printer!r} is not a printer", kind="config")
        self.server = server
        self.auth = {"token": token, **({"kiosk": kiosk} if kiosk else {})}
        self.printer = printer
        self.status_timeout_s = status_timeout_s
        self.sio = socketio.Client(reconnection_delay=1, reconnection_delay_max=5)
        self.sio.on(PRINT_JOB, self._received, namespace=PRINTER_NS)
        self.sio.on("connect_error", self._refused, namespace=PRINTER_NS)
        self.sio.on(ACCESS_REVOKED, self._revoked, namespace=PRINTER_NS)
        self._jobs: dict[int, _Job] = {}
        # Jobs printed here, never printed twice even if the server sends them again.
        self._printed: dict[int, Delivery] = {}
        self._changed = threading.Condition()
        self._stopping = False
        self._refusal: object = None
        self.revoked: object = None  # why the server withdrew the agent's access, if it did

    def connect(self) -> None:
        """Connect to the server, retrying while it cannot be reached; AgentRefused if refused."""
        try:
            self.sio.connect(
                self.server, auth=self.auth, namespaces=[PRINTER_NS], retry=True, wait_timeout=5
            )
        except socketio.exceptions.ConnectionError as error:
            raise AgentRefused(str(self._refusal or error)) from None

    def run(self) -> None:
        """Print jobs as they come until stop() is called."""
        while (job_id := self._next_due()) is not None:
            self._work_on(job_id)

    def stop(self) -> None:
        """Make run() return once the job at hand is done."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def _received(self, data: object) -> None:
        """A print_job event: keep the job unless it is already held."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), int):
            log.warning("ignoring a malformed print job: %r", data)
            return
        job_id = data["id"]
        with self._changed:
            if job_id not in self._jobs:
                data_b64 = data.get("data")
                job = _Job(base64.b64decode(data_b64 if isinstance(data_b64, str) else ""))
                job.printed = self._printed.get(job_id)
                self._jobs[job_id] = job
                self._changed.notify_all()

    def _refused(self, data: object = None) -> None:
        """Keep the server's reason for refusing the connection."""
        self._refusal = data
        log.warning("the server refused the print agent: %s", data)

    def _revoked(self, data: object = None) -> None:
        """The server withdrew this token's access and drops the connection: stop printing."""
        self.revoked = data
        log.error("the server withdrew the print agent's access: %s", data)
        self.stop()

    def _next_due(self) -> int | None:
        """Wait for the oldest held job to be due; None when stopping."""
        with self._changed:
            while not self._stopping:
                if self._jobs:
                    job_id = min(self._jobs)
                    wait = self._jobs[job_id].due - time.monotonic()
                    if wait <= 0:
                        return job_id
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
            return None

    def _work_on(self, job_id: int) -> None:
        """Print a job (unless it already printed) and acknowledge it."""
        with self._changed:
            job = self._jobs[job_id]
        delivery = job.printed or deliver(self.printer, job.data, timeout_s=self.status_timeout_s)
        if delivery.printed:
            with self._changed:
                job.printed = self._printed[job_id] = delivery
        answer = self._acknowledge(job_id, delivery)
        with self._changed:
            if answer is None:  # not delivered: try the acknowledgement (or the job) again soon
                job.due = time.monotonic() + ACK_RETRY_S
            elif answer.get("retry_in_s") is not None and not job.printed:
                job.due = time.monotonic() + float(answer["retry_in_s"])
            else:  # printed, given up, or no longer this kiosk's: done either way
                del self._jobs[job_id]

    def _acknowledge(self, job_id: int, delivery: Delivery) -> dict[str, Any] | None:
        """Report a job to the server; its answer, or None if it could not be told."""
        printer = {
            "state": delivery.state,
            "online": delivery.status.online,
            "paper": delivery.status.paper,
            "cover_open": delivery.status.cover_open,
        }
        if delivery.printed:
            event, payload = JOB_PRINTED, {"id": job_id, "printer": printer}
        else:
            error = delivery.error or "the printer could not print"
            payload = {"id": job_id, "error": error[:500], "permanent": delivery.permanent}
            event, payload = JOB_FAILED, {**payload, "printer": printer}
        try:
            answer = self.sio.call(event, payload, namespace=PRINTER_NS, timeout=ACK_TIMEOUT_S)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return None
        if not isinstance(answer, dict):
            return None
        if not answer.get("ok"):
            log.warning("the server did not take the report on job %s: %s", job_id, answer)
            return {}
        log.info("job %s: %s", job_id, answer["job"]["state"])
        return answer


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The agent's command line."""
    parser = argparse.ArgumentParser(prog="python -m printer.agent", description=__doc__)
    parser.add_argument("--server", required=True, help="queue server URL, e.g. http://HOST:5000")
    parser.add_argument("--token", required=True, help="the kiosk's (or a printer-agent's) token")
    parser.add_argument("--printer", required=True, help="usb://VID:PID, serial:///dev/…, …")
    parser.add_argument("--kiosk", help="the kiosk's name (with a printer-agent token)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the agent until SIGTERM or Ctrl-C; exit status 2 if it cannot start."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        agent = PrintAgent(args.server, args.token, args.printer, kiosk=args.kiosk)
        agent.connect()
    except (PrinterError, AgentRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_START
    signal.signal(signal.SIGTERM, lambda signum, frame: agent.stop())
    signal.signal(signal.SIGINT, lambda signum, frame: agent.stop())
    print(f"printing for {args.server} on {args.printer}", flush=True)
    agent.run()
    agent.sio.disconnect()
    if agent.revoked is not None:
        print(f"error: the server withdrew this token's access: {agent.revoked}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
