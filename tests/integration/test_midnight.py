"""Local midnight on the real server: displays get a fresh snapshot, counters close."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support.centres import kiosk_token, make_config_file
from tests.support.clients import CounterClient, DisplayClient, issue, login
from tests.support.server import ServerProcess
from tests.support.zones import in_zone, zone_where

TIME_SCALE = 1000  # one real second is about 17 minutes of the centre's day


def zone_with_midnight_soon(at_least: timedelta) -> str:
    """A zone whose next local midnight is between `at_least` and an hour after it."""

    def soon(local: datetime) -> bool:
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return at_least <= midnight - local < at_least + timedelta(hours=1)

    return zone_where(soon)


def test_at_local_midnight_displays_get_a_fresh_snapshot_and_counters_close(db_url, tmp_path):
    # Midnight comes 2-5.6 s (real) after the start: time to call a ticket before it.
    zone = zone_with_midnight_soon(timedelta(seconds=2 * TIME_SCALE))
    config = make_config_file(tmp_path, in_zone(zone))
    server = ServerProcess(
        db_url, tmp_path, config=config, env={"QUEUE_TIME_SCALE": str(TIME_SCALE)}
    )
    server.start()
    try:
        display = DisplayClient(server.url)
        clerk = CounterClient(server.url, login(server.url, "clerk1"))
        assert display.wait_for("snapshot")[0]["recent"] == []
        issue(server.url, kiosk_token(1), "BC")
        clerk("open", {"centre": "TST", "counter": 1})
        assert clerk("call_next")["ok"]
        display.wait_for("ticket_called")

        fresh = display.wait_for("snapshot", count=2)[1]
        assert fresh["recent"] == [] and fresh["now_serving"] == []
        clerk.wait_for("counter_changed", lambda c: (c["counter"], c["state"]) == (1, "closed"))
        assert clerk("call_next")["ok"] is False  # a new day: the clerk opens the counter again
    finally:
        display.close()
        clerk.close()
        server.kill()
