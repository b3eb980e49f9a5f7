"""Builders of centre configurations for tests (TOML text, as a centre would write it)."""

from __future__ import annotations

from pathlib import Path

PASSWORD = "test-password-1"

TEST_CONFIG = f"""
[[centre]]
code = "TST"
name = "Huduma Centre Test"
timezone = "Africa/Nairobi"
priority_bonus_s = 900
appointment_bonus_s = 600

  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = {{ en = "National ID card", sw = "Kitambulisho cha Taifa" }}
  category = {{ en = "Registration of Persons", sw = "Usajili wa Watu" }}
  typical_service_s = 300

  [[centre.service.slots]]
  start = "08:00"
  end = "12:00"
  minutes = 15
  capacity = 2

  [[centre.service.slots]]
  days = ["mon", "tue", "wed", "thu", "fri"]
  start = "14:00"
  end = "16:00"
  minutes = 30
  capacity = 1

  [[centre.service]]
  code = "BC"
  prefix = "B"
  name = {{ en = "Birth certificate", sw = "Cheti cha kuzaliwa" }}
  category = "Civil Registration"
  fee_kes = 50
  typical_service_s = 200

  [[centre.service]]
  code = "KRA"
  prefix = "K"
  name = {{ en = "KRA PIN", sw = "PIN ya KRA" }}
  category = {{ en = "Kenya Revenue Authority", sw = "Mamlaka ya Ushuru" }}
  typical_service_s = 120

  [[centre.service.slots]]  # all day, so pages can book and check in at any hour
  start = "00:00"
  end = "23:59"
  minutes = 15
  capacity = 3

  [[centre.service]]
  code = "OLD"
  prefix = "Z"
  name = {{ en = "Closed service", sw = "Huduma iliyofungwa" }}
  category = "Other"
  open = false

  [[centre.counter]]
  number = 1
  services = ["ID", "BC"]
  [[centre.counter]]
  number = 2
  services = ["ID", "BC"]
  [[centre.counter]]
  number = 3
  services = ["BC"]
  [[centre.counter]]
  number = 4
  services = ["ID", "BC", "KRA"]
  [[centre.counter]]
  number = 5
  services = ["KRA"]
{
    "".join(
        f'''
  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-{i}"
  token = "kiosk-{i}-token-0123456789"
'''
        for i in range(1, 9)
    )
}
  [[centre.device]]
  kind = "display"
  name = "hall"
  token = "display-token-0123456789"

[[centre]]
code = "OTH"
name = "Huduma Centre Other"

  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = {{ en = "National ID card", sw = "Kitambulisho cha Taifa" }}
  category = "Registration of Persons"

  [[centre.counter]]
  number = 1
  services = ["ID"]

  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-1"
  token = "other-kiosk-token-0123456789"
{
    "".join(
        f'''
[[user]]
username = "clerk{i}"
password = "{PASSWORD}"
role = "clerk"
centres = ["TST"]
'''
        for i in range(1, 5)
    )
}
[[user]]
username = "outsider"
password = "{PASSWORD}"
role = "clerk"
centres = ["OTH"]

[[user]]
username = "boss"
password = "{PASSWORD}"
role = "admin"
"""

KIOSK_TOKEN = "kiosk-1-token-0123456789"
DISPLAY_TOKEN = "display-token-0123456789"
OTHER_KIOSK_TOKEN = "other-kiosk-token-0123456789"


def kiosk_token(i: int) -> str:
    """The token of the test centre's kiosk number `i` (1 to 8)."""
    return f"kiosk-{i}-token-0123456789"


def make_config_file(folder: Path, text: str = TEST_CONFIG) -> Path:
    """Write a configuration file into `folder` and return its path."""
    path = folder / "centres.toml"
    path.write_text(text, encoding="utf-8")
    return path
