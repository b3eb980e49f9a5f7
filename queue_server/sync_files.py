"""`python -m queue_server sync export|import`: an outreach site's log carried by hand.

When no network comes for days, the site writes its unsent log to a file (a USB stick) and
the central server applies it with the same exactly-once rule as an upload.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .adapters.database import (
    DatabaseUnavailable,
    check_database,
    make_engine,
    migrate,
    starting_alone,
)
from .adapters.unit_of_work import UnitOfWorkFactory
from .bootstrap import system_clock
from .config import settings_from_env
from .domain.errors import DomainError
from .services import sync

EXIT_FAILED = 2


def parse_sync_args(argv: list[str]) -> argparse.Namespace:
    """The `sync` command line."""
    parser = argparse.ArgumentParser(prog="python -m queue_server sync", description=__doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write the site's unsent log to a file")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--centre", help="the outreach site (default: the only one here)")
    export.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    imported = actions.add_parser("import", help="apply a site's exported log here")
    imported.add_argument("file", metavar="FILE")
    imported.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    return parser.parse_args(argv)


def run_sync_command(argv: list[str]) -> int:
    """Run `sync export` or `sync import`; exit status 2 with a clear message on failure."""
    args = parse_sync_args(argv)
    settings = settings_from_env(database_url=args.database)
    try:
        engine = make_engine(settings.database)
        with starting_alone(settings.database):
            check_database(engine)
            migrate(engine)
        uow = UnitOfWorkFactory(engine)
        run = _export if args.action == "export" else _import
        result = run(args, uow)
        engine.dispose()
    except (DatabaseUnavailable, DomainError, OSError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(result))
    return 0


def _export(args: argparse.Namespace, uow: UnitOfWorkFactory) -> dict:
    """Write the unsent entries; what was written."""
    centre = args.centre or sync.only_site(uow=uow)
    batch = sync.export_log(centre, uow=uow, clock=system_clock)
    Path(args.out).write_text(json.dumps(batch), encoding="utf-8")
    entries = batch["entries"]
    return {
        "centre": centre,
        "entries": len(entries),
        "first_seq": entries[0]["seq"] if entries else None,
        "last_seq": entries[-1]["seq"] if entries else None,
        "file": args.out,
    }


def _import(args: argparse.Namespace, uow: UnitOfWorkFactory) -> dict:
    """Apply an exported file; the centre and how far it is now applied."""
    path = Path(args.file)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OSError(f"{path}: not an exported log: {exc}") from None
    return sync.import_batch(body, uow=uow)
