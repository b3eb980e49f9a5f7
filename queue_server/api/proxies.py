"""Behind a reverse proxy: believe X-Forwarded-For only from the proxies named in settings.

Werkzeug's ProxyFix trusts a number of hops from whoever connects; here the proxies are named
(addresses or CIDRs, QUEUE_TRUSTED_PROXIES), so a client that connects directly cannot claim
another address. The client is the right-most address that is not a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: Iterable[str]) -> list[Network]:
    """Addresses or CIDRs as networks; ValueError naming a bad one."""
    networks: list[Network] = []
    for item in text:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"QUEUE_TRUSTED_PROXIES: '{item}' is not an address or CIDR") from None
    return networks


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR becomes the client's address when a trusted proxy says so."""

    def __init__(self, app: Any, networks: list[Network]) -> None:
        self.app = app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Rewrite REMOTE_ADDR (keeping the proxy's in `queue.proxy_addr`), then serve."""
        remote = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and _trusted(remote, self.networks):
            for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
                if not _trusted(hop, self.networks):
                    environ["queue.proxy_addr"] = remote
                    environ["REMOTE_ADDR"] = hop if _is_address(hop) else remote
                    break
        return self.app(environ, start_response)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
