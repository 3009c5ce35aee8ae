"""How tenants reach the meldkamer when the chat cannot help: one source for every text.

The number is printed in apologies, fallbacks and rate-limit messages on every channel;
keeping it here means a contact centre changes it once.
"""

from __future__ import annotations

#: The meldkamer's 24/7 phone number as tenants read it.
MELDKAMER_PHONE = "088-3746100"
#: The emergency number for danger to people (fire, gas, injury).
EMERGENCY_PHONE = "112"
