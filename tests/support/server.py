"""The real server, started as its own process on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 40


class ServerProcess:
    """`python -m queue_server` as a child process; the first start picks a free port.

    Later starts (restart after stop or kill -9) reuse the same port, so clients
    reconnect to the same URL.
    """

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        *,
        config: Path | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.config = config
        self.extra_args = extra_args
        self.env = env or {}
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.log_path = workdir / "server.log"

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The command line that starts the server."""
        args = [sys.executable, "-m", "queue_server", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--database", self.database_url]
        if self.config:
            args += ["--config", str(self.config)]
        return args + list(self.extra_args)

    def start(self) -> str:
        """Start and wait for `listening on http://…`; return the base URL."""
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "QUEUE_INSTANCE_PATH": str(self.workdir / "instance"),
            **self.env,
        }
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("listening on http://"):
                self.port = int(line.strip().rsplit(":", 1)[1])
                return self.url
            if time.monotonic() > deadline:
                break
        self.kill()
        raise RuntimeError(f"server did not start; log:\n{self.log_path.read_text()}")

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit status."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            self.process = None

    def kill(self) -> None:
        """kill -9: no chance to clean up, as in a power cut."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
