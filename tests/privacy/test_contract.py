"""A client's data at the end of its contract: export, and erasure that spares the others."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select, text

from meldkamer.cli import main
from meldkamer.clients.models import ClientVersion
from meldkamer.notify.attachments import OutboxAttachment
from meldkamer.notify.models import OutboxMessage
from meldkamer.portal.models import PortalSession, PortalUser
from meldkamer.tickets import Ticket
from tests.privacy.conftest import ANNA, BART, CEES, DIRK, PETRA, World, dump
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
    text = json.dumps(data)
    assert DIRK.name not in text and DIRK.report_to not in text
    # The client's staff: the portal account's name, never its password hash.
    (user,) = data["portaalgebruikers"]
    assert (user["display_name"], user["username"]) == (PETRA.name, PETRA.username)
    assert "password_hash" not in user and "scrypt" not in text
    (request,) = data["wijzigingsverzoeken"]
    assert request["submitted_by"] == PETRA.username
    # The mails to the client itself: last month's report with its PDF, the confirmation.
    keys = {m["key"].split(":")[0] for m in data["berichten"] if m["ticket_id"] is None}
    assert keys == {"maandrapport", "configuratie"}
    (pdf,) = data["bijlagen"]
    assert "data" not in pdf and (out / pdf["bestand"]).read_bytes() == PETRA.pdf


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
        # The staff's names and report mails of the client go; the other's stay as they were.
        assert PETRA.name not in after and PETRA.report_to not in after
        assert repr(PETRA.pdf) not in after
        for kept in (DIRK.name, DIRK.report_to, repr(DIRK.pdf)):
            assert after.count(kept) == before.count(kept) > 0
        users = {u.client_id for u in session.execute(select(PortalUser)).scalars()}
        sessions = session.execute(select(PortalSession)).scalars().all()
        files = session.execute(select(OutboxAttachment)).scalars().all()
        keys = list(session.execute(select(OutboxMessage.key)).scalars())
    assert versions == users == {"de-linde"}
    assert len(sessions) == 1 and len(files) == 1 and bytes(files[0].data) == DIRK.pdf
    assert not [k for k in keys if "vve-beheer-noord" in k]


def test_an_unknown_client_is_refused(env: World, tmp_path: Path, capsys) -> None:
    assert main(["privacy", "client-export", "bestaat-niet", "--out", str(tmp_path)]) == 2
    assert "onbekende opdrachtgever" in capsys.readouterr().err


def test_a_client_known_only_by_its_portal_accounts_is_found(env: World, tmp_path: Path) -> None:
    # Its tickets and files erased before: the names of its staff remain to be erased.
    assert main(["privacy", "client-erase", "vve-beheer-noord", "--by", "J. de Vries", "--ja"]) == 0
    with env.sessions.begin() as session:
        session.add(
            PortalUser(
                username="later",
                display_name="Lotte Later",
                client_id="vve-beheer-noord",
                password_hash="x",
                active=True,
                created_at=datetime.now(timezone.utc),
            )
        )
    out = tmp_path / "vve"
    assert main(["privacy", "client-export", "vve-beheer-noord", "--out", str(out)]) == 0
    assert [u["display_name"] for u in exported(out)["portaalgebruikers"]] == ["Lotte Later"]
