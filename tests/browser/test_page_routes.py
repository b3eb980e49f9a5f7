"""The routes the pages rely on, over HTTP: spoken announcements and the chime, QR codes,
the npm libraries, page headers, and the counters' routes of the API."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import pytest
import requests

from tests.browser.pages import issue_ticket
from tests.support.centres import KIOSK_TOKEN, PASSWORD, make_config_file
from tests.support.databases import database_url
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def pages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for these read-mostly checks."""
    folder = tmp_path_factory.mktemp("routes")
    with database_url("sqlite", folder) as url:
        process = ServerProcess(url, folder, config=make_config_file(folder))
        process.start()
        yield process
        process.kill()


def get(server: ServerProcess, path: str, **kwargs: object) -> requests.Response:
    """GET a path of the server."""
    return requests.get(f"{server.url}{path}", timeout=10, **kwargs)  # type: ignore[arg-type]


def clerk_token(server: ServerProcess, username: str = "clerk1") -> str:
    """A signed-in clerk's bearer token."""
    response = requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["token"])


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_announcement_is_a_whole_wav_in_each_language(
    pages_server: ServerProcess, lang: str
) -> None:
    response = get(pages_server, f"/display/announcement.wav?number=B012&counter=3&lang={lang}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
        assert len(response.content) == 44 + audio.getnframes() * audio.getsampwidth()
    assert 1.0 < seconds < 10.0


@pytest.mark.parametrize(
    "query",
    [
        "number=b012&counter=3&lang=en",
        "number=B12&counter=3&lang=en",
        "number=ABCD0123&counter=3&lang=en",
        "number=B012;rm%20-rf&counter=3&lang=en",
        "number=B%D9%A0%D9%A1%D9%A2&counter=3&lang=en",  # Arabic-Indic digits
        "number=B012%0A&counter=3&lang=en",
        "number=B012&counter=three&lang=en",
        "number=B012&counter=0&lang=en",
        "number=B012&counter=-1&lang=en",
        "number=B012&counter=3&lang=fr",
        "number=B012&counter=3&lang=--help",
        "",
    ],
)
def test_announcement_refuses_anything_but_a_number_a_counter_and_a_language(
    pages_server: ServerProcess, query: str
) -> None:
    assert get(pages_server, f"/display/announcement.wav?{query}").status_code == 422


def test_chime_qr_code_and_libraries_are_served(pages_server: ServerProcess) -> None:
    chime = get(pages_server, "/display/chime.wav")
    assert chime.status_code == 200 and chime.content.startswith(b"RIFF")

    issued = issue_ticket(pages_server, "ID")
    qr = get(pages_server, f"/track/{issued['id']}/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["Content-Type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg") and "<path" in qr.text
    assert get(pages_server, "/track/not%20an%20id/qr.svg").status_code == 404

    library = get(pages_server, "/vendor/socket.io.esm.min.js")
    assert library.status_code == 200 and "javascript" in library.headers["Content-Type"]
    assert get(pages_server, "/vendor/..%2Fpackage.json").status_code == 404
    assert get(pages_server, "/vendor/axe.min.js").status_code == 404


@pytest.mark.parametrize("path", ["/kiosk/TST", "/display/TST", "/counter/", "/track/abcdefgh123"])
def test_pages_carry_a_strict_content_security_policy(
    pages_server: ServerProcess, path: str
) -> None:
    response = get(pages_server, path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_counters_are_listed_for_the_staff_of_their_centre(pages_server: ServerProcess) -> None:
    path = "/api/v1/centres/TST/counters"
    assert get(pages_server, path).status_code == 401
    kiosk = {"Authorization": f"Bearer {KIOSK_TOKEN}"}
    assert get(pages_server, path, headers=kiosk).status_code == 403
    outsider = {"Authorization": f"Bearer {clerk_token(pages_server, 'outsider')}"}
    assert get(pages_server, path, headers=outsider).status_code == 403

    clerk = {"Authorization": f"Bearer {clerk_token(pages_server)}"}
    counters = get(pages_server, path, headers=clerk).json()
    assert [c["number"] for c in counters] == [1, 2, 3, 4, 5]
    assert counters[0] == {"number": 1, "services": ["ID", "BC"], "state": "closed", "ticket": None}
    assert get(pages_server, "/api/v1/centres/NOPE/counters", headers=clerk).status_code == 404


def test_a_counters_queues_give_counts_and_the_longest_wait(pages_server: ServerProcess) -> None:
    clerk = {"Authorization": f"Bearer {clerk_token(pages_server, 'clerk2')}"}
    issue_ticket(pages_server, "KRA")
    queues = get(pages_server, "/api/v1/centres/TST/counters/5/queues", headers=clerk).json()
    fields = {"service", "waiting", "estimated_wait_s", "longest_wait_s"}
    assert [set(q) for q in queues] == [fields]
    assert queues[0]["service"] == "KRA" and queues[0]["waiting"] >= 1
    assert queues[0]["longest_wait_s"] >= 0
    assert (
        get(pages_server, "/api/v1/centres/TST/counters/99/queues", headers=clerk).status_code
        == 404
    )
    assert (
        get(pages_server, "/api/v1/centres/TST/counters/x/queues", headers=clerk).status_code == 404
    )
    assert get(pages_server, "/api/v1/centres/TST/counters/5/queues").status_code == 401
