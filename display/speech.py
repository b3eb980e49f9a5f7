"""Announcements as audio made on the server: espeak-ng's voices and a synthesized chime.

Headless and kiosk browsers often have no speech voices, and a cloud voice needs the
internet; espeak-ng speaks English and Kiswahili offline in a few tens of milliseconds.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import wave
from array import array
from functools import cache, lru_cache

ESPEAK = shutil.which("espeak-ng") or "/usr/bin/espeak-ng"
ESPEAK_TIMEOUT_S = 5.0
SPEECH_WPM = 140  # slower than espeak's 175: a hall is noisy and echoes
CACHE_SIZE = 256
LANGUAGES = ("en", "sw")
PHRASES = {
    "en": "Ticket {number}, counter {counter}.",
    "sw": "Tiketi {number}, dirisha namba {counter}.",
}

CHIME_RATE = 22050
CHIME_NOTES = ((659.25, 0.55), (523.25, 0.8))  # E5 then C5: the familiar two-tone call chime


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing, failed or took too long."""


def spoken(number: str) -> str:
    """A ticket number as the voice should read it: each character apart ("B 0 1 2")."""
    return " ".join(number)


@lru_cache(maxsize=CACHE_SIZE)
def announcement_wav(number: str, counter: int, lang: str) -> bytes:
    """The spoken call "Ticket B012, counter 3" in `lang` (en or sw), as a WAV file."""
    text = PHRASES[lang].format(number=spoken(number), counter=counter)
    command = [ESPEAK, "-v", lang, "-s", str(SPEECH_WPM), "--stdout", text]
    try:
        result = subprocess.run(command, capture_output=True, timeout=ESPEAK_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechUnavailable(f"espeak-ng could not speak ({exc})") from exc
    return with_exact_sizes(result.stdout)


def with_exact_sizes(streamed: bytes) -> bytes:
    """Rewrite a streamed WAV, whose header leaves its length open, with exact sizes.

    espeak-ng writing to a pipe cannot know the length in advance; browsers then guess
    the duration, so the header is made right before the audio is served.
    """
    try:
        with wave.open(io.BytesIO(streamed), "rb") as source:
            params = source.getparams()
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError) as exc:
        raise SpeechUnavailable(f"espeak-ng gave no valid audio ({exc})") from exc
    return _wav(params.nchannels, params.sampwidth, params.framerate, frames)


@cache
def chime_wav() -> bytes:
    """A soft two-tone chime (16-bit mono) that says "listen" before each announcement."""
    samples = array("h")
    for frequency, seconds in CHIME_NOTES:
        count = int(CHIME_RATE * seconds)
        for i in range(count):
            t = i / CHIME_RATE
            envelope = min(1.0, t / 0.01) * math.exp(-4.0 * t)  # quick attack, bell-like decay
            phase = 2 * math.pi * frequency * t
            tone = math.sin(phase) + 0.3 * math.sin(2 * phase)  # with a soft octave overtone
            samples.append(int(12000 * envelope * tone))
    return _wav(1, 2, CHIME_RATE, samples.tobytes())


def _wav(channels: int, sample_width: int, rate: int, frames: bytes) -> bytes:
    """PCM frames in a WAV container."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as target:
        target.setnchannels(channels)
        target.setsampwidth(sample_width)
        target.setframerate(rate)
        target.writeframes(frames)
    return buffer.getvalue()
