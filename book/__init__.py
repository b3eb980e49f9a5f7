"""The booking page: a citizen books a slot from a phone, and gets a ref, a QR code and a
calendar file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, request

from common import checked_centre, render_page, secure_page
from queue_server.bootstrap import services
from queue_server.domain.appointments import format_ref, parse_ref
from queue_server.services import appointments
from track import qr_svg

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"

bp = Blueprint(
    "book",
    __name__,
    url_prefix="/book",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


def _checked_ref(text: str) -> str:
    """A ref as citizens write it (XXXX-XXXX), or 404 when it cannot be one."""
    ref = parse_ref(text)
    if ref is None:
        abort(404)
    return format_ref(ref)


@bp.get("/<centre>")
def page(centre: str) -> Response:
    """The booking page of `centre`: service, day, slot, optional phone; then the ref."""
    return render_page("book/book.html", CATALOGUE, centre=checked_centre(centre))


@bp.get("/qr/<ref>.svg")
def qr_code(ref: str) -> Response:
    """The ref as a QR code (SVG), for a kiosk with a scanner to read off the phone."""
    response = secure_page(Response(qr_svg(_checked_ref(ref)), mimetype="image/svg+xml"))
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/<centre>/<ref>.ics")
def calendar(centre: str, ref: str) -> Response:
    """The booking as an iCalendar event, for the phone's calendar."""
    s = services()
    booked = appointments.get_appointment(
        _checked_ref(ref), request.remote_addr or "unknown", uow=s.uow, clock=s.clock
    )
    if booked["centre"] != checked_centre(centre):
        abort(404)
    name = appointments.booking_info(centre, uow=s.uow)["name"]
    response = secure_page(
        Response(ics_event(booked, name), mimetype="text/calendar; charset=utf-8")
    )
    response.headers["Content-Disposition"] = f'attachment; filename="huduma-{booked["ref"]}.ics"'
    return response


def ics_event(booked: dict[str, Any], centre_name: str) -> str:
    """One appointment as an RFC 5545 calendar with one event (CRLF lines, folded at 75)."""
    ref, service = booked["ref"], booked["service_name"]
    summary = f"{service['en']} / {service['sw']} ({ref})"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Huduma Queue//Service by Appointment//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{booked['id']}@huduma-queue",
        f"DTSTAMP:{_utc(datetime.now(UTC).isoformat())}",
        f"DTSTART:{_utc(str(booked['start']))}",
        f"DTEND:{_utc(str(booked['end']))}",
        f"SUMMARY:{_text(summary)}",
        f"LOCATION:{_text(centre_name)}",
        "DESCRIPTION:"
        + _text(
            f"Check in at the kiosk with your ref {ref}. Jisajili kwenye kiosk kwa nambari {ref}."
        ),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(iso: str) -> str:
    """An ISO 8601 time with offset as iCalendar's UTC form (20261124T070000Z)."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape an iCalendar TEXT value."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, continuation lines starting with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    return "\r\n".join([*out, current])
