"""The use cases of the e-mail intake that need the database (channels/email calls them).

* :func:`conversation_of_ticket`: a mail with ``MK-...`` in the subject continues the
  conversation of that ticket;
* :func:`certainly_acuut`: the matrix says acuut whatever the missing answers are;
* :func:`queue_acuut`: such a first mail goes straight to the agents' queue, with a
  call-back (details are missing, so the bot cannot finish the melding by mail);
* :func:`queue_unreadable`: a mail we cannot read is kept and handed to a person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandedOver, HandoverRequest, hand_over
from meldkamer.tickets import get_ticket
from meldkamer.triage import TriageInputError
from meldkamer.triage.table import FactValue

logger = logging.getLogger(__name__)

ACUUT_REASON = "Acuut per {channel}: gegevens ontbreken, terugbellen"
UNREADABLE_REASON = "E-mail niet automatisch te lezen ({why}); bewaard als {where}"


def conversation_of_ticket(ctx: Collaborators, number: str) -> str | None:
    """The conversation in which ticket ``number`` was made, if it exists."""
    with ctx.sessions() as session:
        ticket = get_ticket(session, number)
        return ticket.conversation_id if ticket is not None else None


def certainly_acuut(
    ctx: Collaborators, topic: str | None, facts: Mapping[str, object], client_id: str | None
) -> bool:
    """Acuut on the facts known, with no open question that could change that."""
    if not topic:
        return False
    try:
        outcome = ctx.engine.evaluate(topic, facts, ctx.clock(), ctx.settings_for(client_id))
    except TriageInputError:
        logger.warning("mail intake: topic %r or its facts unknown to the matrix", topic)
        return False
    return outcome.urgency.value == "acuut" and not outcome.missing_facts


def _facts(facts: Mapping[str, object]) -> dict[str, FactValue]:
    return {k: v for k, v in facts.items() if isinstance(v, (bool, str))}


def queue_acuut(
    ctx: Collaborators,
    conversation_id: str,
    channel: str,
    *,
    topic: str,
    facts: Mapping[str, object],
    contact: Mapping[str, str | None],
    client_id: str | None,
) -> HandedOver:
    """Put the conversation in the agents' queue as acuut with what the mail told."""
    summary = HandoverSummary(
        topic=topic,
        facts=_facts(facts),
        address=contact.get("address"),
        name=contact.get("name"),
        phone=contact.get("phone"),
        email=contact.get("email"),
        description=contact.get("description"),
        client_id=client_id,
    )
    reason = ACUUT_REASON.format(channel=channel)
    return hand_over(ctx, HandoverRequest(conversation_id, channel, reason, summary))


def queue_unreadable(
    ctx: Collaborators, conversation_id: str, *, why: str, where: str, sender: str | None
) -> HandedOver:
    """Hand a mail that could not be read to a person; it is kept at ``where``."""
    summary = HandoverSummary(email=sender, description=f"Bewaard als {where}")
    reason = UNREADABLE_REASON.format(why=why, where=where)
    return hand_over(ctx, HandoverRequest(conversation_id, "email", reason, summary))
