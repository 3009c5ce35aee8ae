"""The agent's internal notes, from a conversation's page and from a ticket's page.

A note is for colleagues, never for the tenant (meldkamer.handover.service.add_note).
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import Session

from console.identity import current
from console.keys import CLOCK
from meldkamer.handover.service import add_note


def sentence(refusal: str) -> str:
    """A domain refusal ("een notitie mag niet leeg zijn") as a form shows it."""
    return refusal[:1].upper() + refusal[1:] + "."


def add_agent_note(
    request: web.Request,
    session: Session,
    conversation_id: str,
    text: str,
    ticket_id: int | None,
) -> str | None:
    """Add the signed-in agent's note; ``None``, or why it was refused (for the form)."""
    try:
        add_note(
            session,
            conversation_id,
            current(request).username,
            text,
            request.app[CLOCK](),
            ticket_id=ticket_id,
        )
    except ValueError as error:
        return sentence(str(error))  # add_note checks before it writes anything
    return None
