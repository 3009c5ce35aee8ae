"""``meldkamer clients``: check, compare and apply client files; show what is in force.

Exit codes: 0 done, 1 a file is refused, the files clash, a client is unknown, or a
database error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.cli.common import command_group, database_error, database_session, local_time
from meldkamer.clients import (
    Client,
    ClientFileError,
    LoadedClient,
    RegistryConflictError,
    apply_all,
    conflicts,
    diff,
    history,
    load_client,
    parse_client,
)
from meldkamer.clients.store import newest_versions
from meldkamer.triage import default_engine

EXIT_REFUSED = 1


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``clients`` command group to the top-level sub-parsers ``groups``."""
    commands = command_group(
        groups,
        "clients",
        "opdrachtgevers inrichten",
        description="Opdrachtgeverbestanden controleren, vergelijken en toepassen "
        "(zie docs/CLIENTS.md).",
    )

    validate = commands.add_parser("validate", help="bestanden controleren (zonder database)")
    validate.add_argument("files", nargs="+", metavar="FILE", help="opdrachtgeverbestand(en)")
    validate.set_defaults(handler=run_validate)

    diff_parser = commands.add_parser("diff", help="verschil met de toegepaste versie tonen")
    diff_parser.add_argument("file", metavar="FILE", help="opdrachtgeverbestand")
    diff_parser.set_defaults(handler=run_diff)

    apply_parser = commands.add_parser(
        "apply",
        help="bestanden toepassen (alles of niets)",
        description="Controleert alle bestanden en past ze samen toe in één transactie: "
        "als er één niet klopt, wordt niets toegepast.",
    )
    apply_parser.add_argument("files", nargs="+", metavar="FILE", help="opdrachtgeverbestand(en)")
    apply_parser.add_argument("--by", required=True, metavar="NAAM", help="wie dit doorvoert")
    apply_parser.add_argument("--note", metavar="TEKST", help="omschrijving van de wijziging")
    apply_parser.set_defaults(handler=run_apply)

    history_parser = commands.add_parser("history", help="versies van een opdrachtgever")
    history_parser.add_argument("client_id", metavar="ID", help="id van de opdrachtgever")
    history_parser.set_defaults(handler=run_history)

    list_parser = commands.add_parser("list", help="opdrachtgevers met hun geldende versie")
    list_parser.set_defaults(handler=run_list)


def _load_all(files: Sequence[str]) -> list[LoadedClient] | None:
    """Every file checked; all problems of all files printed; ``None`` when any is bad."""
    table = default_engine().table
    loaded: list[LoadedClient] = []
    refused = False
    for file in files:
        try:
            loaded.append(load_client(file, table))
        except ClientFileError as error:
            refused = True
            for problem in error.problems:
                print(problem, file=sys.stderr)
    return None if refused else loaded


def _print_conflicts(clashes: Sequence[str], heading: str) -> None:
    print(heading, file=sys.stderr)
    for clash in clashes:
        print(f"  - {clash}", file=sys.stderr)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def summary(client: Client) -> str:
    """One line that says what a client file sets up."""
    entries = ", ".join(
        f"{kind} {len(keys)}"
        for kind, keys in (
            ("webchat", client.entries.webchat),
            ("whatsapp", client.entries.whatsapp),
            ("telegram", client.entries.telegram),
        )
        if keys
    )
    parts = [
        _count(len(client.complexes), "complex", "complexen"),
        _count(len(client.contractors), "aannemer", "aannemers"),
        _count(len(client.protocol), "protocolregel", "protocolregels"),
        _count(len(client.notices), "mededeling", "mededelingen"),
        f"ingangen: {entries or 'geen'}",
    ]
    return f"{client.id} ({client.name}, {client.kind}): {', '.join(parts)}"


def run_validate(args: argparse.Namespace) -> int:
    """Check files without touching the database; returns the exit code."""
    loaded = _load_all(args.files)
    if loaded is None:
        return EXIT_REFUSED
    for item in loaded:
        print(f"{item.file}: {summary(item.client)}")
    clashes = conflicts(item.client for item in loaded)
    if clashes:
        _print_conflicts(clashes, "De bestanden botsen met elkaar:")
        return EXIT_REFUSED
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """Print how a file differs from the version in force; returns the exit code."""
    loaded = _load_all([args.file])
    if loaded is None:
        return EXIT_REFUSED
    item = loaded[0]
    try:
        with database_session() as session:
            text = diff(session, item.client, item.source, name=item.file)
    except SQLAlchemyError as error:
        return database_error(error)
    print(text)
    return 0


def run_apply(args: argparse.Namespace) -> int:
    """Check and apply files together, or none of them; returns the exit code."""
    loaded = _load_all(args.files)
    if loaded is None:
        print("Niets toegepast: los eerst de fouten op.", file=sys.stderr)
        return EXIT_REFUSED
    now = datetime.now(timezone.utc)
    try:
        with database_session() as session:
            try:
                results = apply_all(
                    session, loaded, args.by, now, note=args.note, table=default_engine().table
                )
                session.commit()
            except (RegistryConflictError, ClientFileError, ValueError, SQLAlchemyError):
                session.rollback()
                raise
    except RegistryConflictError as error:
        _print_conflicts(error.conflicts, "Niets toegepast: opdrachtgevers botsen met elkaar:")
        return EXIT_REFUSED
    except ClientFileError as error:
        print("Niets toegepast: een opgeslagen versie is niet meer geldig:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_REFUSED
    except ValueError as error:
        print(f"Niets toegepast: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except SQLAlchemyError as error:
        return database_error(error)
    for item, (version, created) in zip(loaded, results, strict=True):
        if created:
            print(f"{item.file}: {version.client_id} versie {version.version} toegepast")
        else:
            print(
                f"{item.file}: {version.client_id} ongewijzigd, versie {version.version} "
                "blijft van kracht"
            )
    return 0


def run_history(args: argparse.Namespace) -> int:
    """Print every version of a client with who applied it and when; returns the exit code."""
    try:
        with database_session() as session:
            versions = history(session, args.client_id)
    except SQLAlchemyError as error:
        return database_error(error)
    if not versions:
        print(f"Opdrachtgever {args.client_id!r} heeft geen toegepaste versies.", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Opdrachtgever {args.client_id}: {_count(len(versions), 'versie', 'versies')}")
    for version in versions:
        note = f"  {version.note}" if version.note else ""
        print(
            f"  versie {version.version:<3} {local_time(version.applied_at)}  "
            f"{version.applied_by}  sha256 {version.checksum[:12]}{note}"
        )
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print every client with the version in force; returns the exit code."""
    table = default_engine().table
    try:
        with database_session() as session:
            rows = newest_versions(session)
    except SQLAlchemyError as error:
        return database_error(error)
    if not rows:
        print("Er zijn nog geen opdrachtgevers toegepast.")
        return 0
    header = ("ID", "NAAM", "SOORT", "VERSIE", "TOEGEPAST", "DOOR")
    lines = [header]
    for row in rows:
        try:
            client = parse_client(row.source, f"{row.client_id} versie {row.version}", table)
            name, kind = client.name, client.kind
        except ClientFileError:
            # Shown, not hidden: the matrix changed since this version was applied.
            name, kind = "(niet meer geldig, zie 'meldkamer clients diff')", "?"
        lines.append(
            (
                row.client_id,
                name,
                kind,
                str(row.version),
                local_time(row.applied_at),
                row.applied_by,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    return 0
