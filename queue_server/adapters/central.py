"""The central server as an outreach site sees it: uploads of the log over HTTP."""

from __future__ import annotations

import requests

from ..services.sync import SyncFailed

TIMEOUT_S = (5.0, 30.0)  # connect, read: a slow link still finishes a batch
CONFIG_TIMEOUT_S = (3.0, 10.0)  # at start: a site without a network starts from its file soon


class HttpCentralServer:
    """`POST {url}/api/v1/sync/{centre}/events` with the site's token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def upload(self, centre: str, batch: dict) -> int:
        """Send a batch; the central server's `acked_seq`, or SyncFailed saying why not."""
        try:
            response = self.session.post(
                f"{self.url}/api/v1/sync/{centre}/events", json=batch, timeout=TIMEOUT_S
            )
        except requests.RequestException as exc:
            raise SyncFailed(f"central server unreachable: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise SyncFailed(f"central server refused the batch: {_reason(response)}")
        try:
            return int(response.json()["acked_seq"])
        except (ValueError, KeyError, TypeError):
            raise SyncFailed("central server answered without acked_seq") from None


def fetch_site_configuration(url: str, token: str) -> dict:
    """The central server's configuration of this site (`GET /sync/config`), or SyncFailed."""
    try:
        response = requests.get(
            f"{url.rstrip('/')}/api/v1/sync/config",
            headers={"Authorization": f"Bearer {token}"},
            timeout=CONFIG_TIMEOUT_S,
        )
    except requests.RequestException as exc:
        raise SyncFailed(f"central server unreachable: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise SyncFailed(f"central server refused the configuration: {_reason(response)}")
    try:
        config: dict = response.json()
    except ValueError:
        raise SyncFailed("central server answered without a configuration") from None
    return config


def _reason(response: requests.Response) -> str:
    """The status and the error code and message of a refusal."""
    try:
        error = response.json()["error"]
        return f"{response.status_code} {error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"
