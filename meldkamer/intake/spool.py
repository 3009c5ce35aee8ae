"""Meldingen that could not be stored: kept on disk until the database is back.

This module is the spool's file storage only; what happens with the files is the use
case :mod:`meldkamer.service.spool`. When registering a confirmed melding fails because
the database is away, the complete melding is written to a spool folder, one JSON file
per ``melding_id``, atomically (a temporary file, fsync, rename). A file is removed only
after its melding was registered.

The folder is ``MELDKAMER_SPOOL_DIR``, default ``var/spool`` (``spool/`` in
``MELDKAMER_VAR_DIR``; with a SQLite database file elsewhere, ``spool/`` next to that
file). The worker and the action server must see the same folder. Each file names
the database it was meant for, so meldingen never end up in the wrong database.

A file that cannot be read or registered for another reason than the database being
away is renamed to ``<melding_id>.json.fout`` for a person to look at.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeAlias

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.intake.melding import Melding
from meldkamer.intake.validation import Address
from meldkamer.triage.table import FactValue

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

Sessions: TypeAlias = "sessionmaker[Session]"


def _bound_engine(sessions: Sessions | None) -> Engine | None:
    bind = getattr(sessions, "kw", {}).get("bind")
    return bind if isinstance(bind, Engine) else None


def spool_dir(env: Mapping[str, str] | None = None, sessions: Sessions | None = None) -> Path:
    """The spool folder.

    ``MELDKAMER_SPOOL_DIR`` when set; else, for a SQLite database file, ``spool/`` next
    to that file (``var/spool`` for the default ``var/meldkamer.db``); else ``spool/``
    in ``MELDKAMER_VAR_DIR`` (default ``var/``).
    """
    environ = os.environ if env is None else env
    configured = environ.get(SPOOL_ENV, "").strip()
    if configured:
        return Path(configured).resolve()
    bind = _bound_engine(sessions)
    if bind is not None and bind.url.get_backend_name() == "sqlite":
        database = bind.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            return (Path(database).resolve().parent / "spool").resolve()
    var_dir = Path(environ.get("MELDKAMER_VAR_DIR", "").strip() or "var")
    return (Path.cwd() / var_dir / "spool").resolve()


def database_key(sessions: Sessions | None) -> str | None:
    """Which database ``sessions`` writes to, as ``backend:name`` (``None`` if unknown).

    The host is left out on purpose: the worker and the action server may reach the
    same database under different host names.
    """
    bind = _bound_engine(sessions)
    if bind is None:
        return None
    url = make_url(bind.url)
    return f"{url.get_backend_name()}:{url.database or ''}"


def _path(directory: Path, melding_id: str, suffix: str = SUFFIX) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in melding_id)[:100]
    return directory / f"{safe or 'melding'}{suffix}"


@dataclass(frozen=True)
class Spooled:
    """A melding read back from the spool."""

    melding: Melding
    photos: tuple[str, ...]
    received_at: datetime
    database: str | None
    path: Path


def _to_json(melding: Melding) -> dict[str, object]:
    data = asdict(melding)
    data["facts"] = dict(melding.facts)
    data["unknown_facts"] = list(melding.unknown_facts)
    return data


def _mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is geen object")
    return value


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _facts(value: object) -> dict[str, FactValue]:
    facts: dict[str, FactValue] = {}
    for name, fact in _mapping(value or {}, "facts").items():
        if not isinstance(fact, (bool, str)):
            raise TypeError(f"feit {name!r} heeft geen geldige waarde")
        facts[name] = fact
    return facts


def _from_json(value: object) -> Melding:
    data = _mapping(value, "melding")
    address = _mapping(data["address"], "address")
    unknown = data.get("unknown_facts") or []
    if not isinstance(unknown, list):
        raise TypeError("unknown_facts is geen lijst")
    huisnummer = address["huisnummer"]
    if not isinstance(huisnummer, (int, str)):
        raise TypeError("huisnummer is geen getal")
    return Melding(
        melding_id=str(data["melding_id"]),
        conversation_id=str(data["conversation_id"]),
        channel=str(data["channel"]),
        topic=str(data["topic"]),
        address=Address(
            postcode=str(address["postcode"]),
            huisnummer=int(huisnummer),
            toevoeging=_optional(address.get("toevoeging")),
        ),
        naam=str(data["naam"]),
        telefoon=str(data["telefoon"]),
        beschrijving=str(data["beschrijving"]),
        facts=_facts(data.get("facts")),
        unknown_facts=tuple(str(name) for name in unknown),
        email=_optional(data.get("email")),
        client_id=_optional(data.get("client_id")),
        complex_id=_optional(data.get("complex_id")),
        attention=_optional(data.get("attention")),
        taal=str(data.get("taal") or "nl"),
    )


def spool_melding(
    melding: Melding,
    *,
    received_at: datetime,
    photos: Sequence[str] = (),
    sessions: Sessions | None = None,
    directory: Path | None = None,
    problem: str | None = None,
) -> Path:
    """Write the melding to the spool atomically; returns the file.

    Writing the same melding again replaces its file. With a ``problem`` the melding is
    written set aside (``.json.fout``) at once, for a person: it cannot be registered as
    it is. Raises ``OSError`` when the folder cannot be written.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at heeft geen tijdzone")
    folder = directory or spool_dir(sessions=sessions)
    folder.mkdir(parents=True, exist_ok=True)
    record: dict[str, object] = {
        "version": VERSION,
        "melding": _to_json(melding),
        "photos": list(photos),
        "received_at": received_at.isoformat(),
        "database": database_key(sessions),
        "spooled_at": datetime.now(timezone.utc).isoformat(),
    }
    if problem:
        record["problem"] = problem
    target = _path(folder, melding.melding_id, FAILED_SUFFIX if problem else SUFFIX)
    _write_atomically(folder, target, record)
    logger.warning("melding %s bewaard in %s", melding.melding_id, target)
    return target


def _write_atomically(folder: Path, target: Path, record: Mapping[str, object]) -> None:
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
    """Read one spool file; raises ``ValueError``/``KeyError``/``TypeError`` when it does not read."""
    record = _mapping(json.loads(path.read_text("utf-8")), path.name)
    if record.get("version") != VERSION:
        raise ValueError(f"{path.name}: onbekende versie")
    received_at = datetime.fromisoformat(str(record["received_at"]))
    if received_at.tzinfo is None:
        raise ValueError(f"{path.name}: tijdstip zonder tijdzone")
    photos = record.get("photos") or []
    if not isinstance(photos, list):
        raise TypeError(f"{path.name}: photos is geen lijst")
    return Spooled(
        melding=_from_json(record["melding"]),
        photos=tuple(str(p) for p in photos),
        received_at=received_at,
        database=_optional(record.get("database")),
        path=path,
    )


def _files(directory: Path | None, suffix: str) -> list[Path]:
    folder = directory or spool_dir()
    try:
        files = [p for p in folder.iterdir() if p.name.endswith(suffix) and p.is_file()]
    except FileNotFoundError:
        return []
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def spooled(directory: Path | None = None) -> list[Path]:
    """The spool files waiting, oldest first (empty when the folder does not exist)."""
    return _files(directory, SUFFIX)


def set_aside(directory: Path | None = None) -> list[Path]:
    """The files set aside for a person (``.json.fout``), oldest first."""
    return _files(directory, FAILED_SUFFIX)


def put_aside(path: Path) -> None:
    """Rename a spool file to ``.json.fout``: a person looks at it; it is never retried."""
    try:
        os.replace(path, path.with_name(path.name[: -len(SUFFIX)] + FAILED_SUFFIX))
    except OSError:
        logger.exception("kon %s niet apart zetten", path.name)
