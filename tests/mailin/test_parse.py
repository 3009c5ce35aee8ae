"""Reading tenants' mails: text, quotes, signatures, HTML, attachments, unreadable mails."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from meldkamer.mailin.clean import html_to_text, split_signature, strip_quoted
from meldkamer.mailin.parse import Unreadable, parse_mail


def mail(body: str = "Er lekt water door het plafond.", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Fatima el Amrani <Fatima@Example.nl>")
    message["To"] = headers.pop("To", "Storing@de-linde.example.nl")
    message["Subject"] = headers.pop("Subject", "Lekkage")
    message["Message-ID"] = headers.pop("Message_ID", "<abc.1@example.nl>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def test_a_plain_mail_is_read() -> None:
    read = parse_mail(bytes(mail()))
    assert read.sender == "fatima@example.nl"
    assert read.sender_name == "Fatima el Amrani"
    assert read.recipients == ("storing@de-linde.example.nl",)
    assert (read.subject, read.text, read.message_id) == (
        "Lekkage",
        "Er lekt water door het plafond.",
        "<abc.1@example.nl>",
    )


def test_the_quoted_earlier_mail_is_not_read_as_the_tenants_words() -> None:
    body = (
        "2\n\nOp 1 dec. 2026 om 23:04 schreef Meldkamer <meldingen@meldkamer.test>:\n"
        "> Kunt u het water afsluiten?\n> 1. Ja\n> 2. Nee\n"
    )
    assert parse_mail(bytes(mail(body))).text == "2"
    assert strip_quoted("Nee\n\nOn Tue, Dec 1, 2026 at 23:04 Meldkamer wrote:\n> vraag") == "Nee"
    assert strip_quoted("Ja hoor\n-----Original Message-----\nFrom: x\nvraag") == "Ja hoor"
    assert strip_quoted("> alleen citaat\nmijn antwoord") == "mijn antwoord"


def test_the_signature_is_split_off_but_its_details_are_kept() -> None:
    body = "Geen warm water.\n\nMet vriendelijke groet,\nJan de Vries\nMolenweg 3\n1234 AD 3\n06 23456789"
    read = parse_mail(bytes(mail(body)))
    assert read.text == "Geen warm water."
    assert (read.contact.name, read.contact.address, read.contact.phone) == (
        "Jan de Vries",
        "1234 AD 3",
        "06 23456789",
    )
    assert split_signature("tekst\n-- \nhandtekening") == ("tekst", "-- \nhandtekening")


def test_html_mail_becomes_text_without_scripts_styles_or_quotes() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>De&nbsp;cv doet het <b>niet</b>.</p><div>Adres: 1234 AB 12</div>"
        "<blockquote>Eerdere vraag van de meldkamer</blockquote></body></html>"
    )
    lines = [line for line in html_to_text(html).splitlines() if line]
    assert lines == [
        "De cv doet het niet.",
        "Adres: 1234 AB 12",
        "> Eerdere vraag van de meldkamer",
    ]
    message = mail()
    message.set_content(html, subtype="html")
    read = parse_mail(bytes(message))
    assert "alert" not in read.text and "color" not in read.text
    assert "Eerdere vraag" not in read.text
    assert read.contact.address == "1234 AB 12"


def test_attachments_are_kept_with_their_type() -> None:
    message = mail()
    message.add_attachment(
        b"\xff\xd8\xff\xe0foto", maintype="image", subtype="jpeg", filename="a.jpg"
    )
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="b.pdf")
    read = parse_mail(bytes(message))
    assert [(a.filename, a.content_type) for a in read.attachments] == [
        ("a.jpg", "image/jpeg"),
        ("b.pdf", "application/pdf"),
    ]


def test_threading_headers_are_read_oldest_first() -> None:
    read = parse_mail(
        bytes(mail(In_Reply_To="<b@x>", References="<a@x> <b@x>", Message_ID="<c@x>"))
    )
    assert read.thread_ids == ("<a@x>", "<b@x>", "<b@x>")


def test_a_mail_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@example.nl\r\nSubject: x\r\n\r\nDe deur klemt.\r\n"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id != parse_mail(raw + b"x").message_id


@pytest.mark.parametrize(
    "raw",
    [
        b"Subject: geen afzender\r\n\r\nHallo\r\n",
        b"From: a@example.nl\r\nSubject: \r\n\r\n\r\n",
        b"\x00\x01\x02 geen mail",
    ],
)
def test_what_cannot_be_a_tenants_mail_is_unreadable(raw: bytes) -> None:
    with pytest.raises(Unreadable):
        parse_mail(raw)
