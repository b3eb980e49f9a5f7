"""A centre whose kiosks print: builders of its configuration for the printing tests."""

from __future__ import annotations

from tests.support.centres import PASSWORD

CENTRE = "PRN"
TCP_KIOSKS = 4
AGENT_KIOSK_TOKEN = "prn-kiosk-agent-token-0123456789"
PLAIN_KIOSK_TOKEN = "prn-kiosk-plain-token-0123456789"
PRINTER_AGENT_TOKEN = "prn-printer-agent-token-0123456789"
DISPLAY_TOKEN = "prn-display-token-0123456789"
FILE_KIOSK_TOKEN = "prn-kiosk-file-token-0123456789"
SUPERVISOR, CLERK, OTHER_SUPERVISOR = "prn-super", "prn-clerk", "prx-super"
OTHER_CENTRE = "PRX"


def tcp_kiosk_token(i: int) -> str:
    """The token of kiosk-tcp-`i` (1 to TCP_KIOSKS)."""
    return f"prn-kiosk-tcp-{i}-token-0123456789"


def print_config(printer_urls: list[str], file_printer: str = "file:///dev/null") -> str:
    """Centre PRN: kiosk-tcp-1.. on these printers, kiosk-file on `file_printer`, kiosk-agent,
    kiosk-plain, a print agent and a hall display.

    With a supervisor and a clerk of PRN, and a supervisor of another centre, PRX.
    """
    kiosks = "".join(
        f"""
  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-tcp-{i}"
  token = "{tcp_kiosk_token(i)}"
  printer = "{url}"
"""
        for i, url in enumerate(printer_urls, start=1)
    )
    users = "".join(
        f"""
[[user]]
username = "{name}"
password = "{PASSWORD}"
role = "{role}"
centres = ["{centre}"]
"""
        for name, role, centre in [
            (SUPERVISOR, "supervisor", CENTRE),
            (CLERK, "clerk", CENTRE),
            (OTHER_SUPERVISOR, "supervisor", OTHER_CENTRE),
        ]
    )
    return f"""
[[centre]]
code = "{CENTRE}"
name = "Huduma Centre Printing"

  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = {{ en = "National ID card", sw = "Kitambulisho cha Taifa" }}
  category = "Registration of Persons"

  [[centre.service.slots]]
  start = "08:00"
  end = "12:00"
  minutes = 15
  capacity = 2

  [[centre.counter]]
  number = 1
  services = ["ID"]
{kiosks}
  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-file"
  token = "{FILE_KIOSK_TOKEN}"
  printer = "{file_printer}"

  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-agent"
  token = "{AGENT_KIOSK_TOKEN}"
  printer = "agent"

  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-plain"
  token = "{PLAIN_KIOSK_TOKEN}"

  [[centre.device]]
  kind = "printer-agent"
  name = "agent-1"
  token = "{PRINTER_AGENT_TOKEN}"

  [[centre.device]]
  kind = "display"
  name = "hall"
  token = "{DISPLAY_TOKEN}"

[[centre]]
code = "{OTHER_CENTRE}"
name = "Huduma Centre Elsewhere"
{users}"""
