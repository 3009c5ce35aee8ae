"""Meldingen that could not be stored: kept on disk until the database is back.

When registering a confirmed melding fails on a database error, the action server
writes the complete melding to a spool folder, one JSON file per ``melding_id``,
written atomically (a temporary file, fsync, rename), and tells the tenant it is kept.
:func:`flush_spool` registers spooled meldingen once the database answers: ticket, work
order and messages in one transaction, idempotent on ``melding_id`` (registering the
same melding twice is one ticket), and removes a file only after the commit. The worker
runs it every round (:func:`spool_job`) and the action server before each registration.

The folder is ``MELDKAMER_SPOOL_DIR``, default ``var/spool`` (``spool/`` in
``MELDKAMER_VAR_DIR``; with a SQLite database file elsewhere, ``spool/`` next to that
file). The worker and the action server must see the same folder. Each file names
the database it was meant for; a file for another database is left alone (with a
warning), so meldingen never end up in the wrong database.

A file that cannot be read or registered for another reason than the database being
away is renamed to ``<melding_id>.json.fout`` for a person to look at.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.clients.registry import ClientRegistry
from meldkamer.intake.melding import Melding, register_melding
from meldkamer.intake.validation import Address
from meldkamer.triage import TriageEngine, TriageSettings, default_engine

logger = logging.getLogger(__name__)

SPOOL_ENV = "MELDKAMER_SPOOL_DIR"
SUFFIX = ".json"
FAILED_SUFFIX = ".json.fout"
VERSION = 1
#: The note on a ticket registered from the spool: the tenant got no ticket number.
ATTENTION = (
    "Melding tijdens een storing van de database bewaard en later vastgelegd; "
    "de huurder kreeg geen meldnummer: bel zo nodig terug"
)


def spool_dir(env: Mapping[str, str] | None = None, sessions: Any = None) -> Path:
    """The spool folder.

    ``MELDKAMER_SPOOL_DIR`` when set; else, for a SQLite database file, ``spool/`` next
    to that file (``var/spool`` for the default ``var/meldkamer.db``); else ``spool/``
    in ``MELDKAMER_VAR_DIR`` (default ``var/``).
    """
    environ = os.environ if env is None else env
    configured = environ.get(SPOOL_ENV, "").strip()
    if configured:
        return Path(configured).resolve()
    bind = getattr(sessions, "kw", {}).get("bind")
    if isinstance(bind, Engine) and bind.url.get_backend_name() == "sqlite":
        database = bind.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            return (Path(database).resolve().parent / "spool").resolve()
    var_dir = Path(environ.get("MELDKAMER_VAR_DIR", "").strip() or "var")
    return (Path.cwd() / var_dir / "spool").resolve()


def database_key(sessions: Any) -> str | None:
    """Which database ``sessions`` writes to, as ``backend:name`` (``None`` if unknown).

    The host is left out on purpose: the worker and the action server may reach the
    same database under different host names.
    """
    bind = getattr(sessions, "kw", {}).get("bind")
    if not isinstance(bind, Engine):
        return None
    url = make_url(bind.url)
    return f"{url.get_backend_name()}:{url.database or ''}"


def _path(directory: Path, melding_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in melding_id)[:100]
    return directory / f"{safe or 'melding'}{SUFFIX}"


@dataclass(frozen=True)
class Spooled:
    """A melding read back from the spool."""

    melding: Melding
    photos: tuple[str, ...]
    received_at: datetime
    database: str | None
    path: Path


@dataclass
class FlushReport:
    """What :func:`flush_spool` did: registered (melding id, ticket number, new?)."""

    registered: list[tuple[str, str, bool]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: The database was away: the rest waits for the next round.
    waiting: int = 0


def _to_json(melding: Melding) -> dict[str, Any]:
    data = asdict(melding)
    data["facts"] = dict(melding.facts)
    data["unknown_facts"] = list(melding.unknown_facts)
    return data


def _from_json(data: Mapping[str, Any]) -> Melding:
    address = data["address"]
    return Melding(
        melding_id=str(data["melding_id"]),
        conversation_id=str(data["conversation_id"]),
        channel=str(data["channel"]),
        topic=str(data["topic"]),
        address=Address(
            postcode=str(address["postcode"]),
            huisnummer=int(address["huisnummer"]),
            toevoeging=address.get("toevoeging"),
        ),
        naam=str(data["naam"]),
        telefoon=str(data["telefoon"]),
        beschrijving=str(data["beschrijving"]),
        facts=dict(data.get("facts") or {}),
        unknown_facts=tuple(data.get("unknown_facts") or ()),
        email=data.get("email"),
        client_id=data.get("client_id"),
        complex_id=data.get("complex_id"),
        attention=data.get("attention"),
    )


def spool_melding(
    melding: Melding,
    *,
    received_at: datetime,
    photos: list[str] | tuple[str, ...] = (),
    sessions: Any = None,
    directory: Path | None = None,
) -> Path:
    """Write the melding to the spool atomically; returns the file.

    Writing the same melding again replaces its file. Raises ``OSError`` when the
    folder cannot be written.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at heeft geen tijdzone")
    folder = directory or spool_dir(sessions=sessions)
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "version": VERSION,
        "melding": _to_json(melding),
        "photos": list(photos),
        "received_at": received_at.isoformat(),
        "database": database_key(sessions),
        "spooled_at": datetime.now(timezone.utc).isoformat(),
    }
    target = _path(folder, melding.melding_id)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_dir(folder)
    logger.warning("melding %s bewaard in %s", melding.melding_id, target)
    return target


def _sync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_spooled(path: Path) -> Spooled:
    """Read one spool file; raises ``ValueError``/``KeyError`` for a file that does not read."""
    record = json.loads(path.read_text("utf-8"))
    if not isinstance(record, dict) or record.get("version") != VERSION:
        raise ValueError(f"{path.name}: onbekende versie")
    received_at = datetime.fromisoformat(record["received_at"])
    if received_at.tzinfo is None:
        raise ValueError(f"{path.name}: tijdstip zonder tijdzone")
    return Spooled(
        melding=_from_json(record["melding"]),
        photos=tuple(str(p) for p in record.get("photos") or ()),
        received_at=received_at,
        database=record.get("database"),
        path=path,
    )


def spooled(directory: Path | None = None) -> list[Path]:
    """The spool files waiting, oldest first (empty when the folder does not exist)."""
    folder = directory or spool_dir()
    try:
        files = [p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()]
    except FileNotFoundError:
        return []
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def _register(
    session: Session,
    item: Spooled,
    *,
    engine: TriageEngine,
    registry: ClientRegistry,
    dispatch_settings: Any,
    now: datetime,
) -> tuple[str, bool]:
    from meldkamer.attachments.store import link_to_ticket
    from meldkamer.dispatch.service import dispatch
    from meldkamer.tickets import flag_attention

    melding = item.melding
    client = (
        registry.get(melding.client_id)
        if melding.client_id and melding.client_id in registry
        else None
    )
    complex_ = client.complex(melding.complex_id) if client and melding.complex_id else None
    settings = client.triage_settings(engine.table) if client else TriageSettings()
    # Classified as at the moment the tenant confirmed; sent as of now.
    ticket, outcome, new = register_melding(
        session, melding, engine=engine, settings=settings, now=item.received_at
    )
    if new:
        link_to_ticket(session, melding.conversation_id, item.photos, ticket.id)
        dispatch(
            session,
            ticket,
            outcome,
            client,
            complex_,
            photos=item.photos,
            settings=dispatch_settings,
            now=now,
        )
        flag_attention(session, ticket, ATTENTION, now)
    return ticket.number, new


def flush_spool(
    sessions: Any,
    *,
    engine: TriageEngine | None = None,
    registry: ClientRegistry | Callable[[], ClientRegistry] | None = None,
    dispatch_settings: Any = None,
    now: datetime | None = None,
    directory: Path | None = None,
    limit: int = 100,
) -> FlushReport:
    """Register the spooled meldingen (at most ``limit``), each in its own transaction.

    Idempotent on ``melding_id``: a melding registered before (by an earlier flush, or
    because the tenant confirmed again once the database was back) is not sent again.
    A file is removed only after its transaction committed. Stops at the first database
    error: the rest waits for the next call.

    Args:
        sessions: A ``sessionmaker``.
        engine: The urgency matrix; the packaged one when omitted.
        registry: The clients in force (or a function returning them); read from the
            database when omitted.
        dispatch_settings: Work-order settings; from the environment when omitted.
        now: The current time, aware; the machine's clock when omitted.
        directory: The spool folder; :func:`spool_dir` when omitted.
        limit: The most files handled in one call.
    """
    report = FlushReport()
    files = spooled(directory or spool_dir(sessions=sessions))
    if not files:
        return report
    from meldkamer.dispatch.service import DispatchSettings

    engine = engine or default_engine()
    dispatch_settings = dispatch_settings or DispatchSettings.from_env()
    moment = now or datetime.now(timezone.utc)
    here = database_key(sessions)
    clients: ClientRegistry | None = None
    for position, path in enumerate(files[:limit]):
        try:
            item = read_spooled(path)
        except FileNotFoundError:
            continue  # registered by another process meanwhile
        except (ValueError, KeyError, TypeError) as error:
            logger.error("spoolbestand %s is onleesbaar (%s); apart gezet", path.name, error)
            _set_aside(path)
            report.failed.append(path.name)
            continue
        if item.database and here and item.database != here:
            logger.warning(
                "spoolbestand %s is voor database %s, niet voor %s: blijft liggen",
                path.name,
                item.database,
                here,
            )
            report.skipped.append(path.name)
            continue
        try:
            if clients is None:
                clients = _clients(sessions, engine, registry)
            with sessions.begin() as session:
                number, new = _register(
                    session,
                    item,
                    engine=engine,
                    registry=clients,
                    dispatch_settings=dispatch_settings,
                    now=moment,
                )
        except SQLAlchemyError as error:
            logger.warning(
                "database nog niet bereikbaar; %d gespoolde meldingen wachten: %s",
                len(files) - position,
                error,
            )
            report.waiting = len(files) - position
            return report
        except Exception:
            logger.exception("gespoolde melding %s niet te registreren; apart gezet", path.name)
            _set_aside(path)
            report.failed.append(path.name)
            continue
        path.unlink(missing_ok=True)
        report.registered.append((item.melding.melding_id, number, new))
        logger.info(
            "gespoolde melding %s vastgelegd als %s%s",
            item.melding.melding_id,
            number,
            "" if new else " (bestond al)",
        )
    return report


def _clients(
    sessions: Any,
    engine: TriageEngine,
    registry: ClientRegistry | Callable[[], ClientRegistry] | None,
) -> ClientRegistry:
    if isinstance(registry, ClientRegistry):
        return registry
    if registry is not None:
        return registry()
    from meldkamer.clients.store import latest

    with sessions() as session:
        return latest(session, engine.table)


def _set_aside(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name[: -len(SUFFIX)] + FAILED_SUFFIX))
    except OSError:
        logger.exception("kon %s niet apart zetten", path.name)


async def spool_job(sessions: Any, now: datetime) -> None:
    """The worker's round: register what the action server kept during an outage."""
    report = flush_spool(sessions, now=now)
    if report.registered or report.failed:
        logger.info(
            "spool: %d vastgelegd, %d apart gezet, %d wachten",
            len(report.registered),
            len(report.failed),
            report.waiting,
        )
