"""The retention settings: the packaged file, its checks, the clients' overrides, the docs."""

from __future__ import annotations

import pytest

from meldkamer.clients import ClientFileError, parse_client
from meldkamer.clients.retention import DATA_CLASSES, RetentionAction
from meldkamer.privacy.policy import DEFAULT_FILE, PolicyFileError, load_policy, parse_policy
from meldkamer.privacy.render import render_terms
from tests.conftest import ROOT

CLIENT = (ROOT / "clients" / "vve-beheer-noord.yml").read_text("utf-8")


def test_the_packaged_file_has_every_class_with_an_allowed_action() -> None:
    policy = load_policy()
    assert list(policy.defaults) == list(DATA_CLASSES)
    for code, term in policy.defaults.items():
        assert term.action in DATA_CLASSES[code] and term.explanation and term.days > 0


def test_docs_privacy_shows_the_terms_of_the_file() -> None:
    docs = (ROOT / "docs" / "PRIVACY.md").read_text("utf-8")
    assert render_terms(load_policy()) in docs, "run the renderer and paste its table"


def test_every_problem_of_the_settings_file_is_named_with_its_line() -> None:
    source = DEFAULT_FILE.read_text("utf-8")
    broken = source.replace("dagen: 90", "dagen: 0", 1).replace(
        "actie: anonimiseren", "actie: verwijderen", 1
    )
    broken += "\nvoorbeeld:\n  dagen: 3\n"
    with pytest.raises(PolicyFileError) as error:
        parse_policy(broken, "retention.yml")
    lines = broken.splitlines()
    messages = [str(p) for p in error.value.problems]
    assert len(messages) == 3, messages
    for problem, field in zip(
        error.value.problems,
        ("gesprekken.dagen", "contactgegevens.actie", "voorbeeld"),
        strict=True,
    ):
        assert problem.field == field
        assert field.split(".")[-1] in lines[problem.line - 1]


def test_a_missing_class_is_refused() -> None:
    source = DEFAULT_FILE.read_text("utf-8")
    start = source.index("spool:")
    with pytest.raises(PolicyFileError, match="spool: verplicht veld ontbreekt"):
        parse_policy(source[:start], "retention.yml")


def test_a_client_overrides_days_and_keeps_the_default_action() -> None:
    source = (
        CLIENT
        + "\nbewaartermijnen:\n  gesprekken:\n    dagen: 30\n  notities: {dagen: 5, actie: anonimiseren}\n"
    )
    client = parse_client(source, "vve.yml")
    terms = load_policy().terms_for(client)
    assert (terms["gesprekken"].days, terms["gesprekken"].action) == (
        30,
        RetentionAction.VERWIJDEREN,
    )
    assert terms["notities"].action is RetentionAction.ANONIMISEREN
    assert terms["fotos"] == load_policy().defaults["fotos"]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("  chats:\n    dagen: 3\n", "bewaartermijnen.chats: onbekend veld"),
        ("  fotos:\n    dagen: 0\n", "bewaartermijnen.fotos.dagen: moet tussen 1 en 3650"),
        ("  fotos:\n    dagen: 3\n    actie: anonimiseren\n", "onbekende actie 'anonimiseren'"),
        ("  fotos:\n    actie: verwijderen\n", "bewaartermijnen.fotos.dagen: verplicht veld"),
        ("  fotos: 30\n", "bewaartermijnen.fotos: verwacht een blok"),
    ],
)
def test_a_wrong_override_is_refused_with_file_and_line(block: str, message: str) -> None:
    source = CLIENT.rstrip("\n") + "\nbewaartermijnen:\n" + block
    with pytest.raises(ClientFileError) as error:
        parse_client(source, "clients/vve.yml")
    first = CLIENT.rstrip("\n").count("\n") + 3  # the line of the class
    assert any(
        message in str(p) and p.file == "clients/vve.yml" and p.line >= first
        for p in error.value.problems
    ), [str(p) for p in error.value.problems]
