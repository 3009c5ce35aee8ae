"""A client's data at the end of its contract: export, and erasure that spares the others."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import select, text

from meldkamer.cli import main
from meldkamer.clients.models import ClientVersion
from meldkamer.tickets import Ticket
from tests.privacy.conftest import ANNA, BART, CEES, World, dump
from tests.privacy.test_subject import env, exported

__all__ = ["env"]


def per_client(world: World) -> Counter[str | None]:
    with world.sessions() as session:
        return Counter(t.client_id for t in session.execute(select(Ticket)).scalars())


def test_client_export_holds_the_clients_data(env: World, tmp_path: Path) -> None:
    out = tmp_path / "vve"
    assert main(["privacy", "client-export", "vve-beheer-noord", "--out", str(out)]) == 0
    data = exported(out)
    assert [t["naam"] for t in data["tickets"]] == [BART.name + " jr"]
    assert data["klantbestanden"] and ANNA.name not in json.dumps(data)


def test_client_erase_removes_the_client_and_leaves_the_others(env: World, capsys) -> None:
    with env.sessions() as session:
        before = dump(session)
        delinde_events = session.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id IN (:a, :c)"),
            {"a": ANNA.conversation, "c": CEES.conversation},
        ).scalar_one()
    tickets = per_client(env)
    code = main(["privacy", "client-erase", "vve-beheer-noord", "--by", "J. de Vries", "--ja"])
    assert code == 0, capsys.readouterr()
    assert per_client(env) == Counter({"de-linde": tickets["de-linde"]})
    with env.sessions() as session:
        after = dump(session)
        assert BART.name not in after and BART.phone not in after
        for name in (ANNA.name, CEES.name, ANNA.phone):
            assert after.count(name) == before.count(name) > 0
        assert (
            session.execute(
                text("SELECT COUNT(*) FROM events WHERE sender_id IN (:a, :c)"),
                {"a": ANNA.conversation, "c": CEES.conversation},
            ).scalar_one()
            == delinde_events
        )
        versions = {v.client_id for v in session.execute(select(ClientVersion)).scalars()}
    assert versions == {"de-linde"}


def test_an_unknown_client_is_refused(env: World, tmp_path: Path, capsys) -> None:
    assert main(["privacy", "client-export", "bestaat-niet", "--out", str(tmp_path)]) == 2
    assert "onbekende opdrachtgever" in capsys.readouterr().err
