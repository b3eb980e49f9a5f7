"""The message queue that lets several server processes share Socket.IO events (Redis)."""

from __future__ import annotations

import redis

CHECK_TIMEOUT_S = 3


class MessageQueueUnavailable(Exception):
    """The message queue cannot be reached; the message says why, for a person."""


def check_message_queue(url: str, timeout_s: float = CHECK_TIMEOUT_S) -> None:
    """Ping the queue at `url` once; a wrong URL would otherwise lose every event quietly."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise MessageQueueUnavailable(f"message queue '{url}' is not a redis:// URL")
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
        )
        client.ping()
        client.close()
    except (redis.RedisError, ValueError) as exc:
        raise MessageQueueUnavailable(f"cannot reach the message queue {url}: {exc}") from None
