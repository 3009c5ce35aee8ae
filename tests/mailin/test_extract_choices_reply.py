"""Details from text and signature, numbered options, and the answer mail."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.mailin.choices import ANSWER_BY_NUMBER, chosen, numbered
from meldkamer.mailin.extract import Contact, extract_contact, find_address, find_phone
from meldkamer.mailin.hygiene import never_answer
from meldkamer.mailin.reply import ReplyText, Thread, build_reply, reply_body

BUTTONS = [
    {"title": "Ja", "payload": '/inform{"leiding_afsluitbaar": true}'},
    {"title": "Nee, lukt niet", "payload": '/inform{"leiding_afsluitbaar": false}'},
]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Mijn adres is 1234 AB 12.", "1234 AB 12"),
        ("Lindelaan 12, 1234 AB Lindendam", "1234 AB 12"),
        ("Lindelaan 12\n1234AB Lindendam", "1234 AB 12"),
        ("postcode 1234 ab huisnummer 7a", "1234 AB 7A"),
        ("Ik woon in 1234 AB.", None),
        ("Bel 0612345678", None),
    ],
)
def test_addresses(text: str, address: str | None) -> None:
    assert find_address(text) == address


def test_phones_and_names() -> None:
    assert find_phone("bel me op +31 6 1234 5678 graag") == "+31 6 1234 5678"
    assert find_phone("nummer 12345") is None
    contact = extract_contact("Mijn naam is Piet Bakker. Help!", "", "info@example.nl")
    assert contact.name == "Piet Bakker" and contact.display_name is None
    assert extract_contact("Help", "", "Sanne de Wit").best_name == "Sanne de Wit"


def test_a_later_mail_completes_an_earlier_one() -> None:
    earlier = Contact(address="1234 AB 12", name="Jan", display_name="J. Jansen")
    later = Contact(phone="0612345678", display_name="Jan Jansen")
    merged = later.merged(earlier)
    assert (merged.address, merged.best_name, merged.phone) == ("1234 AB 12", "Jan", "0612345678")
    assert Contact.from_dict(merged.to_dict()) == merged
    assert Contact.from_dict("rommel") == Contact()


def test_options_are_numbered_and_answers_map_back() -> None:
    assert numbered(BUTTONS) == f"1. Ja\n2. Nee, lukt niet\n{ANSWER_BY_NUMBER}"
    assert chosen("2", BUTTONS) == BUTTONS[1]["payload"]
    assert chosen(" 1.\n\n> citaat", BUTTONS) == BUTTONS[0]["payload"]
    assert chosen("nee, lukt niet!", BUTTONS) == BUTTONS[1]["payload"]
    assert chosen("3", BUTTONS) is None
    assert chosen("de kraan zit vast", BUTTONS) is None
    assert chosen("2", []) is None


def test_the_answer_mail_is_threaded_marked_and_plain() -> None:
    thread = Thread("huurder@example.nl", "Lekkage", "<b@x>", ("<a@x>",), "MK-2026-000001")
    body = reply_body(
        ReplyText(
            said=[{"text": "Kunt u het water afsluiten?", "buttons": BUTTONS}],
            notes=["De bijlage b.pdf hebben wij niet gebruikt."],
            webchat_url="https://www.de-linde.example.nl/chat",
            quoted="De leiding is gesprongen.",
        )
    )
    assert "1. Ja\n2. Nee, lukt niet" in body
    assert "https://www.de-linde.example.nl/chat" in body
    assert MELDKAMER_PHONE in body and f"Bel {EMERGENCY_PHONE}" in body
    assert body.rstrip().endswith("> De leiding is gesprongen.")
    email = build_reply(
        thread, body, mail_from="Meldkamer <m@meldkamer.test>", message_id="<mk.1@m>"
    )
    assert (email["In-Reply-To"], email["References"]) == ("<b@x>", "<a@x> <b@x>")
    assert email["Subject"] == "Re: Lekkage [MK-2026-000001]"
    back = message_from_bytes(bytes(email), policy=policy.default)
    # Our own answer, coming back (a forward, a loop), is never answered.
    assert never_answer(back, ("m@meldkamer.test",)) is not None


def test_an_agents_message_says_who_wrote_it() -> None:
    body = reply_body(ReplyText(said=[{"text": "Ik bel u zo.", "agent": "Sanne"}]))
    assert "Medewerker Sanne: Ik bel u zo." in body
