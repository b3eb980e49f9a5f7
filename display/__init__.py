"""The hall display: the latest call large, the last calls, waiting counts, and announcements
spoken in English and Kiswahili from audio made on the server."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import Blueprint, Response, abort, request

from common import checked_centre, render_page, secure_page
from queue_server.bootstrap import services
from queue_server.limits import limited_render

from .speech import LANGUAGES, SpeechUnavailable, announcement_wav, chime_wav

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "static" / "catalogue.json"
TICKET_NUMBER = re.compile(r"[A-Z]{1,3}[0-9]{3,5}")
COUNTER_NUMBER = re.compile(r"[1-9][0-9]{0,3}")

log = logging.getLogger(__name__)

bp = Blueprint(
    "display",
    __name__,
    url_prefix="/display",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)


@bp.get("/<centre>")
def page(centre: str) -> Response:
    """The waiting hall's screen of `centre`."""
    return render_page("display/display.html", CATALOGUE, centre=checked_centre(centre))


@bp.get("/announcement.wav")
def announcement() -> Response:
    """The spoken call `?number=B012&counter=3&lang=sw` (the same for every centre)."""
    number = request.args.get("number", "")
    counter = request.args.get("counter", "")
    lang = request.args.get("lang", "")
    if not TICKET_NUMBER.fullmatch(number):
        abort(422, description="number must look like B012 (1-3 capital letters, 3-5 digits).")
    if not COUNTER_NUMBER.fullmatch(counter):
        abort(422, description="counter must be a whole number from 1 to 9999.")
    if lang not in LANGUAGES:
        abort(422, description="lang must be 'en' or 'sw'.")
    try:
        audio = limited_render(services().renders, announcement_wav, number, int(counter), lang)
    except SpeechUnavailable as exc:
        log.warning("announcement not spoken: %s", exc)
        abort(503, description="The voice is not available; the display shows the call.")
    return _audio(audio)


@bp.get("/chime.wav")
def chime() -> Response:
    """The chime played before each announcement."""
    return _audio(chime_wav())


def _audio(wav: bytes) -> Response:
    """A WAV response (made once and kept in memory, so cheap to send again)."""
    return secure_page(Response(wav, mimetype="audio/wav"))
