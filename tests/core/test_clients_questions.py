"""A client's own questions and answers mid-melding (vragen: in a client file, issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meldkamer.clients import parse_client
from meldkamer.intake.digressions import digressions_for, with_client
from meldkamer.triage import load_table
from tests.core.test_clients_loader import BASE, line_of, refused, write

PLUMBER = "mag ik zelf een loodgieter bellen?"

QUESTIONS = """\
vragen:
  zelf_loodgieter:
    herkenning: ['(mag|kan) ik zelf een loodgieter bellen']
    antwoord: Liever niet, Woonzorg stuurt zelf een vakman.
  wie_betaalt:
    herkenning: ['wie betaalt']
    antwoord: Woonzorg betaalt de reparatie, behalve als u iets kapot heeft gemaakt.
vragen_en:
  zelf_loodgieter:
    herkenning: ['can i call a plumber myself']
    antwoord: Please do not, Woonzorg sends its own repair person.
standaard_aannemers:"""


@pytest.fixture(scope="module")
def table():
    return load_table()


@pytest.fixture(scope="module")
def client(table):
    return parse_client(BASE.replace("standaard_aannemers:", QUESTIONS, 1), "woonzorg.yml", table)


def test_a_good_block_is_read_per_language_in_file_order(client) -> None:
    assert [q.id for q in client.questions_for("nl")] == ["zelf_loodgieter", "wie_betaalt"]
    assert [q.id for q in client.questions_for("en")] == ["zelf_loodgieter"]
    assert client.questions_for("nl")[0].answer == "Liever niet, Woonzorg stuurt zelf een vakman."


def test_without_a_block_the_client_has_no_questions(table) -> None:
    assert parse_client(BASE, "woonzorg.yml", table).questions_for("nl") == ()


# (block replacing "standaard_aannemers:", marker of the named line, field, words)
MALFORMED = {
    "no_block": ("vragen: [wie betaalt]", "vragen:", "vragen", "verwacht een blok"),
    "no_answer": (
        "vragen:\n  zelf:\n    herkenning: [zelf bellen]",
        "zelf:",
        "vragen.zelf.antwoord",
        "verplicht veld ontbreekt",
    ),
    "bad_pattern": (
        "vragen:\n  zelf:\n    antwoord: Nee\n    herkenning:\n      - 'zelf (bellen'",
        "'zelf (bellen'",
        "vragen.zelf.herkenning[0]",
        "ongeldig patroon",
    ),
    "empty_patterns": (
        "vragen:\n  zelf:\n    antwoord: Nee\n    herkenning: []",
        "herkenning: []",
        "vragen.zelf.herkenning",
        "",
    ),
    "unknown_field": (
        "vragen_en:\n  zelf:\n    herkenning: [x]\n    antwoord: No\n    answer: No",
        "answer: No",
        "vragen_en.zelf.answer",
        "onbekend veld",
    ),
    "flag_not_bool": (
        "vragen:\n  zelf:\n    herkenning: [x]\n    antwoord: Nee\n    mededeling: ja",
        "mededeling: ja",
        "vragen.zelf.mededeling",
        "verwacht true of false",
    ),
    "unknown_language": (
        "vragen_xx:\n  zelf:\n    herkenning: [x]\n    antwoord: Nee",
        "vragen_xx",
        "vragen_xx",
        "onbekend veld",
    ),
}


@pytest.mark.parametrize(("block", "marker", "field", "words"), MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_block_is_named_by_file_line_and_field(
    tmp_path: Path, table, block: str, marker: str, field: str, words: str
) -> None:
    text = BASE.replace("standaard_aannemers:", block + "\nstandaard_aannemers:", 1)
    problems = refused(tmp_path, text, table)
    prefix = f"{write(tmp_path, text)}:{line_of(text, marker)}: {field}: "
    assert [p for p in problems if p.startswith(prefix) and words in p], "\n".join(problems)


def test_the_clients_questions_come_first_and_replace_a_general_one(client) -> None:
    questions = with_client(digressions_for("nl"), client.questions_for("nl"))
    own = questions.reply(PLUMBER, topic=None)
    assert own is not None and own.texts == ("Liever niet, Woonzorg stuurt zelf een vakman.",)
    # The same id as a general question: the client's answer, not the general one.
    pays = questions.reply("wie betaalt dit?", topic=None)
    assert pays is not None and pays.texts[0].startswith("Woonzorg betaalt de reparatie")
    assert [q.id for q in questions.questions].count("wie_betaalt") == 1


def test_a_question_the_client_does_not_have_falls_back_to_the_general_one(client) -> None:
    general = digressions_for("nl")
    questions = with_client(general, client.questions_for("nl"))
    assert questions.reply("ben je een mens?", topic=None) == general.reply(
        "ben je een mens?", topic=None
    )
    assert questions.find("Jan de Vries") is None


def test_the_clients_questions_follow_the_language(client) -> None:
    english = with_client(digressions_for("en"), client.questions_for("en"))
    reply = english.reply("Can I call a plumber myself?", topic=None)
    assert reply is not None and "Woonzorg sends" in reply.texts[0]
    # The Dutch question is not asked in English, and the English answer is not Dutch.
    assert english.find(PLUMBER) is None


def test_without_client_questions_the_general_ones_are_used_unchanged() -> None:
    general = digressions_for("nl")
    assert with_client(general, ()) is general
    assert general.find(PLUMBER) is None
