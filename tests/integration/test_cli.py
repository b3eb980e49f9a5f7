"""The command line: clear failures with exit status 2, the demo, and a clean SIGTERM."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import requests

from tests.support.server import ROOT, ServerProcess

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*args: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "queue_server", "--port", "0", *args],
        cwd=ROOT,
        env={**ENV, "QUEUE_INSTANCE_PATH": str(tmp_path / "instance")},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bad_configuration_file_is_named_with_its_entry(tmp_path):
    bad = tmp_path / "centres.toml"
    bad.write_text('[[centre]]\ncode = "MSA"\nname = "Mombasa"\ntimezone = "Mars/Base"\n')
    result = run(
        "--config", str(bad), "--database", f"sqlite:///{tmp_path}/q.db", tmp_path=tmp_path
    )
    assert result.returncode == 2
    assert f"{bad}: centre[1].timezone: unknown time zone 'Mars/Base'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_configuration_file_is_named(tmp_path):
    result = run(
        "--config",
        str(tmp_path / "absent.toml"),
        "--database",
        f"sqlite:///{tmp_path}/q.db",
        tmp_path=tmp_path,
    )
    assert result.returncode == 2 and "absent.toml: cannot be read" in result.stderr


def test_an_unreachable_database_is_named(tmp_path):
    for url, expected in [
        ("postgresql://postgres@127.0.0.1:1/test", "cannot connect to postgresql"),
        ("nonsense", "'nonsense' is not a database URL"),
        ("mysql://root@127.0.0.1/test", "unsupported database 'mysql'"),
        (f"sqlite:///{tmp_path}/file.txt/sub/q.db", "cannot"),
    ]:
        if url.startswith("sqlite"):
            (tmp_path / "file.txt").write_text("a file, not a folder")
        result = run("--database", url, tmp_path=tmp_path)
        assert result.returncode == 2, result.stderr
        assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "queue_server",
                "--port",
                str(port),
                "--database",
                f"sqlite:///{tmp_path}/q.db",
            ],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2 and "error:" in result.stderr and "Traceback" not in result.stderr


def test_the_demo_prints_its_pages_and_sign_ins_and_sigterm_stops_cleanly(tmp_path):
    server = ServerProcess(f"sqlite:///{tmp_path}/demo.db", tmp_path, extra_args=("--demo",))
    server.start()
    try:
        centres = requests.get(f"{server.url}/api/v1/centres", timeout=5).json()
        assert centres == [
            {
                "code": "MSA",
                "name": "Huduma Centre Mombasa",
                "timezone": "Africa/Nairobi",
                "kind": "centre",
                "sponsor": None,
            }
        ]
        services = requests.get(f"{server.url}/api/v1/centres/MSA/services", timeout=5).json()
        assert len(services) >= 20
        login = requests.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "amina", "password": "huduma-demo"},
            timeout=5,
        )
        assert login.status_code == 200
    finally:
        assert server.stop() == 0
    log = server.log_path.read_text()
    assert "Traceback" not in log


def test_an_unreachable_message_queue_is_named(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "queue_server",
            "--port",
            "0",
            "--database",
            f"sqlite:///{tmp_path}/q.db",
        ],
        cwd=ROOT,
        env={**ENV, "QUEUE_MESSAGE_QUEUE": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot reach the message queue redis://127.0.0.1:1/0" in result.stderr
