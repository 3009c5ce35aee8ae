"""``meldkamer clients`` against a temporary SQLite database."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from meldkamer import db
from meldkamer.cli import main

ROOT = Path(__file__).resolve().parents[2]
LINDE = str(ROOT / "clients" / "de-linde.yml")
NOORD = str(ROOT / "clients" / "vve-beheer-noord.yml")


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    db.upgrade(url)
    return url


def edited(tmp_path: Path, source: str, old: str, new: str, name: str | None = None) -> str:
    """A copy of a demo file with one change, in ``tmp_path``."""
    text = Path(source).read_text("utf-8")
    assert old in text
    path = tmp_path / (name or Path(source).name)
    path.write_text(text.replace(old, new), "utf-8")
    return str(path)


def line_of(path: str, marker: str, occurrence: int = 1) -> int:
    """The line (1-based) of the n-th occurrence of ``marker`` in a file."""
    text = Path(path).read_text("utf-8")
    position = -1
    for _ in range(occurrence):
        position = text.index(marker, position + 1)
    return text.count("\n", 0, position) + 1


# --- validate ------------------------------------------------------------------------------------


def test_validate_prints_one_line_per_file(capsys) -> None:
    assert main(["clients", "validate", LINDE, NOORD]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{LINDE}: de-linde (Woonstichting De Linde, woningcorporatie): 3 complexen, "
        "8 aannemers, 1 protocolregel, 2 mededelingen, ingangen: webchat 1, whatsapp 1, telegram 1",
        f"{NOORD}: vve-beheer-noord (VvE Beheer Noord, vve): 2 complexen, 8 aannemers, "
        "0 protocolregels, 0 mededelingen, ingangen: webchat 1, whatsapp 1",
    ]


def test_validate_prints_every_error_of_every_file(tmp_path, capsys) -> None:
    broken = edited(
        tmp_path, LINDE, "aannemers: [de-boer, van-dijk]", "aannemers: [de-boer, jansen]"
    )
    broken_too = edited(tmp_path, NOORD, "soort: vve", "soort: stichting")
    assert main(["clients", "validate", broken, LINDE, broken_too]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    # The roster uses the chain [de-boer, van-dijk] twice: both places are named.
    first, second = (line_of(broken, "[de-boer, jansen]", n) for n in (1, 2))
    assert errors[0] == (
        f"{broken}:{first}: complexen[0].vakgebieden.cv.rooster[1].aannemers[1]: "
        "onbekende aannemer 'jansen'"
    )
    assert errors[1].startswith(f"{broken}:{second}: complexen[0].vakgebieden.cv.rooster[3].")
    assert errors[2] == (
        f"{broken_too}:6: soort: onbekende soort 'stichting'; "
        "kies uit woningcorporatie, vastgoedbeheerder, vve"
    )
    assert len(errors) == 3
    assert captured.out == ""


def test_validate_refuses_files_that_clash(tmp_path, capsys) -> None:
    clash = edited(tmp_path, NOORD, "webchat: [vve-noord-demo]", "webchat: [de-linde-demo]")
    assert main(["clients", "validate", LINDE, clash]) == 1
    err = capsys.readouterr().err
    assert "webchat 'de-linde-demo' hoort bij 'de-linde' en bij 'vve-beheer-noord'" in err


# --- apply, history, list, diff ----------------------------------------------------------------


def test_apply_prints_the_new_versions(url, capsys) -> None:
    assert main(["clients", "apply", LINDE, NOORD, "--by", "J. de Vries", "--note", "start"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{LINDE}: de-linde versie 1 toegepast",
        f"{NOORD}: vve-beheer-noord versie 1 toegepast",
    ]
    assert main(["clients", "apply", LINDE, "--by", "J. de Vries"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{LINDE}: de-linde ongewijzigd, versie 1 blijft van kracht"
    ]


def test_apply_is_all_or_nothing_when_a_file_is_broken(url, tmp_path, capsys) -> None:
    broken = edited(tmp_path, NOORD, "escalatie_minuten: 10", "escalatie_minuten: nul")
    assert main(["clients", "apply", LINDE, broken, "--by", "a"]) == 1
    err = capsys.readouterr().err
    line = line_of(broken, "escalatie_minuten")
    assert f"{broken}:{line}: escalatie_minuten: verwacht een geheel getal" in err
    assert "Niets toegepast" in err
    assert main(["clients", "history", "de-linde"]) == 1


def test_apply_is_all_or_nothing_when_clients_clash(url, tmp_path, capsys) -> None:
    assert main(["clients", "apply", LINDE, "--by", "a"]) == 0
    # A valid new version of De Linde, and a VvE that claims a Lindehof address.
    linde_v2 = edited(tmp_path, LINDE, "escalatie_minuten: 15", "escalatie_minuten: 20")
    clash = edited(tmp_path, NOORD, 'postcode: "9876 CD"', 'postcode: "1234 AB", van: 45')
    capsys.readouterr()
    assert main(["clients", "apply", linde_v2, clash, "--by", "a"]) == 1
    err = capsys.readouterr().err
    assert "Niets toegepast: opdrachtgevers botsen met elkaar:" in err
    assert "adres 1234 AB vanaf 45 van 'vve-beheer-noord' (complex 'vve-zuiderhaven')" in err
    main(["clients", "history", "de-linde"])
    assert "1 versie" in capsys.readouterr().out  # the valid file was not applied either


def test_apply_needs_a_name(url, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["clients", "apply", LINDE])
    assert exited.value.code == 2
    assert "--by" in capsys.readouterr().err


def test_history_shows_who_and_when_in_amsterdam_time(url, tmp_path, capsys) -> None:
    main(["clients", "apply", LINDE, "--by", "J. de Vries", "--note", "eerste inrichting"])
    changed = edited(tmp_path, LINDE, "escalatie_minuten: 15", "escalatie_minuten: 20")
    main(["clients", "apply", changed, "--by", "K. Bakker"])
    capsys.readouterr()
    assert main(["clients", "history", "de-linde"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Opdrachtgever de-linde: 2 versies"
    stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
    assert re.fullmatch(
        rf"  versie 1 +{stamp}  J\. de Vries  sha256 [0-9a-f]{{12}}  eerste inrichting", lines[1]
    )
    assert re.fullmatch(rf"  versie 2 +{stamp}  K\. Bakker  sha256 [0-9a-f]{{12}}", lines[2])


def test_history_of_an_unknown_client(url, capsys) -> None:
    assert main(["clients", "history", "woonzorg"]) == 1
    assert "'woonzorg' heeft geen toegepaste versies" in capsys.readouterr().err


def test_list(url, capsys) -> None:
    assert main(["clients", "list"]) == 0
    assert capsys.readouterr().out == "Er zijn nog geen opdrachtgevers toegepast.\n"
    main(["clients", "apply", LINDE, NOORD, "--by", "a"])
    capsys.readouterr()
    assert main(["clients", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAAM", "SOORT", "VERSIE", "TOEGEPAST", "DOOR"]
    assert lines[1].startswith("de-linde") and "Woonstichting De Linde" in lines[1]
    assert lines[2].startswith("vve-beheer-noord") and " vve " in lines[2]


def test_diff(url, tmp_path, capsys) -> None:
    assert main(["clients", "diff", LINDE]) == 0
    assert "Nieuwe opdrachtgever de-linde" in capsys.readouterr().out
    main(["clients", "apply", LINDE, "--by", "a"])
    changed = edited(tmp_path, LINDE, "escalatie_minuten: 15", "escalatie_minuten: 20")
    capsys.readouterr()
    assert main(["clients", "diff", changed]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"--- de-linde versie 1\n+++ {changed}\n")
    assert "-escalatie_minuten: 15\n+escalatie_minuten: 20\n" in out


def test_diff_of_a_broken_file(url, tmp_path, capsys) -> None:
    broken = edited(tmp_path, LINDE, "id: de-linde", "id: De Linde")
    assert main(["clients", "diff", broken]) == 1
    line = line_of(broken, "id: De Linde")
    assert f"{broken}:{line}: id: 'De Linde' is geen geldige id" in capsys.readouterr().err


def test_a_missing_database_table_is_reported(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'leeg.db'}")
    assert main(["clients", "history", "de-linde"]) == 1
    assert "meldkamer db upgrade" in capsys.readouterr().err


def test_the_demo_folder_applies_as_a_whole(url, tmp_path, capsys) -> None:
    folder = tmp_path / "clients"
    shutil.copytree(ROOT / "clients", folder)
    files = sorted(str(p) for p in folder.glob("*.yml"))
    assert main(["clients", "apply", *files, "--by", "a"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(files)
