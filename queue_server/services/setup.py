"""Loading a centre configuration into the database, idempotently."""

from __future__ import annotations

import secrets

from ..adapters.orm import Centre, Counter, Device, Service, User
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..centre_config import CentreConfig, CentreEntry, UserEntry
from .auth import hash_password, password_matches, token_digest


def apply_centre_config(config: CentreConfig, *, uow: UnitOfWorkFactory) -> None:
    """Create or update what the file names; delete nothing that has history.

    Loading the same file twice changes nothing. A device left out of the file for its
    centre loses its access (its token is replaced), since a lost kiosk must be shut out.
    """
    with uow() as unit:
        repo = unit.repo
        repo.lock_configuration()
        for entry in config.centre:
            _apply_centre(repo, entry)
        centres = {c.code: c for c in repo.centres()}
        for user_entry in config.user:
            _apply_user(repo, user_entry, centres)
        # Staff left out of the file lose access (their history keeps naming them), and every
        # process checks its tokens again: a removed device or changed centres count at once.
        repo.deactivate_users_except([u.username for u in config.user])
        repo.change_access_revision(secrets.token_urlsafe(12))
        unit.commit()


def _apply_centre(repo: Repository, entry: CentreEntry) -> None:
    centre = repo.centre(entry.code)
    if centre is None:
        centre = Centre(code=entry.code)
        repo.add(centre)
    centre.name = entry.name
    centre.timezone = entry.timezone
    centre.priority_bonus_s = entry.priority_bonus_s
    centre.appointment_bonus_s = entry.appointment_bonus_s
    centre.booking_days = entry.booking_days
    centre.checkin_early_s = entry.checkin_early_s
    centre.checkin_late_s = entry.checkin_late_s
    centre.kind, centre.parent, centre.sponsor = entry.kind, entry.parent, entry.sponsor
    centre.starts, centre.ends, centre.location = entry.starts, entry.ends, entry.location
    centre.notify_ahead = entry.notify_ahead
    centre.document_return_days = entry.document_return_days
    repo.flush()
    services = {s.code: s for s in repo.services(centre)}
    for item in entry.service:
        service = services.get(item.code)
        if service is None:
            service = services[item.code] = Service(centre_id=centre.id, code=item.code)
            repo.add(service)
        service.prefix = item.prefix
        service.name_en, service.name_sw = item.name.en, item.name.sw
        service.category_en, service.category_sw = item.category.en, item.category.sw
        service.fee_kes = item.fee_kes
        if service.paused_reason_en is None:  # a supervisor's pause outlives a restart
            service.open = item.open
        service.typical_service_s = item.typical_service_s
        service.collect_service = item.collect_service
        service.slot_templates = [slot.model_dump() for slot in item.slots]
        service.target_wait_s = item.target_wait_s
    repo.flush()
    counters = {c.number: c for c in repo.counters(centre)}
    for counter_entry in entry.counter:
        counter = counters.get(counter_entry.number)
        if counter is None:
            counter = Counter(centre_id=centre.id, number=counter_entry.number, state="closed")
            repo.add(counter)
        counter.services = [services[code] for code in counter_entry.services]
    _apply_devices(repo, centre, entry)


def _apply_devices(repo: Repository, centre: Centre, entry: CentreEntry) -> None:
    devices = {d.name: d for d in repo.devices(centre)}
    for item in entry.device:
        device = devices.pop(item.name, None)
        if device is None:
            device = Device(centre_id=centre.id, name=item.name)
            repo.add(device)
        device.kind = item.kind
        device.token_hash = token_digest(item.token)
        device.printer = item.printer
        device.printer_status = item.printer_status
        device.print_expiry_s = item.print_expiry_s
    for removed in devices.values():
        removed.token_hash = token_digest(secrets.token_urlsafe(32))


def _apply_user(repo: Repository, entry: UserEntry, centres: dict[str, Centre]) -> None:
    user = repo.user(entry.username)
    if user is None:
        user = User(username=entry.username, password_hash=_password_hash(entry, None))
        repo.add(user)
    else:
        user.password_hash = _password_hash(entry, user.password_hash)
    user.active = True
    user.role = entry.role
    user.centres = [centres[code] for code in entry.centres]


def _password_hash(entry: UserEntry, stored: str | None) -> str:
    """The hash to keep: the file's own `password_hash`, or a hash of its plain `password`.

    A plain password is hashed only when it differs from the stored hash (one verification
    per user and start); a `password_hash` costs nothing to load and keeps no plain password
    in the file.
    """
    if entry.password_hash is not None:
        return entry.password_hash
    assert entry.password is not None  # the configuration's model requires one of the two
    if stored is not None and password_matches(stored, entry.password):
        return stored
    return hash_password(entry.password)
