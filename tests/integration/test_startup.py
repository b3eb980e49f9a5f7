"""Start-up: several processes at once on an empty database; a port held by another copy."""

from __future__ import annotations

import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.support.server import ROOT, ServerProcess

PROCESSES = 4


def test_processes_starting_at_once_on_an_empty_database_all_serve(
    db_url: str, config_file: Path, tmp_path: Path
):
    servers = []
    for i in range(PROCESSES):
        folder = tmp_path / f"p{i}"
        folder.mkdir()
        servers.append(ServerProcess(db_url, folder, config=config_file, extra_args=("--demo",)))
    try:
        with ThreadPoolExecutor(PROCESSES) as pool:
            urls = list(pool.map(ServerProcess.start, servers))
        for url in urls:
            centres = requests.get(f"{url}/api/v1/centres", timeout=10).json()
            assert {"MSA", "TST"} <= {c["code"] for c in centres}
    finally:
        for server in servers:
            server.kill()


def test_a_port_held_by_a_running_copy_is_one_clear_line_and_status_2(tmp_path: Path):
    first = ServerProcess(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    first.start()
    try:
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "queue_server",
                "--port",
                str(first.port),
                "--database",
                f"sqlite:///{tmp_path / 'b.db'}",
            ],
            cwd=ROOT,
            env={
                "PYTHONPATH": str(ROOT),
                "QUEUE_INSTANCE_PATH": str(tmp_path / "i2"),
                "PATH": "/usr/bin:/bin",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        lines = [line for line in second.stderr.splitlines() if line.strip()]
        assert lines == [f"error: cannot listen on 127.0.0.1:{first.port}: Address already in use"]
        assert requests.get(f"{first.url}/healthz", timeout=10).status_code == 200
    finally:
        first.kill()


def test_an_idle_keep_alive_connection_is_closed(tmp_path: Path):
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'q.db'}", tmp_path, env={"QUEUE_IDLE_TIMEOUT_S": "1"}
    )
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
            received = b""
            while True:  # the answer, then the close once the connection sat idle
                chunk = client.recv(4096)
                if not chunk:
                    break
                received += chunk
        assert received.startswith(b"HTTP/1.1 200")
    finally:
        server.kill()
