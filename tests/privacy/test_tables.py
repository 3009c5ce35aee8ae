"""Every table of Meldkamer has rows in the privacy tests' world, or is named here with why.

The export, erasure and retention tests scan every table (``dump``); a table they never
see filled could hold personal data no path removes. A new table fails this test until
the world fills it (through the real code) or it is named below.
"""

from __future__ import annotations

from sqlalchemy import func, select

from meldkamer.models import Base
from tests.privacy.conftest import World

#: Tables the world leaves empty, and why no tenant's or client staff's data is in them.
NOT_IN_THE_WORLD = {
    "medewerkers": "accounts of the meldkamer's own agents: managed by `meldkamer agents`",
    "medewerker_opdrachtgevers": "which clients an agent works for: ids only",
    "console_sessies": "the agents' console sessions: token hashes, expire by themselves",
    "privacy_acties": "the record of erasures: who did it, counts, never whose data",
    "worker_hartslag": "the workers' host names and the end of their latest round",
    # Not yet in the world (a gap, not a reason): the follow-up of a ticket, which
    # meldkamer/privacy/followup.py scrubs with the ticket.
    "werkbonnen": "gap: work orders of the world's tickets",
    "werkbon_gebeurtenissen": "gap: the contractors' steps and notes",
    "doorverbindingen": "gap: transfers of a call",
    "sla_klokken": "gap: SLA clocks (times and codes only)",
}


def test_every_table_has_rows_in_the_world_or_a_reason(world: World) -> None:
    with world.sessions() as session:
        empty = {
            table.name
            for table in Base.metadata.sorted_tables
            if session.execute(select(func.count()).select_from(table)).scalar_one() == 0
        }
    assert empty == set(NOT_IN_THE_WORLD)
