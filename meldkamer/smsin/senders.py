"""Who sent an SMS: a contractor of one of the clients, or (everyone else) a tenant.

Contractors will answer work orders by SMS (``ONDERWEG 30``, ``GEREED``: the
follow-up issue, not built yet). Until then a contractor's SMS is not fed to the
tenants' assistant (it would start a melding); it is logged as a contact and answered
with what is true: that the keywords are not handled automatically yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from meldkamer.clients.registry import ClientRegistry
from meldkamer.contact import MELDKAMER_PHONE

logger = logging.getLogger(__name__)

CONTRACTOR_ANSWER = (
    "Bericht ontvangen. Sms-opdrachten zoals ONDERWEG of GEREED verwerkt de meldkamer nog "
    f"niet automatisch. Gebruik de link in de werkbon of bel de meldkamer: {MELDKAMER_PHONE}."
)


@dataclass(frozen=True)
class ContractorSender:
    """A contractor known by its number, and the client whose file names it."""

    client_id: str
    contractor_id: str
    name: str


def contractor_for(registry: ClientRegistry, number: str) -> ContractorSender | None:
    """The contractor whose phone or SMS number ``number`` (E.164) is, if any."""
    for client in registry:
        for contractor in client.contractors.values():
            if number in (contractor.phone, contractor.sms):
                return ContractorSender(client.id, contractor.id, contractor.name)
    return None


def contractor_message(sender: ContractorSender, text: str) -> str:
    """The hook for the contractors' keywords (issue 11): logged for now; the answer."""
    keyword = (text.split() or [""])[0].upper()[:20]
    logger.info(
        "SMS from contractor %s (%s): keyword %r not handled automatically yet",
        sender.contractor_id,
        sender.client_id,
        keyword,
    )
    return CONTRACTOR_ANSWER
