"""``meldkamer privacy``: a data subject's export and erasure, and a client's at contract end.

Exit codes: 0 done (also: nothing found), 1 refused (no ``--ja``, a ticket still open)
or database error, 2 malformed input (phone, e-mail, ticket number, unknown ticket or
client).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.attachments.files import upload_dir
from meldkamer.cli.common import command_group, database_error
from meldkamer.db import database_url, make_engine, make_sessionmaker
from meldkamer.intake.spool import spool_dir
from meldkamer.privacy import contract, subject
from meldkamer.privacy.holdings import Holdings, export
from meldkamer.privacy.scrub import unlink_files

EXIT_REFUSED = 1
EXIT_MALFORMED = 2

#: What the counts are called on screen.
LABELS = {
    "tickets": "tickets",
    "contactgegevens": "tickets geanonimiseerd",
    "gesprekken": "gespreksregels",
    "fotos": "foto's",
    "notities": "notities",
    "overdrachten": "overdrachten",
    "berichten": "berichten",
    "spool": "spoolbestanden",
    "klantbestanden": "versies van het klantbestand",
    "bijlagen": "bijlagen van berichten",
    "portaalgebruikers": "portaalaccounts",
    "wijzigingsverzoeken": "wijzigingsverzoeken",
}


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``privacy`` command group to the top-level sub-parsers ``groups``."""
    commands = command_group(groups, "privacy", "gegevens van een persoon of opdrachtgever")
    person = commands.add_parser("export", help="alles over een persoon naar een map schrijven")
    _selectors(person)
    person.add_argument("--out", type=Path, required=True, help="de map voor de gegevens")
    person.set_defaults(handler=run_export)
    wipe = commands.add_parser("erase", help="alles over een persoon wissen of anonimiseren")
    _selectors(wipe)
    _confirmation(wipe)
    wipe.set_defaults(handler=run_erase)
    client = commands.add_parser("client-export", help="alles van een opdrachtgever exporteren")
    client.add_argument("client_id", metavar="ID", help="de id van de opdrachtgever")
    client.add_argument("--out", type=Path, required=True, help="de map voor de gegevens")
    client.set_defaults(handler=run_client_export)
    end = commands.add_parser("client-erase", help="alles van een opdrachtgever wissen")
    end.add_argument("client_id", metavar="ID", help="de id van de opdrachtgever")
    _confirmation(end)
    end.set_defaults(handler=run_client_erase)


def _selectors(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--phone", help="telefoonnummer, bijvoorbeeld 06 12345678")
    which.add_argument("--email", help="e-mailadres")
    which.add_argument("--ticket", help="ticketnummer, bijvoorbeeld MK-2026-000123")


def _confirmation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", required=True, help="wie dit doet (komt in het verslag)")
    parser.add_argument(
        "--ja", action="store_true", help="echt wissen; zonder dit alleen tonen wat er is"
    )


@contextmanager
def _session() -> Iterator[tuple[Session, Path]]:
    engine = make_engine(database_url())
    try:
        factory = make_sessionmaker(engine)
        with factory() as session:
            yield session, spool_dir(sessions=factory)
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _show(counts: dict[str, int], heading: str) -> None:
    print(heading)
    for code, count in counts.items():
        if count:
            print(f"  {LABELS.get(code, code)}: {count}")


def _guarded(action: Callable[[], int]) -> int:
    try:
        return action()
    except subject.PrivacyError as error:
        print(f"Fout: {error}", file=sys.stderr)
        return EXIT_MALFORMED
    except SQLAlchemyError as error:
        return database_error(error)
    except OSError as error:
        print(f"Kan niet schrijven: {error}", file=sys.stderr)
        return EXIT_REFUSED


def _write(holdings: Holdings, session: Session, out: Path) -> int:
    if holdings.is_empty():
        print("Niets gevonden: er is geen persoonsgegeven van deze persoon bewaard.")
        return 0
    target = export(session, holdings, upload_dir(), out)
    _show(holdings.counts(), f"Geschreven naar {target}:")
    return 0


def _selector(args: argparse.Namespace) -> subject.Selector:
    return subject.Selector.parse(phone=args.phone, email=args.email, ticket=args.ticket)


def run_export(args: argparse.Namespace) -> int:
    """Write everything about a person to ``--out``; returns the exit code."""

    def act() -> int:
        selector = _selector(args)
        with _session() as (session, spool):
            return _write(subject.find(session, selector, spool), session, args.out)

    return _guarded(act)


def run_client_export(args: argparse.Namespace) -> int:
    """Write everything of a client to ``--out``; returns the exit code."""

    def act() -> int:
        with _session() as (session, spool):
            holdings = contract.find_client(session, args.client_id, spool)
            return _write(holdings, session, args.out)

    return _guarded(act)


def _erase(args: argparse.Namespace, find: Callable[[Session, Path], Holdings], wipe: Any) -> int:
    with _session() as (session, spool):
        holdings = find(session, spool)
        if holdings.is_empty():
            print("Niets gevonden: er is niets te wissen.")
            return 0
        if not args.ja:
            _show(
                holdings.counts(), "Gevonden (er is nog niets gewist; zet --ja erbij om te wissen):"
            )
            return EXIT_REFUSED
        try:
            erased = wipe(session, holdings, by=args.by, now=_now(), photo_root=upload_dir())
        except subject.PrivacyError as error:
            print(f"Niet gewist: {error}", file=sys.stderr)
            return EXIT_REFUSED
        session.commit()
    unlink_files(erased.files)
    _show(erased.counts, "Gewist of geanonimiseerd (vastgelegd in het privacyverslag):")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    """Erase or anonymise everything about a person; returns the exit code."""

    def act() -> int:
        selector = _selector(args)
        return _erase(args, lambda s, spool: subject.find(s, selector, spool), subject.erase)

    return _guarded(act)


def run_client_erase(args: argparse.Namespace) -> int:
    """Delete everything of a client (end of contract); returns the exit code."""

    def wipe(session: Session, holdings: Holdings, **kwargs: Any) -> subject.Erased:
        return contract.erase_client(session, args.client_id, holdings, **kwargs)

    return _guarded(
        lambda: _erase(args, lambda s, spool: contract.find_client(s, args.client_id, spool), wipe)
    )
