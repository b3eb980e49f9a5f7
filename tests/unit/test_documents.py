"""Track my Service rules: statuses only go forward, also when two servers hold a document."""

from __future__ import annotations

from itertools import product

import pytest

from queue_server.domain.documents import DocumentStatus, reaches, require_forward
from queue_server.domain.errors import InvalidState

LODGED, IN_PROCESS, READY, COLLECTED, RETURNED = DocumentStatus

REACHED = {
    LODGED: {LODGED, IN_PROCESS, READY, COLLECTED, RETURNED},
    IN_PROCESS: {IN_PROCESS, READY, COLLECTED, RETURNED},
    READY: {READY, COLLECTED, RETURNED},
    COLLECTED: {COLLECTED},
    RETURNED: {RETURNED},
}


@pytest.mark.parametrize(("current", "later"), list(product(DocumentStatus, repeat=2)))
def test_a_status_is_reached_only_by_moving_forward(current, later):
    assert reaches(current.value, later.value) is (later in REACHED[current])


@pytest.mark.parametrize(("a", "b"), list(product(DocumentStatus, repeat=2)))
def test_two_statuses_reach_each_other_only_when_they_are_the_same(a, b):
    assert (reaches(a, b) and reaches(b, a)) is (a == b)


@pytest.mark.parametrize(("current", "wanted"), list(product(DocumentStatus, repeat=2)))
def test_every_allowed_move_is_reached_and_no_move_goes_back(current, wanted):
    try:
        require_forward(current.value, wanted)
    except InvalidState:
        allowed = False
    else:
        allowed = True
    assert not allowed or reaches(current, wanted)
    assert not (allowed and reaches(wanted, current))


def test_a_collected_document_and_a_returned_one_never_become_each_other():
    assert not reaches(COLLECTED, RETURNED) and not reaches(RETURNED, COLLECTED)
