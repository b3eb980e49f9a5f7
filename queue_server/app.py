"""The application factory: settings, database, configuration, routes and namespaces."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from pydantic import ValidationError

import book
import common
import counter
import display
import documents
import feedback
import kiosk
import outreach
import supervisor
import track

from .adapters.central import fetch_site_configuration
from .adapters.database import starting_alone
from .adapters.message_queue import check_message_queue
from .api import bp as api_bp
from .api.converters import DatabaseInteger, DatabaseText
from .api.errors import register_error_handlers
from .api.floor import BENCH_NS, FloorNamespace
from .api.floor import bp as floor_bp
from .api.headers import register_security_headers
from .api.operations import bp as operations_bp
from .api.outreach import CONFIGURATION as OUTREACH_CONFIGURATION
from .api.outreach import SITE as OUTREACH_SITE
from .api.proxies import TrustedProxies, parse_networks
from .bootstrap import bootstrap, system_clock
from .centre_config import CentreConfig, load_centre_config, merge_configs
from .config import Settings, settings_from_env
from .extensions import socketio
from .metrics import time_events, time_requests
from .protocol import COUNTER_NS, DISPLAY_NS, PRINTER_NS, SUPERVISOR_NS, TICKET_NS
from .realtime.counter import CounterNamespace
from .realtime.display import DisplayNamespace
from .realtime.guard import TOKEN_GUARD, TokenGuard, limit_connections
from .realtime.printer import PrinterNamespace
from .realtime.supervisor import SupervisorNamespace
from .realtime.ticket import TicketNamespace
from .services.common import Clock
from .services.setup import apply_centre_config
from .services.sync import SyncFailed, site_centre

DEMO_CONFIG = Path(__file__).resolve().parent / "demo.toml"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> Flask:
    """Build the app: settings, database, centre configuration, routes and namespaces."""
    settings = settings or settings_from_env()
    if settings.message_queue:
        check_message_queue(settings.message_queue)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.url_map.converters["int"] = DatabaseInteger  # before any route is registered
    app.url_map.converters["default"] = DatabaseText
    app.json.sort_keys = False  # type: ignore[attr-defined]
    socketio.init_app(
        app,
        async_mode=settings.async_mode,
        message_queue=settings.message_queue,
        channel=settings.message_queue_channel,
        cors_allowed_origins=allowed_origins(settings),
        max_http_buffer_size=settings.max_request_bytes,
        logger=False,
        engineio_logger=False,
    )
    if settings.trusted_proxies:  # around Socket.IO too, so its limits see the client
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, parse_networks(settings.trusted_proxies)
        )
    paths = ([DEMO_CONFIG] if settings.demo else []) + (
        [Path(settings.config_file)] if settings.config_file else []
    )
    config = merge_configs([load_centre_config(p) for p in paths]) if paths else None
    app.extensions[OUTREACH_CONFIGURATION] = config
    with starting_alone(settings.database):  # processes started together take turns
        queue = bootstrap(settings, socketio, clock)
        if settings.site_token and settings.sync_to:  # a site starts from the central server's
            config = central_site_configuration(settings, queue.warnings) or config
        if config:  # one configuration: staff named in neither file lose their access
            apply_centre_config(config, uow=queue.uow)
    app.extensions["queue"] = queue
    if settings.site_token:  # an outreach site's own server: its changes go to its sync log
        site = site_centre(settings.site_token, uow=queue.uow)
        queue.uow.sync_log = frozenset({site.id})
        app.extensions[OUTREACH_SITE] = site.code
    app.register_blueprint(api_bp)
    app.register_blueprint(operations_bp)
    time_requests(app, queue.metrics)
    # The pages (each its own top-level package) and what they share.
    app.register_blueprint(common.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(display.bp)
    app.register_blueprint(counter.bp)
    app.register_blueprint(track.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(supervisor.bp)
    app.register_blueprint(book.bp)
    app.register_blueprint(outreach.bp)
    if settings.bench_floor:  # benchmarks only: the framework's floor, for comparison
        app.register_blueprint(floor_bp)
        socketio.on_namespace(FloorNamespace(BENCH_NS))
    register_error_handlers(app)
    register_security_headers(app, settings)
    socketio.on_namespace(CounterNamespace(COUNTER_NS))
    socketio.on_namespace(DisplayNamespace(DISPLAY_NS))
    socketio.on_namespace(PrinterNamespace(PRINTER_NS))
    socketio.on_namespace(SupervisorNamespace(SUPERVISOR_NS))
    socketio.on_namespace(TicketNamespace(TICKET_NS))
    # After every namespace is registered:
    time_events(socketio, queue.metrics)
    guard = TokenGuard(socketio, queue.auth, every_s=settings.access_check_s)
    guard.guard()
    app.extensions[TOKEN_GUARD] = guard  # its periodic check runs under `python -m queue_server`
    limit_connections(socketio, DISPLAY_NS, settings.display_connections_per_address)
    return app


def central_site_configuration(settings: Settings, warnings: list[str]) -> CentreConfig | None:
    """An outreach site's configuration from its central server; None (with a warning, so the
    file is used) when the central server cannot be reached or answers something invalid."""
    assert settings.sync_to and settings.site_token
    try:
        data = fetch_site_configuration(settings.sync_to, settings.site_token)
        return CentreConfig.model_validate(data)
    except (SyncFailed, ValidationError) as exc:
        warnings.append(f"the central server's configuration was not used ({exc}); the file is")
        return None


def allowed_origins(settings: Settings) -> list[str] | None:
    """Web origins allowed to open a Socket.IO connection.

    Set explicitly (QUEUE_CORS_ORIGINS, QUEUE_PUBLIC_URL) the list is used as given;
    otherwise only pages served by this server itself (its own origin) may connect.
    """
    origins = list(settings.cors_allowed_origins)
    if settings.public_url:
        origins.append(settings.public_url.rstrip("/"))
    return origins or None
