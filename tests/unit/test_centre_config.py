"""The configuration file: valid files load, errors name the file, the entry and the problem."""

from __future__ import annotations

import pytest

from queue_server.app import DEMO_CONFIG
from queue_server.centre_config import load_centre_config, parse_centre_config
from queue_server.domain.errors import ConfigError
from tests.support.centres import TEST_CONFIG

MINIMAL = """
[[centre]]
code = "MSA"
name = "Huduma Centre Mombasa"
  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = { en = "National ID card", sw = "Kitambulisho cha Taifa" }
  category = "Registration of Persons"
  [[centre.counter]]
  number = 1
  services = ["ID"]
"""


def test_the_test_and_demo_configurations_are_valid():
    assert len(parse_centre_config(TEST_CONFIG, "test").centre) == 2
    demo = load_centre_config(DEMO_CONFIG)
    centre = demo.centre[0]
    assert len(centre.service) >= 20 and len(centre.counter) >= 10
    assert all(s.name.sw and s.name.sw != s.name.en for s in centre.service)


def test_a_plain_category_is_used_in_both_languages_and_defaults_apply():
    centre = parse_centre_config(MINIMAL, "m.toml").centre[0]
    service = centre.service[0]
    assert (service.category.en, service.category.sw) == ("Registration of Persons",) * 2
    assert (centre.timezone, centre.priority_bonus_s, service.fee_kes) == ("Africa/Nairobi", 900, 0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('prefix = "A"', 'prefix = "a1"'), "centre[1].service[1].prefix"),
        (('services = ["ID"]', 'services = ["XX"]'), "counter 1 serves unknown service(s) XX"),
        (('name = "Huduma Centre Mombasa"', 'timezone = "Mars/Olympus"'), "unknown time zone"),
        (("number = 1", "number = 0"), "centre[1].counter[1].number"),
        (('code = "MSA"', 'code = "M S A"'), "centre[1].code"),
        (("fee_kes = 0", ""), None),
        (
            ("[[centre.counter]]", 'colour = "red"\n  [[centre.counter]]'),
            "centre[1].service[1].colour",
        ),
    ],
)
def test_errors_name_the_file_the_entry_and_the_problem(change, expected):
    text = MINIMAL.replace(*change)
    if expected is None:
        parse_centre_config(text, "m.toml")
        return
    with pytest.raises(ConfigError) as info:
        parse_centre_config(text, "m.toml")
    assert info.value.message.startswith("m.toml: ")
    assert expected in info.value.message


def test_duplicates_are_refused():
    with pytest.raises(ConfigError, match="two centre entries have code = 'MSA'"):
        parse_centre_config(MINIMAL + MINIMAL, "m.toml")


def test_two_services_cannot_share_a_prefix():
    extra = (
        '\n  [[centre.service]]\n  code = "BC"\n  prefix = "A"\n'
        '  name = "Birth"\n  category = "Civil"\n'
    )
    with pytest.raises(ConfigError, match="prefix = 'A'"):
        parse_centre_config(MINIMAL + extra, "m.toml")


def test_devices_need_long_tokens_and_known_printers():
    device = (
        '\n  [[centre.device]]\n  kind = "kiosk"\n  name = "k1"\n'
        '  token = "{t}"\n  printer = "{p}"\n'
    )
    ok = device.format(t="x" * 20, p="tcp://10.0.0.5:9100")
    parse_centre_config(MINIMAL + ok, "m.toml")
    with pytest.raises(ConfigError, match="token"):
        parse_centre_config(MINIMAL + device.format(t="short", p="none"), "m.toml")
    with pytest.raises(ConfigError, match="printer must be"):
        parse_centre_config(MINIMAL + device.format(t="x" * 20, p="lpt1"), "m.toml")


def test_invalid_toml_and_missing_files_are_named(tmp_path):
    with pytest.raises(ConfigError, match="m.toml: not valid TOML"):
        parse_centre_config("[[centre]\n", "m.toml")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_centre_config(tmp_path / "absent.toml")


def test_users_must_name_known_centres():
    user = (
        '\n[[user]]\nusername = "amina"\npassword = "long enough"\n'
        'role = "clerk"\ncentres = ["NBI"]\n'
    )
    with pytest.raises(ConfigError, match="unknown centre"):
        parse_centre_config(MINIMAL + user, "m.toml")
