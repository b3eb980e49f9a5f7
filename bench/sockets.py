"""Many Socket.IO clients, spread over a few worker processes (bench.swarm), seen as one."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from .server import ROOT


class SwarmProcess:
    """One `python -m bench.swarm` worker and its line protocol."""

    def __init__(self, spec: dict) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.swarm", json.dumps(spec)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def answer(self) -> dict:
        """The worker's next JSON line."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"bench.swarm exited with {self.process.wait()}")
        return json.loads(line)

    def send(self, command: dict) -> None:
        """Send one command (its answer comes with `answer`)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        """Ask it to disconnect and exit; kill it if it does not."""
        try:
            self.send({"cmd": "quit"})
            self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


class Swarm:
    """Clients of one kind over `workers` processes; every command goes to all of them."""

    def __init__(
        self, url: str, kind: str, clients: list[dict], workers: int, *, floor: bool = False
    ) -> None:
        """`floor`: clerks also connect to /bench, for the bare acknowledged event."""
        self.workers = [
            SwarmProcess({"url": url, "kind": kind, "clients": clients[i::workers], "floor": floor})
            for i in range(workers)
            if clients[i::workers]
        ]
        answers = [w.answer() for w in self.workers]
        self.connected = sum(a["connected"] for a in answers)
        self.failed = sum(a["failed"] for a in answers)
        self.failures = [f for a in answers for f in a["failures"]]

    def command(self, command: dict) -> list[dict]:
        """Send `command` to every worker at once; their answers."""
        return self.commands([command] * len(self.workers))

    def commands(self, commands: list[dict]) -> list[dict]:
        """Send each worker its command, all at once; their answers."""
        for worker, command in zip(self.workers, commands, strict=True):
            worker.send(command)
        return [worker.answer() for worker in self.workers]

    def close(self) -> None:
        """Close every worker."""
        for worker in self.workers:
            worker.close()


@contextmanager
def swarm(url: str, kind: str, clients: list[dict], workers: int) -> Iterator[Swarm]:
    """A connected swarm for the block, closed afterwards."""
    group = Swarm(url, kind, clients, workers)
    try:
        yield group
    finally:
        group.close()
