"""Resume after an outage: register the meldingen the spool kept while the database was away.

Each spooled melding is registered in its own transaction through
:func:`meldkamer.service.registration.register_confirmed` (idempotent on
``melding_id``), and its file removed only after the commit. A real outage (the
database cannot be reached: :func:`meldkamer.db.is_outage`) stops the round: the rest
waits for the next. Anything else wrong with one file (it does not read, or its melding
cannot be stored as it is) sets that file aside as ``.json.fout`` and the round goes
on: one bad melding never holds up the ones behind it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from meldkamer.db import is_outage
from meldkamer.intake.spool import (
    Spooled,
    database_key,
    put_aside,
    read_spooled,
    spool_dir,
    spooled,
)
from meldkamer.notify.worker import ExtraJob, SessionFactory
from meldkamer.service.context import Collaborators
from meldkamer.service.registration import Origin, register_confirmed

logger = logging.getLogger(__name__)


@dataclass
class SpoolReport:
    """What :func:`resume_spooled` did.

    Attributes:
        registered: (melding id, ticket number, new ticket?) per registered file.
        failed: files set aside for a person (they do not read or cannot be stored).
        skipped: files meant for another database, left where they are.
        waiting: the database went away again: this many files wait for the next round.
    """

    registered: list[tuple[str, str, bool]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    waiting: int = 0


class _Outage(Exception):
    """The database went away while resuming."""


def resume_spooled(
    ctx: Collaborators, *, directory: Path | None = None, limit: int = 100
) -> SpoolReport:
    """Register the spooled meldingen (at most ``limit``), oldest first.

    Classified as at the moment the tenant confirmed, sent as of ``ctx.clock()``.
    """
    report = SpoolReport()
    files = spooled(directory or ctx.spool or spool_dir(sessions=ctx.sessions))[:limit]
    here = database_key(ctx.sessions)
    for position, path in enumerate(files):
        try:
            _resume_one(ctx, path, here, report)
        except _Outage as error:
            report.waiting = len(files) - position
            logger.warning(
                "database nog niet bereikbaar; %d gespoolde meldingen wachten: %s",
                report.waiting,
                error.__cause__,
            )
            break
    return report


def _resume_one(ctx: Collaborators, path: Path, here: str | None, report: SpoolReport) -> None:
    try:
        item = read_spooled(path)
    except FileNotFoundError:
        return  # registered by another process meanwhile
    except (ValueError, KeyError, TypeError) as error:
        logger.error("spoolbestand %s is onleesbaar (%s); apart gezet", path.name, error)
        put_aside(path)
        report.failed.append(path.name)
        return
    if item.database and here and item.database != here:
        logger.warning(
            "spoolbestand %s is voor database %s, niet voor %s: blijft liggen",
            path.name,
            item.database,
            here,
        )
        report.skipped.append(path.name)
        return
    try:
        number, new = _register(ctx, item)
    except Exception as error:
        if is_outage(error):
            raise _Outage() from error
        logger.exception("gespoolde melding %s niet te registreren; apart gezet", path.name)
        put_aside(path)
        report.failed.append(path.name)
        return
    path.unlink(missing_ok=True)
    report.registered.append((item.melding.melding_id, number, new))
    logger.info(
        "gespoolde melding %s vastgelegd als %s%s",
        item.melding.melding_id,
        number,
        "" if new else " (bestond al)",
    )


def _register(ctx: Collaborators, item: Spooled) -> tuple[str, bool]:
    with ctx.sessions.begin() as session:
        registered = register_confirmed(
            session,
            ctx,
            item.melding,
            photos=item.photos,
            origin=Origin.spool(item.received_at),
            now=ctx.clock(),
        )
        return registered.ticket.number, registered.new


def spool_job(ctx: Collaborators) -> ExtraJob:
    """The worker's round: register what the action server kept during an outage."""

    async def run(sessions: SessionFactory, now: datetime) -> None:
        report = resume_spooled(ctx)
        if report.registered or report.failed:
            logger.info(
                "spool: %d vastgelegd, %d apart gezet, %d wachten",
                len(report.registered),
                len(report.failed),
                report.waiting,
            )

    return run
