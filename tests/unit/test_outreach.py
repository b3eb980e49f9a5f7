"""Huduma Mashinani rules and configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import ConfigError
from queue_server.domain.outreach import (
    PaidBy,
    contiguous_through,
    fee_payer,
    skew_flagged,
    skew_s,
)
from tests.support.outreach import OUTREACH_CONFIG


def test_the_sponsor_pays_at_a_sponsored_site_and_the_citizen_elsewhere():
    assert fee_payer("Mombasa Cement") is PaidBy.SPONSOR
    assert fee_payer(None) is PaidBy.CITIZEN


@given(st.integers(0, 50), st.sets(st.integers(1, 80)))
def test_the_acknowledgement_reaches_the_first_missing_entry(acked, held):
    through = contiguous_through(acked, held)
    assert through >= acked
    assert all(n in held for n in range(acked + 1, through + 1))
    assert through + 1 not in held


def test_a_skew_above_five_minutes_is_flagged_either_way():
    central = datetime(2026, 12, 13, 9, 0, tzinfo=UTC)
    assert skew_s(central + timedelta(minutes=6), central) == 360
    assert skew_flagged(360) and skew_flagged(-301)
    assert not skew_flagged(300) and not skew_flagged(None)


def test_an_outreach_site_is_read_from_the_configuration():
    site = next(c for c in parse_centre_config(OUTREACH_CONFIG, "t").centre if c.code == "KBR")
    assert (site.kind, site.parent, site.sponsor) == ("outreach", "TST", "Mombasa Cement")
    assert str(site.starts) == "2026-11-23" and str(site.ends) == "2026-11-25"
    assert [d.kind for d in site.device] == ["kiosk", "site"]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('sponsor = "X"', "only for kind"),
        ('parent = "MSA"', "only for kind"),
        ('kind = "outreach"\nstarts = 2026-12-15\nends = 2026-12-13', "ends is before starts"),
        ('kind = "popup"', "kind"),
    ],
)
def test_outreach_fields_are_checked(extra, problem):
    text = f'[[centre]]\ncode = "X"\nname = "X"\n{extra}\n'
    with pytest.raises(ConfigError, match=problem):
        parse_centre_config(text, "t")


def test_a_site_device_belongs_to_an_outreach_centre():
    text = '[[centre]]\ncode = "X"\nname = "X"\n[[centre.device]]\nkind = "site"\nname = "l"\n'
    text += 'token = "0123456789abcdef0123"\n'
    with pytest.raises(ConfigError, match='kind "site"'):
        parse_centre_config(text, "t")
