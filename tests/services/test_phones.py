"""The phone projection: each followed ticket's view, sent to its phones only when it changes."""

from __future__ import annotations

import pytest

from queue_server.domain.errors import NotFound
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from queue_server.services.phones import PhoneProjection

C1, C5 = CounterRef("TST", 1), CounterRef("TST", 5)


class Phones:
    """What each followed ticket's phones were sent, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def __call__(self, public_id: str, view: dict) -> None:
        self.sent.append((public_id, view))

    def to(self, public_id: str) -> list[dict]:
        return [view for sent_to, view in self.sent if sent_to == public_id]


@pytest.fixture
def phones() -> Phones:
    return Phones()


@pytest.fixture
def projection(uow, clock, phones) -> PhoneProjection:
    return PhoneProjection(uow, clock, phones)


def issue(kiosk, deps, service="ID", **kw):
    return tickets.issue_ticket(kiosk, "TST", service, **kw, **deps)


def test_following_returns_the_ticket_as_get_ticket_shows_it(kiosk, deps, projection):
    issue(kiosk, deps)
    mine = issue(kiosk, deps)
    assert projection.follow(mine["id"]) == tickets.get_ticket(
        mine["id"], uow=deps["uow"], clock=deps["clock"]
    )
    assert projection.centres() == ["TST"]


def test_an_unknown_ticket_cannot_be_followed(projection):
    with pytest.raises(NotFound):
        projection.follow("no-such-ticket")
    assert projection.centres() == []


def test_a_call_sends_the_new_place_to_each_followed_ticket_and_nothing_to_others(
    kiosk, clerk, deps, projection, phones
):
    first, second, third = issue(kiosk, deps), issue(kiosk, deps), issue(kiosk, deps)
    projection.follow(second["id"])
    projection.follow(third["id"])
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    projection.project("TST")
    assert {p for p, _ in phones.sent} == {second["id"], third["id"]}
    for followed in (second, third):
        assert phones.to(followed["id"]) == [
            tickets.get_ticket(followed["id"], uow=deps["uow"], clock=deps["clock"])
        ]
    assert phones.to(third["id"])[0]["ahead"] == 1
    assert phones.to(first["id"]) == []


def test_nothing_is_sent_when_nothing_changed(kiosk, clerk, deps, projection, phones):
    mine = issue(kiosk, deps)
    projection.follow(mine["id"])
    projection.project("TST")
    issue(kiosk, deps, "KRA")  # a later ticket moves neither its place nor its estimate
    projection.project("TST")
    assert phones.sent == []


def test_the_ticket_hears_it_is_called_then_done(kiosk, clerk, deps, projection, phones):
    mine = issue(kiosk, deps)
    projection.follow(mine["id"])
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    projection.project("TST")
    counters.complete(clerk, C1, **deps)
    projection.project("TST")
    projection.project("TST")  # a finished ticket is not read again
    statuses = [(v["status"], v["counter"], v["ahead"]) for v in phones.to(mine["id"])]
    assert statuses == [("called", 1, None), ("done", 1, None)]


def test_a_transferred_ticket_is_followed_in_its_new_queue(kiosk, clerk, deps, projection, phones):
    issue(kiosk, deps, "KRA")
    mine = issue(kiosk, deps)
    projection.follow(mine["id"])
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    counters.transfer(clerk, C1, "KRA", **deps)
    projection.project("TST")
    assert phones.to(mine["id"]) == [
        tickets.get_ticket(mine["id"], uow=deps["uow"], clock=deps["clock"])
    ]
    assert phones.to(mine["id"])[-1]["service"] == "KRA"


def test_the_estimate_moves_when_a_counter_opens(kiosk, clerk, deps, projection, phones):
    issue(kiosk, deps, "KRA")
    mine = issue(kiosk, deps, "KRA")
    projection.follow(mine["id"])
    counters.open_counter(clerk, C5, **deps)
    projection.project("TST")
    assert phones.to(mine["id"]) == [
        tickets.get_ticket(mine["id"], uow=deps["uow"], clock=deps["clock"])
    ]


def test_the_last_phone_leaving_stops_the_following(kiosk, clerk, deps, projection, phones):
    issue(kiosk, deps)
    b = issue(kiosk, deps)
    projection.follow(b["id"])
    projection.follow(b["id"])
    projection.unfollow("TST", b["id"])
    assert projection.centres() == ["TST"]
    projection.unfollow("TST", b["id"])
    assert projection.centres() == []
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    projection.project("TST")
    assert phones.sent == []


def test_a_pass_never_sends_a_view_older_than_one_a_phone_got_meanwhile(
    kiosk, clerk, deps, projection, phones, monkeypatch
):
    issue(kiosk, deps)
    issue(kiosk, deps)
    mine = issue(kiosk, deps)
    projection.follow(mine["id"])  # ahead 2
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    read = projection._views

    def read_then_a_call_and_a_new_phone(*args):
        views = read(*args)  # ahead 1, read before the second call
        assert views[mine["id"]]["ahead"] == 1
        counters.call_next(clerk, C1, **deps)
        projection.follow(mine["id"])  # this phone is sent ahead 0 at once
        return views

    monkeypatch.setattr(projection, "_views", read_then_a_call_and_a_new_phone)
    projection.project("TST")
    assert phones.sent == []
