"""An outreach site (Huduma Mashinani) for tests: its configuration at the site and centrally."""

from __future__ import annotations

from tests.support.centres import PASSWORD, TEST_CONFIG

SITE_TOKEN = "kibarani-site-token-0123456789"
OTHER_SITE_TOKEN = "likoni-site-token-0123456789"
SITE_KIOSK_TOKEN = "kibarani-kiosk-token-0123456789"
SPONSOR = "Mombasa Cement"

SITE_CENTRE = f"""
[[centre]]
code = "KBR"
name = "Huduma Mashinani Kibarani"
kind = "outreach"
parent = "TST"
starts = 2026-11-23
ends = 2026-11-25
location = "Kibarani grounds, Mombasa"
sponsor = "{SPONSOR}"

  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = {{ en = "National ID card", sw = "Kitambulisho cha Taifa" }}
  category = "Registration of Persons"
  fee_kes = 100
  typical_service_s = 300

  [[centre.service]]
  code = "BC"
  prefix = "B"
  name = {{ en = "Birth certificate", sw = "Cheti cha kuzaliwa" }}
  category = "Civil Registration"
  fee_kes = 50
  typical_service_s = 200

  [[centre.counter]]
  number = 1
  services = ["ID", "BC"]
  [[centre.counter]]
  number = 2
  services = ["ID", "BC"]

  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-1"
  token = "{SITE_KIOSK_TOKEN}"

  [[centre.device]]
  kind = "site"
  name = "kibarani-laptop"
  token = "{SITE_TOKEN}"

[[centre]]
code = "LKN"
name = "Huduma Mashinani Likoni"
kind = "outreach"
parent = "TST"

  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = "National ID card"
  category = "Registration of Persons"

  [[centre.device]]
  kind = "site"
  name = "likoni-laptop"
  token = "{OTHER_SITE_TOKEN}"
"""

SITE_USERS = f"""
[[user]]
username = "mashinani1"
password = "{PASSWORD}"
role = "clerk"
centres = ["KBR"]

[[user]]
username = "mashinani-boss"
password = "{PASSWORD}"
role = "supervisor"
centres = ["KBR", "TST"]
"""

OUTREACH_CONFIG = TEST_CONFIG + SITE_CENTRE + SITE_USERS
"""The central server's configuration: the test centres and their outreach sites."""
