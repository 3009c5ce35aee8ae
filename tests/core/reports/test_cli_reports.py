"""``meldkamer reports monthly``: the three files, and a clear error with exit code 2 for bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from meldkamer import db
from meldkamer.cli import main
from meldkamer.tickets import create_ticket
from tests.core.meldingen import melding
from tests.core.reports.month import AMS, apply_clients


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.make_sessionmaker(engine).begin() as session:
        apply_clients(session)
        create_ticket(
            session, melding("cli-1", client_id="de-linde"), datetime(2026, 10, 9, 3, tzinfo=AMS)
        )
        create_ticket(
            session,
            melding("cli-2", client_id="vve-beheer-noord"),
            datetime(2026, 10, 9, 4, tzinfo=AMS),
        )
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_writes_pdf_csv_and_json(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rapporten" / "nieuw"
    assert (
        main(
            ["reports", "monthly", "--client", "de-linde", "--month", "2026-10", "--out", str(out)]
        )
        == 0
    )

    names = sorted(p.name for p in out.iterdir())
    assert names == ["de-linde-2026-10.csv", "de-linde-2026-10.json", "de-linde-2026-10.pdf"]
    totals = json.loads((out / "de-linde-2026-10.json").read_text("utf-8"))
    for key in (
        "client",
        "month",
        "meldingen",
        "per_urgency",
        "per_channel",
        "per_topic",
        "handed_over",
        "sla",
    ):
        assert key in totals
    assert totals["meldingen"] == 1 and totals["month"] == "2026-10"
    assert (out / "de-linde-2026-10.pdf").read_bytes().startswith(b"%PDF")
    assert str(out / "de-linde-2026-10.pdf") in capsys.readouterr().out


def test_an_unknown_client_exits_2(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "reports",
        "monthly",
        "--client",
        "onbekend",
        "--month",
        "2026-10",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "onbekende opdrachtgever 'onbekend' (unknown client)" in err
    assert "de-linde" in err  # the known ones are named
    assert not list(tmp_path.glob("*.pdf"))


@pytest.mark.parametrize(
    ("month", "message"), [("10-2026", "YYYY-MM"), ("2026-13", "no such month")]
)
def test_a_bad_month_exits_2(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], month: str, message: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(
            ["reports", "monthly", "--client", "de-linde", "--month", month, "--out", str(tmp_path)]
        )
    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_folder_exits_2(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    args = [
        "reports",
        "monthly",
        "--client",
        "de-linde",
        "--month",
        "2026-10",
        "--out",
        str(blocker / "x"),
    ]
    assert main(args) == 2
    assert "kan niet worden gemaakt (cannot create)" in capsys.readouterr().err
