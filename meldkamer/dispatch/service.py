"""One call does it all: what follows a registered melding, by urgency and client protocol.

* acuut: a work order to the contractor on call now, by SMS and e-mail, with a link to
  acknowledge; not acknowledged within the client's escalation time, the next
  contractor on the roster is asked (see :mod:`meldkamer.dispatch.escalation`);
* urgent: a work order with a deadline 24 hours out;
* niet urgent: nothing is sent; the tenant is told when to contact the client;
* ``inform_client``: the client's notification addresses get an e-mail directly;
* the tenant gets a confirmation e-mail when they gave an address.

Everything goes through the outbox in the caller's transaction, so the ticket and its
messages are stored together or not at all; each message is in the ticket's contact log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client, Complex, Contractor
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.contacts import enqueue_logged
from meldkamer.dispatch import texts
from meldkamer.dispatch.links import hash_token, new_token
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.tickets import Ticket, change_status, flag_attention
from meldkamer.triage import Outcome, Urgency

URGENT_DEADLINE = timedelta(hours=24)


@dataclass(frozen=True)
class DispatchSettings:
    """Where links point and who the meldkamer is.

    Attributes:
        public_url: base of the acknowledgement links (the console's public address).
        service_phone: the meldkamer's own number, in messages to contractors.
        agents_email: where escalations for the meldkamer's agents go (optional).
    """

    public_url: str = "http://localhost:8080"
    service_phone: str = MELDKAMER_PHONE
    agents_email: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DispatchSettings:
        """``MELDKAMER_PUBLIC_URL``, ``MELDKAMER_PHONE``, ``MELDKAMER_AGENTS_EMAIL``."""
        env = os.environ if env is None else env
        return cls(
            public_url=env.get("MELDKAMER_PUBLIC_URL") or cls.public_url,
            service_phone=env.get("MELDKAMER_PHONE") or cls.service_phone,
            agents_email=env.get("MELDKAMER_AGENTS_EMAIL") or None,
        )


@dataclass
class DispatchResult:
    """What dispatching did, for the conversation and the logs."""

    work_order: WorkOrder | None = None
    messages: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)


def dispatch(
    session: Session,
    ticket: Ticket,
    outcome: Outcome,
    client: Client | None,
    complex_: Complex | None,
    *,
    photos: Sequence[str] = (),
    settings: DispatchSettings,
    now: datetime,
) -> DispatchResult:
    """Send what the urgency and the client's protocol ask for (the caller commits)."""
    result = DispatchResult()
    if client is None:
        _attention(
            session,
            ticket,
            "Adres hoort bij geen bekende opdrachtgever: bel de huurder terug",
            now,
            result,
        )
    elif outcome.urgency in (Urgency.ACUUT, Urgency.URGENT):
        chain = client.on_call(complex_.id if complex_ else None, outcome.trade, now)
        if chain:
            result.work_order = send_work_order(
                session,
                ticket,
                client,
                chain,
                0,
                urgency=outcome.urgency,
                photos=photos,
                settings=settings,
                now=now,
            )
            result.messages.append(f"werkbon naar {chain[0].name}")
        else:
            _attention(
                session,
                ticket,
                f"Geen aannemer voor {outcome.trade} in het rooster: zelf regelen",
                now,
                result,
            )
    if client is not None and outcome.inform_client:
        for address in client.notification_emails:
            enqueue_logged(
                session,
                key=f"opdrachtgever:{ticket.number}:{address}",
                kind="email",
                recipient=address,
                subject=f"Melding {ticket.number}: {texts.urgency_word(outcome.urgency)} - direct informeren",
                body=texts.client_notice(ticket, outcome, client),
                ticket_id=ticket.id,
                purpose="opdrachtgever",
                now=now,
            )
            result.messages.append(f"e-mail opdrachtgever {address}")
    if ticket.email:
        enqueue_logged(
            session,
            key=f"bevestiging:{ticket.number}",
            kind="email",
            recipient=ticket.email,
            subject=f"Uw melding {ticket.number}",
            body=texts.tenant_confirmation(ticket, outcome, client),
            ticket_id=ticket.id,
            purpose="bevestiging_huurder",
            now=now,
        )
        result.messages.append("bevestiging huurder")
    if outcome.needs_assessment:
        _attention(
            session, ticket, "Beoordeling nodig: " + "; ".join(outcome.reasons[-1:]), now, result
        )
    return result


def send_work_order(
    session: Session,
    ticket: Ticket,
    client: Client,
    chain: Sequence[Contractor],
    step: int,
    *,
    urgency: Urgency,
    photos: Sequence[str] = (),
    settings: DispatchSettings,
    now: datetime,
) -> WorkOrder:
    """Create the work order for ``chain[step]`` and queue its SMS and e-mail."""
    contractor = chain[step]
    deadline = now + (client.escalation if urgency is Urgency.ACUUT else URGENT_DEADLINE)
    token = new_token()  # only in the link: the database keeps its hash
    order = WorkOrder(
        ticket_id=ticket.id,
        client_id=client.id,
        trade=str(ticket.outcome.get("trade") or "algemeen"),
        urgency=urgency.value,
        contractor_id=contractor.id,
        contractor_name=contractor.name,
        step=step,
        chain=[c.id for c in chain],
        token_hash=hash_token(token),
        status=WorkOrderStatus.VERSTUURD.value,
        deadline=deadline,
        created_at=now,
    )
    session.add(order)
    session.flush()
    link = f"{settings.public_url.rstrip('/')}/werkbon/{token}"
    enqueue_logged(
        session,
        key=f"werkbon:{ticket.number}:{order.id}:email",
        kind="email",
        recipient=contractor.email,
        subject=f"{texts.urgency_word(urgency).upper()} werkbon {ticket.number}: {texts.topic_name(ticket.topic)}",
        body=texts.work_order_email(ticket, order, client, link, photos, settings.service_phone),
        ticket_id=ticket.id,
        purpose="werkbon",
        now=now,
    )
    enqueue_logged(
        session,
        key=f"werkbon:{ticket.number}:{order.id}:sms",
        kind="sms",
        recipient=contractor.sms or contractor.phone,
        body=texts.work_order_sms(ticket, order, link),
        ticket_id=ticket.id,
        purpose="werkbon",
        now=now,
    )
    if ticket.status == "nieuw":
        change_status(
            session,
            ticket,
            "doorgezet",
            by="meldkamer",
            reason=f"werkbon naar {contractor.name}",
            now=now,
        )
    return order


def _attention(
    session: Session, ticket: Ticket, reason: str, now: datetime, result: DispatchResult
) -> None:
    flag_attention(session, ticket, reason, now)
    result.attention.append(reason)
