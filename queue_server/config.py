"""Server settings from the environment (QUEUE_*) and the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know at start; one place, one meaning each."""

    host: str = "127.0.0.1"
    port: int = 5000
    database_url: str = ""
    config_file: str | None = None
    demo: bool = False
    message_queue: str | None = None
    message_queue_channel: str = "huduma-queue"
    instance_path: Path = DEFAULT_INSTANCE
    async_mode: str = "eventlet"
    token_max_age_s: int = 12 * 3600
    max_request_bytes: int = 64 * 1024
    max_connections: int = 5000  # eventlet's default of 1,024 is too few for a large hall
    # QUEUE_IDLE_TIMEOUT_S: an idle connection is closed after this long; above Socket.IO's
    # ping interval and timeout (25 s + 20 s), so only dead or idle HTTP keep-alives go.
    idle_timeout_s: float = 60.0
    cors_allowed_origins: list[str] = field(default_factory=list)
    login_failures_allowed: int = 5
    login_failure_window_s: int = 300
    public_url: str | None = None
    trusted_proxies: list[str] = field(default_factory=list)  # QUEUE_TRUSTED_PROXIES
    renders_per_minute: int = 60  # QUEUE_RENDERS_PER_MINUTE: new QR codes/announcements per address
    # QUEUE_DISPLAY_CONNECTIONS_PER_ADDRESS: open anonymous /display sockets per client address
    display_connections_per_address: int = 1500  # a whole hall behind one NAT, and the bench
    # QUEUE_ACCESS_CHECK_S: how often each process drops idle sockets whose access was withdrawn
    access_check_s: float = 2.0
    bench_floor: bool = False  # QUEUE_BENCH_FLOOR=1: serve /bench/floor, for benchmarks only
    time_scale: float = 1.0  # QUEUE_TIME_SCALE: the clock runs this much faster, for simulations
    # Huduma Mashinani: this server runs the outreach site whose `site` device has this token,
    # and sends its log to the central server at `sync_to`.
    site_token: str | None = None  # QUEUE_SITE_TOKEN, --site-token
    sync_to: str | None = None  # QUEUE_SYNC_TO, --sync-to
    sync_retry_max_s: float = 60.0  # QUEUE_SYNC_RETRY_MAX_S: the longest wait between tries
    sms_url: str | None = None  # QUEUE_SMS_URL: the gateway's messaging endpoint; unset: held
    sms_username: str = ""
    sms_api_key: str = ""
    sms_sender: str | None = None
    sms_callback_key: str | None = None  # QUEUE_SMS_CALLBACK_KEY: delivery reports' ?key=

    @property
    def database(self) -> str:
        """The database URL, defaulting to SQLite in the instance folder."""
        return self.database_url or f"sqlite:///{self.instance_path / 'queue.db'}"


def settings_from_env(env: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from QUEUE_* variables, then explicit overrides (command-line arguments)."""
    env = dict(os.environ) if env is None else env
    values: dict[str, object] = {}
    simple = {
        "QUEUE_HOST": "host",
        "QUEUE_DATABASE_URL": "database_url",
        "QUEUE_CONFIG": "config_file",
        "QUEUE_MESSAGE_QUEUE": "message_queue",
        "QUEUE_MESSAGE_QUEUE_CHANNEL": "message_queue_channel",
        "QUEUE_PUBLIC_URL": "public_url",
        "QUEUE_SITE_TOKEN": "site_token",
        "QUEUE_SYNC_TO": "sync_to",
        "QUEUE_SMS_URL": "sms_url",
        "QUEUE_SMS_USERNAME": "sms_username",
        "QUEUE_SMS_API_KEY": "sms_api_key",
        "QUEUE_SMS_SENDER": "sms_sender",
        "QUEUE_SMS_CALLBACK_KEY": "sms_callback_key",
    }
    for name, attr in simple.items():
        if env.get(name):
            values[attr] = env[name]
    if env.get("QUEUE_PORT"):
        values["port"] = _port(env["QUEUE_PORT"])
    if env.get("QUEUE_INSTANCE_PATH"):
        values["instance_path"] = Path(env["QUEUE_INSTANCE_PATH"])
    if env.get("QUEUE_CORS_ORIGINS"):
        values["cors_allowed_origins"] = env["QUEUE_CORS_ORIGINS"].split()
    if env.get("QUEUE_BENCH_FLOOR"):
        values["bench_floor"] = env["QUEUE_BENCH_FLOOR"] == "1"
    if env.get("QUEUE_DISPLAY_CONNECTIONS_PER_ADDRESS"):
        values["display_connections_per_address"] = int(
            env["QUEUE_DISPLAY_CONNECTIONS_PER_ADDRESS"]
        )
    if env.get("QUEUE_ACCESS_CHECK_S"):
        values["access_check_s"] = float(env["QUEUE_ACCESS_CHECK_S"])
    if env.get("QUEUE_RENDERS_PER_MINUTE"):
        values["renders_per_minute"] = int(env["QUEUE_RENDERS_PER_MINUTE"])
    if env.get("QUEUE_TRUSTED_PROXIES"):
        values["trusted_proxies"] = env["QUEUE_TRUSTED_PROXIES"].split()
    if env.get("QUEUE_IDLE_TIMEOUT_S"):
        values["idle_timeout_s"] = float(env["QUEUE_IDLE_TIMEOUT_S"])
    if env.get("QUEUE_TIME_SCALE"):
        values["time_scale"] = _time_scale(env["QUEUE_TIME_SCALE"])
    if env.get("QUEUE_SYNC_RETRY_MAX_S"):
        values["sync_retry_max_s"] = float(env["QUEUE_SYNC_RETRY_MAX_S"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return replace(Settings(), **values)  # type: ignore[arg-type]


def _port(text: str) -> int:
    """A TCP port number from text, or ValueError naming it."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return port


def _time_scale(text: str) -> float:
    """A positive clock speed-up from text (simulations only), or ValueError naming it."""
    scale = float(text)
    if not 0 < scale <= 20_000:
        raise ValueError(f"QUEUE_TIME_SCALE {text} must be above 0 and at most 20000")
    return scale
