"""The delivery loop: claim due outbox messages, send them, record the outcome.

A claim is committed before anything is sent and each outcome is committed on its
own. A worker that dies leaves its unsent claimed messages 'bezig'; once the lease runs
out another worker sends them. Only the outcome of the message in flight can be lost,
so that one message may be sent twice (e-mails carry the same Message-ID, SMS the same
reference, for the receiver to spot the copy).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from meldkamer.notify.delivery import DeliveryError, Sender
from meldkamer.notify.models import MessageKind, OutboxMessage, OutboxStatus
from meldkamer.notify.outbox import DEFAULT_LEASE, claim_due, mark_failed, mark_sent, release

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
Clock = Callable[[], datetime]
#: A task run every round next to the deliveries, called as ``job(sessions, now)``.
ExtraJob = Callable[[SessionFactory, datetime], Awaitable[None]]

# Ten sends of at most 30 s each stay well inside the default lease of ten minutes.
DEFAULT_BATCH = 10


@dataclass
class DeliveryReport:
    """What one round of :func:`deliver_due` did.

    Attributes:
        claimed: Messages taken from the queue.
        sent: Messages delivered.
        retried: Messages that failed and will be tried again later.
        failed: Messages that failed for good (``mislukt``).
        released: Messages put back unsent because the worker is stopping.
    """

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0


def _record(
    sessions: SessionFactory,
    message: OutboxMessage,
    now: datetime,
    error: DeliveryError | None,
) -> str:
    with sessions() as session:
        row = session.get(OutboxMessage, message.id)
        if row is None:  # deleted while it was being sent; nothing left to record on
            return OutboxStatus.VERZONDEN.value if error is None else OutboxStatus.MISLUKT.value
        if error is None:
            mark_sent(session, row, now)
        else:
            mark_failed(session, row, error.reason, now, permanent=error.permanent)
        session.commit()
        status: str = row.status
        return status


async def _send(sender: Sender, message: OutboxMessage) -> DeliveryError | None:
    try:
        await sender.send(message)
    except DeliveryError as error:
        return error
    except Exception as error:
        # A fault in a sender must neither stop the worker nor leave the message
        # claimed until the lease runs out: it counts as a failed attempt.
        logger.exception("bericht %s: onverwachte fout bij verzenden", message.key)
        return DeliveryError(f"onverwachte fout: {type(error).__name__}")
    return None


async def deliver_due(
    sessions: SessionFactory,
    senders: Mapping[str, Sender],
    now: datetime,
    *,
    limit: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
    clock: Clock | None = None,
    stop_event: asyncio.Event | None = None,
) -> DeliveryReport:
    """Send one batch of due messages of the configured kinds.

    Args:
        sessions: Makes a new session; one for the claim and one per outcome.
        senders: A sender per message kind; kinds without one are left in the queue.
        now: An aware datetime: decides what is due.
        limit: The most messages to claim.
        lease: How long the claim holds before another worker may take over.
        clock: Time stamps for the outcomes; ``now`` for all when omitted.
        stop_event: When set, the messages not yet sent go back to the queue.
    """
    report = DeliveryReport()
    if not senders:
        return report
    with sessions() as session:
        claimed = claim_due(session, now, limit=limit, lease=lease, kinds=senders.keys())
        session.commit()
    report.claimed = len(claimed)
    for index, message in enumerate(claimed):
        if stop_event is not None and stop_event.is_set():
            _release(sessions, claimed[index:])
            report.released = len(claimed) - index
            break
        error = await _send(senders[message.kind], message)
        status = _record(sessions, message, clock() if clock else now, error)
        if error is None:
            report.sent += 1
            logger.info(
                "bericht %s (%s, %s) verzonden, poging %d",
                message.key,
                message.kind,
                message.purpose,
                message.attempts,
                extra={"outbox_key": message.key},
            )
        elif status == OutboxStatus.MISLUKT.value:
            report.failed += 1
            logger.warning(
                "bericht %s (%s, %s) mislukt na %d poging(en): %s",
                message.key,
                message.kind,
                message.purpose,
                message.attempts,
                error.reason,
            )
        else:
            report.retried += 1
            logger.info(
                "bericht %s (%s, %s) poging %d mislukt, wordt opnieuw geprobeerd: %s",
                message.key,
                message.kind,
                message.purpose,
                message.attempts,
                error.reason,
            )
    return report


def _release(sessions: SessionFactory, messages: Sequence[OutboxMessage]) -> None:
    with sessions() as session:
        for message in messages:
            row = session.get(OutboxMessage, message.id)
            if row is not None:
                release(session, row)
        session.commit()


def warn_unconfigured(senders: Mapping[str, Sender]) -> None:
    """Log once per channel without a sender that its messages stay queued."""
    for kind in MessageKind:
        if kind.value not in senders:
            logger.warning(
                "kanaal %s is niet ingesteld: berichten van dit soort blijven in de wachtrij",
                kind.value,
            )


async def _wait(stop_event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop_event.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


async def run_worker(
    sessions: SessionFactory,
    senders: Mapping[str, Sender],
    *,
    interval: float = 2.0,
    clock: Clock,
    stop_event: asyncio.Event,
    extra_jobs: Sequence[ExtraJob] = (),
    limit: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
) -> None:
    """Deliver due messages and run ``extra_jobs`` every round until ``stop_event`` is set.

    A round that filled a whole batch is followed at once by the next; otherwise the
    worker waits ``interval`` seconds. Errors in a round (the database unreachable,
    a failing job) are logged and the next round tries again. On stop, the round in
    progress finishes its current message and puts the rest back in the queue.

    Args:
        sessions: Makes a new session for each step.
        senders: A sender per configured message kind.
        interval: Seconds between rounds when there was nothing more to do.
        clock: Returns the current time, aware.
        stop_event: Set to stop the worker.
        extra_jobs: Async callables ``(sessions, now)`` run after the deliveries of each round.
        limit: The most messages to claim per round.
        lease: How long a claim holds.
    """
    warn_unconfigured(senders)
    while not stop_event.is_set():
        busy = False
        try:
            report = await deliver_due(
                sessions,
                senders,
                clock(),
                limit=limit,
                lease=lease,
                clock=clock,
                stop_event=stop_event,
            )
            busy = report.claimed >= limit
        except Exception:
            logger.exception("bezorgronde mislukt; volgende ronde probeert het opnieuw")
        for job in extra_jobs:
            if stop_event.is_set():
                break
            try:
                await job(sessions, clock())
            except Exception:
                logger.exception("taak %s mislukt", getattr(job, "__name__", repr(job)))
        if not busy:
            await _wait(stop_event, interval)
