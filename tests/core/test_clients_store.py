"""Applied client versions in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meldkamer.clients import (
    ClientFileError,
    ClientVersion,
    LoadedClient,
    RegistryConflictError,
    apply,
    apply_all,
    diff,
    history,
    latest,
    load_client,
    load_default_registry,
    parse_client,
)
from meldkamer.clients.store import checksum
from meldkamer.notify.models import OutboxMessage
from meldkamer.triage import load_table
from meldkamer.triage.table import DecisionTable

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def table() -> DecisionTable:
    return load_table()


@pytest.fixture(scope="module")
def linde(table) -> LoadedClient:
    return load_client(ROOT / "clients" / "de-linde.yml", table)


@pytest.fixture(scope="module")
def noord(table) -> LoadedClient:
    return load_client(ROOT / "clients" / "vve-beheer-noord.yml", table)


def changed(loaded: LoadedClient, table, old: str, new: str) -> LoadedClient:
    source = loaded.source.replace(old, new)
    assert source != loaded.source
    return LoadedClient(parse_client(source, loaded.file, table), source, loaded.file)


def outbox(session) -> list[OutboxMessage]:
    return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def count_versions(session) -> int:
    return session.execute(select(func.count()).select_from(ClientVersion)).scalar_one()


def test_apply_stores_version_one(session, linde) -> None:
    version = apply(session, linde.client, linde.source, "J. de Vries", NOW, note="start")
    session.commit()
    assert (version.client_id, version.version) == ("de-linde", 1)
    assert version.source == linde.source and version.checksum == checksum(linde.source)
    assert version.applied_by == "J. de Vries" and version.note == "start"
    stored = session.get(ClientVersion, version.id)
    assert stored.applied_at == NOW and stored.applied_at.tzinfo is not None


def test_unchanged_content_gives_no_new_version(session, linde) -> None:
    first = apply(session, linde.client, linde.source, "a", NOW)
    again = apply(session, linde.client, linde.source, "b", NOW + timedelta(hours=1))
    session.commit()
    assert again.id == first.id and again.version == 1 and again.applied_by == "a"
    assert count_versions(session) == 1
    # Only the real change was confirmed to the client.
    assert len(outbox(session)) == 1


def test_a_change_gives_the_next_version_and_history_lists_them(session, linde, table) -> None:
    apply(session, linde.client, linde.source, "a", NOW)
    second = changed(linde, table, "escalatie_minuten: 15", "escalatie_minuten: 20")
    v2 = apply(session, second.client, second.source, "b", NOW + timedelta(days=1), note="sneller")
    # Going back to the first text is a change too: version 3, not version 1 again.
    v3 = apply(session, linde.client, linde.source, "c", NOW + timedelta(days=2))
    session.commit()
    assert (v2.version, v3.version) == (2, 3)
    versions = history(session, "de-linde")
    assert [(v.version, v.applied_by, v.note) for v in versions] == [
        (1, "a", None),
        (2, "b", "sneller"),
        (3, "c", None),
    ]
    assert history(session, "vve-beheer-noord") == []


def test_versions_are_numbered_per_client(session, linde, noord) -> None:
    apply(session, linde.client, linde.source, "a", NOW)
    version = apply(session, noord.client, noord.source, "a", NOW)
    session.commit()
    assert version.version == 1


def test_applying_queues_a_confirmation_email(session, linde) -> None:
    apply(session, linde.client, linde.source, "J. de Vries", NOW, note="eerste inrichting")
    session.commit()
    [message] = outbox(session)
    assert message.key == "configuratie:de-linde:1"
    assert message.kind == "email" and message.purpose == "configuratie"
    assert message.recipient == "info@de-linde.example.nl"
    assert "versie 1" in message.subject and "Woonstichting De Linde" in message.subject
    assert "eerste inrichting" in message.body
    assert "01-12-2026 10:30" in message.body  # Amsterdam time
    assert message.ticket_id is None


def test_the_email_goes_with_the_transaction(session, linde) -> None:
    apply(session, linde.client, linde.source, "a", NOW)
    session.rollback()
    assert count_versions(session) == 0 and outbox(session) == []


@pytest.mark.parametrize(
    ("by", "now"),
    [
        # Nobody named.
        ("  ", NOW),
        # A moment without time zone.
        ("a", datetime(2026, 12, 1, 9, 30)),
    ],
)
def test_apply_refuses(session, linde, by, now) -> None:
    with pytest.raises(ValueError):
        apply(session, linde.client, linde.source, by, now)
    assert count_versions(session) == 0


def test_the_database_refuses_a_version_number_twice(session) -> None:
    for _ in range(2):
        session.add(
            ClientVersion(
                client_id="x",
                version=1,
                source="",
                checksum="0",
                applied_by="a",
                applied_at=NOW,
            )
        )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_diff(session, linde, table) -> None:
    assert diff(session, linde.client, linde.source) == (
        "Nieuwe opdrachtgever de-linde: er is nog geen versie toegepast."
    )
    apply(session, linde.client, linde.source, "a", NOW)
    assert diff(session, linde.client, linde.source) == (
        "Geen wijzigingen ten opzichte van versie 1 van de-linde."
    )
    second = changed(linde, table, "escalatie_minuten: 15", "escalatie_minuten: 20")
    text = diff(session, second.client, second.source, name="clients/de-linde.yml")
    lines = text.splitlines()
    assert lines[:2] == ["--- de-linde versie 1", "+++ clients/de-linde.yml"]
    assert "-escalatie_minuten: 15" in lines and "+escalatie_minuten: 20" in lines


def test_latest_reads_the_version_in_force_of_every_client(session, linde, noord, table) -> None:
    assert latest(session, table).ids() == []
    apply(session, linde.client, linde.source, "a", NOW)
    apply(session, noord.client, noord.source, "a", NOW)
    second = changed(linde, table, "escalatie_minuten: 15", "escalatie_minuten: 20")
    apply(session, second.client, second.source, "a", NOW)
    session.commit()
    registry = latest(session, table)
    assert registry.ids() == ["de-linde", "vve-beheer-noord"]
    assert registry.get("de-linde").escalation_minutes == 20
    assert registry.find_by_entry("webchat", "vve-noord-demo").id == "vve-beheer-noord"
    assert latest(session).ids() == registry.ids()  # the packaged matrix by default
    assert load_default_registry(session).ids() == registry.ids()


def test_a_stored_version_that_no_longer_reads_is_named(session, linde, table) -> None:
    apply(session, linde.client, linde.source, "a", NOW)
    smaller = DecisionTable(
        facts=table.facts, topics={k: v for k, v in table.topics.items() if k != "boiler"}
    )
    with pytest.raises(ClientFileError, match="de-linde versie 1:"):
        latest(session, smaller)


def test_apply_all_applies_every_file(session, linde, noord, table) -> None:
    results = apply_all(session, [linde, noord], "a", NOW, table=table)
    session.commit()
    assert [(v.client_id, v.version, new) for v, new in results] == [
        ("de-linde", 1, True),
        ("vve-beheer-noord", 1, True),
    ]
    again = apply_all(session, [linde, noord], "a", NOW, table=table)
    assert [new for _, new in again] == [False, False]


def test_apply_all_refuses_a_clash_with_a_stored_client(session, linde, noord, table) -> None:
    apply(session, linde.client, linde.source, "a", NOW)
    session.commit()
    # The VvE claims the corporation's WhatsApp number.
    clash = changed(noord, table, '"+31 6 1000 0950"', '"+31 6 1000 0900"')
    with pytest.raises(RegistryConflictError, match="whatsapp '\\+31610000900'"):
        apply_all(session, [clash], "a", NOW, table=table)
    session.rollback()
    assert [v.client_id for v in history(session, "de-linde")] == ["de-linde"]
    assert history(session, "vve-beheer-noord") == []


def test_apply_all_refuses_the_same_client_twice(session, linde, table) -> None:
    with pytest.raises(RegistryConflictError, match="komt twee keer voor"):
        apply_all(session, [linde, linde], "a", NOW, table=table)
    assert count_versions(session) == 0


def test_a_new_version_may_move_what_the_old_one_claimed(session, linde, noord, table) -> None:
    apply_all(session, [linde, noord], "a", NOW, table=table)
    session.commit()
    # De Linde gives up its WhatsApp number and the VvE takes it, in one apply.
    linde_without = changed(linde, table, 'whatsapp: ["+31 6 1000 0900"]', "whatsapp: []")
    noord_with = changed(noord, table, '"+31 6 1000 0950"', '"+31 6 1000 0900"')
    apply_all(session, [linde_without, noord_with], "a", NOW, table=table)
    session.commit()
    registry = latest(session, table)
    assert registry.find_by_entry("whatsapp", "+31610000900").id == "vve-beheer-noord"
