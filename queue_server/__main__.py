"""`python -m queue_server`: serve HTTP and Socket.IO with eventlet."""

import warnings

with warnings.catch_warnings():
    # eventlet is deprecated upstream and says so on import (docs/ARCHITECTURE.md, stack facts).
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()  # first, before anything else is imported

import argparse  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

from eventlet import wsgi  # noqa: E402
from eventlet.support.psycopg2_patcher import make_psycopg_green  # noqa: E402

from .adapters.central import HttpCentralServer  # noqa: E402
from .adapters.database import DatabaseUnavailable  # noqa: E402
from .adapters.message_queue import MessageQueueUnavailable  # noqa: E402
from .adapters.print_worker import PrintWorker, WakingNotifier  # noqa: E402
from .adapters.sms import AfricasTalking  # noqa: E402
from .adapters.sms_worker import SmsWorker  # noqa: E402
from .adapters.sync_worker import SyncWorker  # noqa: E402
from .api.outreach import SITE as OUTREACH_SITE  # noqa: E402
from .app import DEMO_CONFIG, create_app  # noqa: E402
from .bootstrap import QueueServices  # noqa: E402
from .config import Settings, settings_from_env  # noqa: E402
from .domain.errors import ConfigError  # noqa: E402
from .extensions import socketio  # noqa: E402
from .nodelay import NoDelayListener  # noqa: E402
from .realtime.guard import TOKEN_GUARD  # noqa: E402
from .services.appointments import mark_no_shows  # noqa: E402
from .services.days import seconds_to_next_day, start_new_days  # noqa: E402
from .services.documents import return_uncollected  # noqa: E402
from .services.feedback import invite_feedback  # noqa: E402
from .services.reports import store_yesterdays  # noqa: E402
from .services.tickets import close_past_days, list_centres  # noqa: E402

SWEEP_EVERY_S = 30
PAST_MIDNIGHT_S = 0.05  # how long after local midnight the sweep wakes for it
LISTEN_BACKLOG = 1024
"""Connections the kernel queues before they are accepted. eventlet's default of 50 made a
rush of 200 phones booking at once (bench.appointments) lose connections to resets and wait
seconds for SYN retries."""
PROJECT_EVERY_S = 5  # how soon a screen that missed an emit is made right again
FOLLOW_EVERY_S = 1.0  # how soon a phone hears of a change made by another process
EXIT_BAD_START = 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of the contract."""
    parser = argparse.ArgumentParser(prog="python -m queue_server", description=__doc__)
    parser.add_argument("--config", metavar="FILE", help="centre configuration (TOML) to load")
    parser.add_argument("--demo", action="store_true", help="seed a demo Huduma centre")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 5000; 0 picks one)")
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    parser.add_argument(
        "--site-token", metavar="TOKEN", help="run the outreach site whose site device this is"
    )
    parser.add_argument(
        "--sync-to", metavar="URL", help="the central server an outreach site sends its log to"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the server; exit status 2 with a clear message when it cannot start."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sync"]:
        return sync_command(argv[1:])
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    make_psycopg_green()
    try:
        settings = settings_from_env(
            host=args.host,
            port=args.port,
            database_url=args.database,
            config_file=args.config,
            demo=args.demo or None,
            site_token=args.site_token,
            sync_to=args.sync_to,
        )
        app = create_app(settings)
        listener = NoDelayListener(listen(settings.host, settings.port))
    except (ConfigError, DatabaseUnavailable, MessageQueueUnavailable, ValueError, OSError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return EXIT_BAD_START
    queue: QueueServices = app.extensions["queue"]
    for warning in queue.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    host, port = listener.getsockname()[:2]
    public_url = settings.public_url or f"http://{host}:{port}"
    socketio.start_background_task(_sweep_forever, queue, public_url)
    socketio.start_background_task(_project_forever, queue)
    socketio.start_background_task(_follow_forever, queue)
    socketio.start_background_task(app.extensions[TOKEN_GUARD].run_forever)
    worker = PrintWorker(queue.uow, queue.clock)
    queue.notifier = WakingNotifier(queue.notifier, worker)  # a stored job is printed at once
    socketio.start_background_task(worker.run_forever)
    site = app.extensions.get(OUTREACH_SITE)
    if site and settings.sync_to and settings.site_token:
        central = HttpCentralServer(settings.sync_to, settings.site_token)
        uploader = SyncWorker(
            site, central, queue.uow, queue.clock, retry_max_s=settings.sync_retry_max_s
        )
        socketio.start_background_task(uploader.run_forever)
    socketio.start_background_task(
        SmsWorker(queue.uow, queue.clock, _sms_gateway(settings)).run_forever
    )
    if settings.demo:
        print_demo(settings.host, port)
    signal.signal(signal.SIGTERM, _stop)
    _settle_memory()
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        wsgi.server(
            listener,
            app,
            log_output=False,
            debug=False,
            max_size=settings.max_connections,
            socket_timeout=settings.idle_timeout_s,
        )
    finally:
        queue.uow.engine.dispose()
    return 0


def listen(host: str, port: int) -> socket.socket:
    """The listening socket; a port already taken is one clear error (OSError), even by a copy.

    eventlet sets SO_REUSEPORT by default, which let a second copy of this server share the
    port: the kernel split connections between the two and every Socket.IO session failed.
    """
    try:
        return eventlet.listen((host, port), reuse_port=False, backlog=LISTEN_BACKLOG)
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def sync_command(argv: list[str]) -> int:
    """`sync export --out FILE` at a site; `sync import FILE` at the central server."""
    from .sync_files import run_sync_command

    return run_sync_command(argv)


def _sms_gateway(settings: Settings) -> AfricasTalking | None:
    """The SMS gateway the settings name, or None: messages are then kept as held."""
    if not settings.sms_url:
        return None
    return AfricasTalking(
        settings.sms_url, settings.sms_username, settings.sms_api_key, settings.sms_sender
    )


def _stop(signum: int, frame: object) -> None:
    """SIGTERM: leave the accept loop; wsgi.server closes its socket and returns."""
    raise SystemExit(0)


def _settle_memory() -> None:
    """Keep what start-up made (modules, mappers, the app) out of every later collection.

    A full collection walks every object, and with a thousand sockets open it held the hub
    for over 100 ms (a clerk's call waited that long); the objects made at start-up live as
    long as the process, so the collector need not walk them again (measured in `python -m
    bench`: 107-138 ms down to 16-55 ms per full collection).
    """
    gc.collect()
    gc.freeze()


def _sweep_forever(queue: QueueServices, public_url: str) -> None:
    """Expire past days' tickets, forget old phones, mark no-shows, invite feedback by SMS
    (links to `public_url`), store closed days' report figures and return uncollected
    documents: every half minute.

    With the clock running fast (QUEUE_TIME_SCALE) it sweeps that much more often, at most
    once a second, so simulated days see their no-shows marked in good time.
    """
    log = logging.getLogger("queue_server.sweep")
    scale = queue.settings.time_scale
    while True:
        pause = max(1.0, SWEEP_EVERY_S / scale)
        try:
            close_past_days(**queue.deps())
            start_new_days(**queue.deps())  # at local midnight: counters close, screens refresh
            mark_no_shows(uow=queue.uow, clock=queue.clock)
            invite_feedback(public_url, uow=queue.uow, clock=queue.clock)
            store_yesterdays(uow=queue.uow, clock=queue.clock)
            return_uncollected(uow=queue.uow, clock=queue.clock)
            # Wake just after the next local midnight too, so screens turn over with the day.
            midnight = seconds_to_next_day(uow=queue.uow, clock=queue.clock) / scale
            pause = min(pause, midnight + PAST_MIDNIGHT_S)
        except Exception:  # keep sweeping; the next pass retries
            log.exception("sweep failed")
        _project_all(queue)  # a new day: fresh figures on every screen
        eventlet.sleep(pause)


def _project_forever(queue: QueueServices) -> None:
    """Run the projections for every centre every few seconds, so a lost emit heals."""
    while True:
        eventlet.sleep(PROJECT_EVERY_S)
        _project_all(queue)


def _project_all(queue: QueueServices) -> None:
    """Ask the projector to read every centre (it runs them one by one in the background)."""
    try:
        queue.projector.request(c["code"] for c in list_centres(uow=queue.uow))
    except Exception:  # the database may be back on the next pass
        logging.getLogger("queue_server.projector").exception("projection pass failed")


def _follow_forever(queue: QueueServices) -> None:
    """Project the centres with phones on this process every second.

    Phones hear of changes made by this process at once (the projector); this pass brings them
    changes made by the other processes sharing the database. It goes through the projector,
    which runs one pass at a time, so a late pass never sends a phone an older view.
    """
    while True:
        eventlet.sleep(FOLLOW_EVERY_S)
        queue.projector.request(queue.phones.centres())


def print_demo(host: str, port: int) -> None:
    """The demo centre's pages and sign-ins, for a person trying the system."""
    from .centre_config import load_centre_config

    config = load_centre_config(DEMO_CONFIG)
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    for centre in config.centre:
        print(f"Demo centre {centre.code}: {centre.name}")
        for device in centre.device:
            if device.kind == "kiosk":
                print(f"  kiosk   {base}/kiosk/{centre.code}?token={device.token}")
        print(f"  display {base}/display/{centre.code}")
        print(f"  counter {base}/counter/")
    print("Demo sign-ins (username / password, role):")
    for user in config.user:
        print(f"  {user.username} / {user.password} ({user.role})")


if __name__ == "__main__":
    sys.exit(main())
