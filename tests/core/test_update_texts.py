"""The tenant's update texts: the packaged defaults, a client's overrides, the checks."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from meldkamer.clients.loader import ClientFileError, parse_client
from meldkamer.clients.messages import MESSAGE_FIELDS
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.updates.texts import TextsFileError, UpdateTexts, arrival, default_texts, parse_texts
from tests.conftest import ROOT

#: Filled in by the texts themselves, never by the caller.
FIXED = {"nummer", "meldkamer_telefoon", "alarmnummer"}
CLIENT = (ROOT / "clients" / "de-linde.yml").read_text("utf-8")


def with_messages(block: str) -> str:
    return CLIENT.rstrip("\n") + "\nberichten:\n" + block


def test_every_text_has_a_default_with_known_placeholders() -> None:
    assert set(default_texts()) == set(MESSAGE_FIELDS)
    texts = UpdateTexts.for_client(None)
    # Every text renders with exactly the values its key allows.
    for key, allowed in MESSAGE_FIELDS.items():
        values = {name: f"<{name}>" for name in allowed - FIXED}
        rendered = texts.render(key, "MK-2026-000001", **values)
        assert "{" not in rendered and "}" not in rendered
    assert MELDKAMER_PHONE in texts.render("na_gereed_sms", "MK-2026-000001")


def test_a_client_rewords_one_text_and_keeps_the_others() -> None:
    client = parse_client(
        with_messages('  bevestigd: "Beste huurder, {aannemer} komt voor melding {nummer}."\n')
    )
    texts = UpdateTexts.for_client(client)
    assert texts.render("bevestigd", "MK-2026-000009", aannemer="Jansen") == (
        "Beste huurder, Jansen komt voor melding MK-2026-000009."
    )
    assert texts.texts["ter_plaatse"] == default_texts()["ter_plaatse"]


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ('  bevestigt: "x {nummer}"\n', "onbekend veld"),
        ('  bevestigd: "komt om {tijd}"\n', "onbekend invulveld {tijd}"),
        ('  gereed: "klaar {nummer"\n', "accolades kloppen niet"),
        ('  gereed: ""\n', "mag niet leeg zijn"),
        ("  gereed: 12\n", "verwacht tekst"),
    ],
)
def test_a_wrong_override_is_refused_with_its_line(block: str, problem: str) -> None:
    with pytest.raises(ClientFileError) as refused:
        parse_client(with_messages(block), "de-linde.yml")
    (found,) = refused.value.problems
    assert problem in found.message and found.field.startswith("berichten")
    assert found.line == CLIENT.rstrip("\n").count("\n") + 3


def test_the_defaults_file_must_have_every_text() -> None:
    with pytest.raises(TextsFileError, match="verplicht veld ontbreekt"):
        parse_texts('berichten:\n  bevestigd: "{nummer}"\n', "texts.yml")


def test_arrival_today_tomorrow_and_later_in_amsterdam_time() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)  # 13:00 in Amsterdam
    assert arrival(datetime(2026, 12, 5, 13, 30, tzinfo=timezone.utc), now) == "14:30"
    assert arrival(datetime(2026, 12, 6, 7, 0, tzinfo=timezone.utc), now) == "morgen om 08:00"
    assert arrival(datetime(2026, 12, 8, 7, 0, tzinfo=timezone.utc), now) == (
        "dinsdag 8 december om 08:00"
    )
