"""``meldkamer worker``: send the e-mails, SMS and chat messages waiting in the outbox.

Settings come from the environment: ``DATABASE_URL`` (see :mod:`meldkamer.db`),
``SMTP_*``/``MAIL_FROM`` for e-mail, ``SMS_*`` for SMS, and ``RASA_URL`` with
``MELDKAMER_RASA_TOKEN`` for the tenants' chat updates. A channel without settings
is off; its messages wait. SIGTERM or SIGINT stops the worker after the message it
is sending.

Exit codes: 0 stopped normally, 1 database error.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from meldkamer import logformat
from meldkamer.cli.common import positive
from meldkamer.composition import Collaborators, collaborators, open_database
from meldkamer.db import database_url, safe_url
from meldkamer.metrics.heartbeat import heartbeat_job
from meldkamer.notify.attachments import session_loader
from meldkamer.notify.senders import Sender, senders_from_env
from meldkamer.notify.worker import SessionFactory, deliver_due, run_worker, warn_unconfigured
from meldkamer.privacy.retention import RetentionJob
from meldkamer.service.monthly_report import monthly_report_job
from meldkamer.service.spool import spool_job
from meldkamer.sla.escalate import sla_job

logger = logging.getLogger("meldkamer.worker")


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``worker`` command to the top-level sub-parsers ``groups``."""
    parser = groups.add_parser(
        "worker",
        help="e-mails en sms'jes uit de outbox versturen",
        description="Verstuurt de berichten uit de outbox tot SIGTERM of Ctrl-C.",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="alleen versturen wat nu klaarstaat en dan stoppen",
    )
    parser.add_argument(
        "--interval",
        type=positive(float, "geen getal"),
        default=2.0,
        help="seconden tussen twee rondes als er niets te doen was (standaard 2)",
    )
    parser.set_defaults(handler=run)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _configure_logging() -> None:
    # Leaves alone a configuration made by whoever embeds the worker.
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
    logformat.install()  # JSON if MELDKAMER_LOG_FORMAT=json


async def _drain(sessions: SessionFactory, senders: Mapping[str, Sender]) -> None:
    warn_unconfigured(senders)
    # One fixed moment: a message that fails is due again only later, so this ends.
    now = _now()
    while True:
        report = await deliver_due(sessions, senders, now, clock=_now)
        if report.claimed == 0:
            return


async def _serve(ctx: Collaborators, senders: Mapping[str, Sender], interval: float) -> None:
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop_event.set)
    try:
        await run_worker(
            ctx.sessions,
            senders,
            interval=interval,
            clock=_now,
            stop_event=stop_event,
            # Overdue acuut work orders go to the next contractor, SLA breaches along
            # their escalation chain, every round (meldkamer/sla/escalate.py). The
            # heartbeat comes last: it says a whole round was done (/metrics, alerts).
            extra_jobs=(
                sla_job(dispatch=ctx.dispatch),
                spool_job(ctx),
                RetentionJob(),
                # Last month's report to each client, on the first days (docs/REPORTS.md).
                monthly_report_job(ctx),
                heartbeat_job(),
            ),
        )
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def _main(
    ctx: Collaborators, senders: Mapping[str, Sender], args: argparse.Namespace
) -> None:
    try:
        if args.once:
            await _drain(ctx.sessions, senders)
        else:
            await _serve(ctx, senders, args.interval)
    finally:
        for sender in senders.values():
            await sender.close()


def run(args: argparse.Namespace) -> int:
    """Run the worker until stopped (or one pass with ``--once``); returns the exit code."""
    _configure_logging()
    url = database_url()
    logger.info("database: %s", safe_url(url))
    try:
        database = open_database(url)
    except SQLAlchemyError as error:
        logger.error("database bijwerken mislukt: %s", error)
        return 1
    # E-mails read their attachments (the monthly report's PDF) from the database.
    senders = senders_from_env(attachments=session_loader(database.sessions))
    logger.info("kanalen aan: %s", ", ".join(sorted(senders)) or "geen")
    try:
        asyncio.run(_main(collaborators(database.sessions, clock=_now), senders, args))
    except SQLAlchemyError as error:
        logger.error("databasefout: %s", error)
        return 1
    finally:
        database.close()
    logger.info("worker gestopt")
    return 0
