"""The projector: screens' figures read after the commit, sent only where they changed."""

from __future__ import annotations

from queue_server.domain.events import QueueChanged, TicketIssued
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from queue_server.services.projector import Projector, QueueProjection
from tests.services.conftest import Recorder, shown


def test_commands_publish_no_figures_the_projection_sends_them_after(kiosk, clerk, deps, clock):
    recorder = Recorder()
    plain = {**deps, "notifier": recorder}
    tickets.issue_ticket(kiosk, "TST", "KRA", **plain)
    counters.open_counter(clerk, CounterRef("TST", 5), **plain)
    counters.call_next(clerk, CounterRef("TST", 5), **plain)
    assert not [e for e in recorder.events if isinstance(e, QueueChanged)]
    assert [e.service for e in recorder.events if isinstance(e, TicketIssued)] == ["KRA"]
    projection = QueueProjection(deps["uow"], clock, recorder)
    projection.project("TST")
    told = {
        e.service: (e.waiting, e.estimated_wait_s) for e in recorder.events[-len(shown(deps)) :]
    }
    assert told == shown(deps)


def test_a_projection_sends_only_what_moved_since_it_last_sent(kiosk, deps, clock):
    recorder = Recorder()
    projection = QueueProjection(deps["uow"], clock, recorder)
    projection.project("TST")
    first = len(recorder.events)
    projection.project("TST")
    assert len(recorder.events) == first  # nothing moved
    tickets.issue_ticket(kiosk, "TST", "KRA", **{**deps, "notifier": Recorder()})
    projection.project("TST")
    moved = recorder.events[first:]
    assert [e.service for e in moved] == ["KRA"] and moved[0].waiting == 1
    projection.project("NOPE")  # an unknown centre shows nothing
    assert len(recorder.events) == first + 1


def test_the_projector_gathers_requests_made_while_it_runs():
    ran: list[str] = []
    later: list = []

    class Noting:
        def project(self, centre: str) -> None:
            ran.append(centre)
            if len(ran) == 1:
                projector.request([centre])  # another commit there while this pass runs

    class Failing:
        def project(self, centre: str) -> None:
            raise RuntimeError("a projection's bug never stops the others")

    slept: list[float] = []
    projector = Projector(
        [Failing(), Noting()], spawn=later.append, sleep=slept.append, gather_s=0.05
    )
    projector.request(["A", "B", "A"])
    projector.request(["B"])
    assert len(later) == 1  # one background pass at a time
    later.pop()()
    # Each centre once for the first requests, then once more for those made meanwhile.
    assert len(ran) == 3 and set(ran) == {"A", "B"}
    assert not projector.running and not projector.pending
    assert slept[0] == 0.05  # a pass first gathers the commits of the next moments
