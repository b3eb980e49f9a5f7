"""The real queue server as a child process (`python -m queue_server`, eventlet), and its memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.databases import postgres_schema as schema_url

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 60
POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


class BenchServer:
    """One server process on a free loopback port, started with the given settings."""

    def __init__(
        self, database_url: str, workdir: Path, config: Path, env: dict[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.config = config
        self.env = env or {}
        self.url = ""
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> str:
        """Start and wait for `listening on http://…`; the base URL."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "QUEUE_INSTANCE_PATH": str(self.workdir / "instance"),
            # every bench client comes from 127.0.0.1: the hall phase alone opens 2,000 displays
            "QUEUE_DISPLAY_CONNECTIONS_PER_ADDRESS": "10000",
            **self.env,
        }
        command = [sys.executable, "-m", "queue_server", "--host", "127.0.0.1", "--port", "0"]
        command += ["--database", self.database_url, "--config", str(self.config)]
        log = (self.workdir / "server.log").open("a")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        for line in self.process.stdout:
            if line.startswith("listening on http://"):
                self.url = line.split()[-1]
                return self.url
            if time.monotonic() > deadline:
                break
        self.stop()
        raise RuntimeError(f"the server did not start; see {self.workdir / 'server.log'}")

    def memory_kb(self, field: str = "VmHWM") -> int:
        """A memory figure of the server from /proc (VmHWM: its peak resident set), in kB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise RuntimeError(f"no {field} in /proc/{self.process.pid}/status")

    def cpu_s(self) -> float:
        """CPU seconds the server has used so far (user + system, from /proc/PID/stat)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """SIGTERM, then kill if it lingers."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextmanager
def running(server: BenchServer) -> Iterator[BenchServer]:
    """Start the server for the block and stop it afterwards, whatever happens."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def postgres_schema(base_url: str = POSTGRES_URL) -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema for one benchmark, dropped afterwards."""
    with schema_url(base_url, prefix="bench") as url:
        yield url
