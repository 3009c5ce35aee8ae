"""Splicing a changed part into a client file: every other line stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from meldkamer.clients.loader import parse_client
from meldkamer.portal.parts import PARTS, PartError, check_part_text, current_text, part_of, splice

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [
    (ROOT / "clients" / name).read_text("utf-8")
    for name in ("de-linde.yml", "vve-beheer-noord.yml")
]


@pytest.mark.parametrize("source", SOURCES, ids=["de-linde", "vve-noord"])
@pytest.mark.parametrize("part", PARTS, ids=[p.code for p in PARTS])
def test_a_part_put_back_unchanged_gives_the_same_file(source: str, part) -> None:
    assert splice(source, part, current_text(source, part)) == source


def test_a_changed_part_changes_only_its_lines_and_keeps_the_comments() -> None:
    source = SOURCES[0]
    changed = splice(
        source, part_of("stookseizoen"), "stookseizoen:\n  van: '10-15'\n  tot: '04-15'\n"
    )
    old, new = source.splitlines(), changed.splitlines()
    assert len(old) == len(new)
    differing = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert [b for _, b in differing] == ["  van: '10-15'", "  tot: '04-15'"]
    assert all(a.startswith(("  van:", "  tot:")) for a, _ in differing)
    assert parse_client(changed).heating_season.start == (10, 15)
    assert "# Naast de Nederlandse feestdagen" in changed


def test_a_key_left_out_is_removed_and_a_new_one_is_added() -> None:
    source = SOURCES[1]
    part = part_of("kantoortijden")
    assert "sluitingsdagen" in source
    without = splice(source, part, 'kantoortijden:\n  ma: "09:00-17:00"\n')
    assert "sluitingsdagen:" not in without
    assert parse_client(without).office.closing_days == frozenset()
    again = splice(
        without, part, 'kantoortijden:\n  ma: "09:00-17:00"\nsluitingsdagen:\n  - 2026-12-31\n'
    )
    assert len(parse_client(again).office.closing_days) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stookseizoen: [", "geen geldige YAML"),
        ("- een lijst\n", "begint met"),
        ("stookseizoen: {van: '10-01'}\nid: iemand-anders\n", "niet: id"),
        ("stookseizoen:\n\tvan: '10-01'\n", "tabs"),
        ("x" * 100_001, "hoogstens"),
    ],
)
def test_a_part_that_does_not_read_is_refused_in_dutch(text: str, message: str) -> None:
    with pytest.raises(PartError, match=message):
        check_part_text(text, part_of("stookseizoen"))


def test_an_unknown_part_is_refused() -> None:
    with pytest.raises(PartError):
        part_of("id")
