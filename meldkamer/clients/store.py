"""Applied client files in the database: versions, history, diffs and the live registry.

Every function takes the caller's session and flushes but does not commit: the caller
decides where the transaction ends, so that applying several files is all or nothing.
Two people applying the same client at once both reach for the same next version
number; the unique constraint on (client_id, version) lets one of them fail.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, desc, func, select
from sqlalchemy.orm import Session

from meldkamer.clients.loader import LoadedClient, parse_client
from meldkamer.clients.models import ClientVersion
from meldkamer.clients.registry import ClientRegistry, RegistryConflictError, conflicts
from meldkamer.clients.schema import Client
from meldkamer.rows import rows_of
from meldkamer.triage import default_engine
from meldkamer.triage.table import DecisionTable

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
#: ``purpose`` of the confirmation e-mail in the notification outbox.
PURPOSE = "configuratie"
_MAX_BY = 100


def checksum(source: str) -> str:
    """SHA-256 (hex) of a client file's text."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def newest_version(session: Session, client_id: str) -> ClientVersion | None:
    """The version of a client that is in force, or ``None`` when it was never applied."""
    statement = (
        select(ClientVersion)
        .where(ClientVersion.client_id == client_id)
        .order_by(desc(ClientVersion.version))
        .limit(1)
    )
    found: ClientVersion | None = session.execute(statement).scalars().first()
    return found


def newest_versions(session: Session) -> list[ClientVersion]:
    """The version in force of every client, by client id."""
    newest = (
        select(ClientVersion.client_id, func.max(ClientVersion.version).label("version"))
        .group_by(ClientVersion.client_id)
        .subquery()
    )
    statement = (
        select(ClientVersion)
        .join(
            newest,
            and_(
                ClientVersion.client_id == newest.c.client_id,
                ClientVersion.version == newest.c.version,
            ),
        )
        .order_by(ClientVersion.client_id)
    )
    return list(session.execute(statement).scalars())


def apply(
    session: Session,
    client: Client,
    source: str,
    by: str,
    now: datetime,
    note: str | None = None,
) -> ClientVersion:
    """Store ``source`` (the checked file of ``client``) as the client's next version.

    Returns the version in force afterwards: the existing one when ``source`` is the
    text applied last (no new version, no e-mail). A new version also queues a
    confirmation e-mail to the client's contact address, in the same transaction.

    Raises:
        ValueError: ``by`` is empty or too long, or ``now`` is naive.
    """
    version, _ = _apply(session, client, source, by, now, note)
    return version


def apply_all(
    session: Session,
    loaded: Sequence[LoadedClient],
    by: str,
    now: datetime,
    note: str | None = None,
    table: DecisionTable | None = None,
) -> list[tuple[ClientVersion, bool]]:
    """Apply several checked files together, or none of them.

    Before writing anything, the clients in force with these ones replacing theirs must
    not claim an address or entry point twice. Stored versions are read with ``table``
    (the packaged matrix when omitted).

    Returns:
        per file its version in force and whether it is new.

    Raises:
        RegistryConflictError: the set would clash; nothing was written.
        ClientFileError: a stored version of another client no longer reads with ``table``.
    """
    table = table if table is not None else default_engine().table
    replacing = {item.client.id for item in loaded}
    stored = _parsed(
        (row for row in newest_versions(session) if row.client_id not in replacing), table
    )
    clashes = conflicts([*stored, *(item.client for item in loaded)])
    if clashes:
        raise RegistryConflictError(clashes)
    return [_apply(session, item.client, item.source, by, now, note) for item in loaded]


def _apply(
    session: Session,
    client: Client,
    source: str,
    by: str,
    now: datetime,
    note: str | None,
) -> tuple[ClientVersion, bool]:
    by = by.strip()
    if not by or len(by) > _MAX_BY:
        raise ValueError(f"wie de wijziging doorvoert (1 tot {_MAX_BY} tekens) is verplicht")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("het moment van toepassen heeft een tijdzone nodig")
    digest = checksum(source)
    current = newest_version(session, client.id)
    if current is not None and current.checksum == digest:
        return current, False
    version = ClientVersion(
        client_id=client.id,
        version=1 if current is None else current.version + 1,
        source=source,
        checksum=digest,
        applied_by=by,
        applied_at=now,
        note=(note or "").strip() or None,
    )
    session.add(version)
    session.flush()
    _confirm(session, client, version, now)
    return version, True


def _confirm(session: Session, client: Client, version: ClientVersion, now: datetime) -> None:
    """Queue the confirmation e-mail (seed 1.4), if the notification outbox is installed."""
    try:
        from meldkamer.notify import outbox
    except ModuleNotFoundError as exc:
        # Only a missing outbox means "not installed"; a broken one must not hide.
        if exc.name not in ("meldkamer.notify", "meldkamer.notify.outbox"):
            raise
        return
    local = version.applied_at.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")
    lines = [
        f"Beste {client.name},",
        "",
        f"Uw wijziging is verwerkt in de meldkamer: versie {version.version} van uw "
        f"instellingen geldt sinds {local}.",
    ]
    if version.note:
        lines.append(f"Omschrijving: {version.note}")
    lines += [
        "",
        "Klopt er iets niet? Antwoord dan op deze e-mail.",
        "",
        "Met vriendelijke groet,",
        "De meldkamer",
    ]
    outbox.enqueue(
        session,
        key=f"configuratie:{client.id}:{version.version}",
        kind="email",
        recipient=client.contact.email,
        subject=f"Bevestiging: instellingen {client.name} bijgewerkt (versie {version.version})",
        body="\n".join(lines),
        purpose=PURPOSE,
        now=now,
    )


def history(session: Session, client_id: str) -> list[ClientVersion]:
    """Every version of a client, oldest first."""
    return rows_of(
        session,
        ClientVersion,
        ClientVersion.client_id == client_id,
        order_by=(ClientVersion.version,),
    )


def diff(session: Session, client: Client, source: str, name: str | None = None) -> str:
    """A unified diff of ``source`` against the version in force, or a note saying why not."""
    current = newest_version(session, client.id)
    if current is None:
        return f"Nieuwe opdrachtgever {client.id}: er is nog geen versie toegepast."
    if current.checksum == checksum(source):
        return f"Geen wijzigingen ten opzichte van versie {current.version} van {client.id}."
    lines = difflib.unified_diff(
        current.source.splitlines(),
        source.splitlines(),
        fromfile=f"{client.id} versie {current.version}",
        tofile=name or f"{client.id} nieuw",
        lineterm="",
    )
    return "\n".join(lines)


def latest(session: Session, table: DecisionTable | None = None) -> ClientRegistry:
    """The registry of every client's version in force, read with ``table``.

    ``table`` is the packaged urgency matrix when omitted.

    Raises:
        ClientFileError: a stored version no longer reads (e.g. the table lost a topic);
            the messages name the client and version.
        RegistryConflictError: the stored clients clash (only possible when written
            around :func:`apply_all`).
    """
    table = table if table is not None else default_engine().table
    return ClientRegistry(_parsed(newest_versions(session), table))


def load_default_registry(session: Session) -> ClientRegistry:
    """The registry the assistant works with: versions in force, read with the packaged matrix."""
    return latest(session)


def _parsed(rows: Iterable[ClientVersion], table: DecisionTable) -> list[Client]:
    if table is not default_engine().table:
        return [parse_client(row.source, _stored_name(row), table) for row in rows]
    return [_parsed_with_the_packaged_matrix(row.source, _stored_name(row)) for row in rows]


@lru_cache(maxsize=256)
def _parsed_with_the_packaged_matrix(source: str, name: str) -> Client:
    # A stored version never changes and a Client is frozen, so each is read once per
    # process: every refresh of a client cache read them all again, and the YAML
    # composer (pure Python, for the line numbers) takes some 50 ms per file.
    return parse_client(source, name, default_engine().table)


def _stored_name(row: ClientVersion) -> str:
    return f"{row.client_id} versie {row.version}"
