"""The test centre with what feedback and supervision need: a tablet and a supervisor."""

from __future__ import annotations

from tests.support.centres import PASSWORD, TEST_CONFIG

FEEDBACK_TOKEN = "feedback-tablet-token-0123456789"
SUPERVISOR = "super1"

_TABLET = f"""
  [[centre.device]]
  kind = "feedback"
  name = "tablet-1"
  token = "{FEEDBACK_TOKEN}"

[[centre]]
code = "OTH"
"""

FEEDBACK_CONFIG = (
    TEST_CONFIG.replace('\n[[centre]]\ncode = "OTH"\n', _TABLET, 1)
    + f"""
[[user]]
username = "{SUPERVISOR}"
password = "{PASSWORD}"
role = "supervisor"
centres = ["TST"]

[[user]]
username = "othersuper"
password = "{PASSWORD}"
role = "supervisor"
centres = ["OTH"]
"""
)
assert FEEDBACK_TOKEN in FEEDBACK_CONFIG
