"""E-mail and SMS senders against real servers on loopback: aiosmtpd and an aiohttp gateway.

The server helpers here are shared with test_worker.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest

from meldkamer.notify.mail import EmailSender, SmtpSettings, build_email, message_id
from meldkamer.notify.models import OutboxMessage
from meldkamer.notify.senders import DeliveryError, senders_from_env
from meldkamer.notify.sms import SmsSender, SmsSettings, is_permanent
from tests.fakes.mail import (
    MAIL_FROM,
    free_port,
    running_smtp_server,
)

NOW = datetime(2026, 3, 1, 2, 30, tzinfo=timezone.utc)


def outbox_message(kind: str = "email", key: str = "werkbon:MK-2026-000001:jansen:1", **changes):
    fields: dict[str, object] = {
        "id": 1,
        "key": key,
        "kind": kind,
        "purpose": "werkbon",
        "recipient": "storing@jansen-installatie.test" if kind == "email" else "+31612345678",
        "subject": "Werkbon MK-2026-000001 – lekkage" if kind == "email" else None,
        "body": "Lekkage in de badkamer, Coolsingel 12a.\nGraag vóór 04:00 ter plaatse. ✓",
        "status": "bezig",
        "attempts": 1,
        "next_attempt_at": NOW,
        "created_at": NOW,
    }
    fields.update(changes)
    return OutboxMessage(**fields)


# --- settings from the environment -------------------------------------------------------------


def test_smtp_settings_are_off_without_host() -> None:
    assert SmtpSettings.from_env({}) is None
    assert SmtpSettings.from_env({"SMTP_HOST": "  ", "MAIL_FROM": MAIL_FROM}) is None


def test_smtp_settings_defaults_and_values() -> None:
    settings = SmtpSettings.from_env({"SMTP_HOST": "smtp.example.nl", "MAIL_FROM": MAIL_FROM})
    assert settings is not None
    assert (settings.host, settings.port, settings.security) == ("smtp.example.nl", 587, "starttls")
    assert settings.username is None and settings.password is None
    assert settings.from_address == "meldingen@meldkamer.test"

    ssl = SmtpSettings.from_env({"SMTP_HOST": "h", "MAIL_FROM": MAIL_FROM, "SMTP_SECURITY": "SSL"})
    assert ssl is not None and (ssl.security, ssl.port) == ("ssl", 465)

    full = SmtpSettings.from_env(
        {
            "SMTP_HOST": "h",
            "MAIL_FROM": MAIL_FROM,
            "SMTP_PORT": "2525",
            "SMTP_SECURITY": "none",
            "SMTP_USERNAME": "meldkamer",
            "SMTP_PASSWORD": "wachtwoord-123 ",
        }
    )
    assert full is not None
    assert (full.port, full.security, full.username, full.password) == (
        2525,
        "none",
        "meldkamer",
        "wachtwoord-123 ",
    )
    assert "wachtwoord" not in repr(full)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"MAIL_FROM": ""}, "MAIL_FROM ontbreekt"),
        ({"MAIL_FROM": "Meldkamer"}, "bevat geen e-mailadres"),
        ({"SMTP_PORT": "vijf"}, "SMTP_PORT 'vijf' is geen getal"),
        ({"SMTP_PORT": "70000"}, "tussen 1 en 65535"),
        ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY 'tls' onbekend"),
        ({"SMTP_USERNAME": "meldkamer"}, "horen samen"),
        ({"SMTP_PASSWORD": "geheim"}, "horen samen"),
    ],
)
def test_smtp_settings_refuse_incomplete_or_malformed_values(changes, message) -> None:
    env = {"SMTP_HOST": "smtp.example.nl", "MAIL_FROM": MAIL_FROM, **changes}
    with pytest.raises(ValueError, match=message):
        SmtpSettings.from_env(env)


def test_sms_settings_from_env() -> None:
    assert SmsSettings.from_env({}) is None
    settings = SmsSettings.from_env(
        {"SMS_GATEWAY_URL": "https://sms.example.nl/v1/messages", "SMS_GATEWAY_TOKEN": "t0k3n"}
    )
    assert settings is not None
    assert settings.sender == "Meldkamer" and settings.token == "t0k3n"
    assert "t0k3n" not in repr(settings)
    named = SmsSettings.from_env(
        {"SMS_GATEWAY_URL": "http://gw/", "SMS_GATEWAY_TOKEN": "t", "SMS_SENDER": "+3197010"}
    )
    assert named is not None and named.sender == "+3197010"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMS_GATEWAY_URL": "https://gw.example.nl"}, "SMS_GATEWAY_TOKEN ontbreekt"),
        ({"SMS_GATEWAY_TOKEN": "t"}, "SMS_GATEWAY_URL ontbreekt"),
        ({"SMS_GATEWAY_URL": "gw.example.nl", "SMS_GATEWAY_TOKEN": "t"}, "geen http"),
        (
            {
                "SMS_GATEWAY_URL": "https://gw",
                "SMS_GATEWAY_TOKEN": "t",
                "SMS_SENDER": "Meldkamer 24/7",
            },
            "hoogstens 11 tekens",
        ),
    ],
)
def test_sms_settings_refuse_incomplete_or_malformed_values(env, message) -> None:
    with pytest.raises(ValueError, match=message):
        SmsSettings.from_env(env)


def test_senders_from_env_switches_channels_on_and_off(caplog) -> None:
    smtp = {"SMTP_HOST": "smtp.example.nl", "MAIL_FROM": MAIL_FROM}
    sms = {"SMS_GATEWAY_URL": "https://gw.example.nl/sms", "SMS_GATEWAY_TOKEN": "t"}
    assert senders_from_env({}) == {}
    both = senders_from_env({**smtp, **sms})
    assert isinstance(both["email"], EmailSender) and isinstance(both["sms"], SmsSender)
    assert set(senders_from_env(sms)) == {"sms"}
    # One broken channel is logged and switched off; the other keeps working.
    with caplog.at_level(logging.ERROR):
        only_sms = senders_from_env({**smtp, "SMTP_SECURITY": "tls", **sms})
    assert set(only_sms) == {"sms"}
    assert "e-mail staat uit" in caplog.text and "SMTP_SECURITY" in caplog.text


# --- e-mail ------------------------------------------------------------------------------------


def test_message_id_is_derived_from_the_key() -> None:
    settings = SmtpSettings(host="h", mail_from=MAIL_FROM)
    first = message_id("werkbon:MK-2026-000001:jansen:1", settings)
    assert first == message_id("werkbon:MK-2026-000001:jansen:1", settings)
    assert first != message_id("werkbon:MK-2026-000001:jansen:2", settings)
    assert first.startswith("<outbox.") and first.endswith("@meldkamer.test>")


def test_build_email_is_plain_utf8_text() -> None:
    email = build_email(outbox_message(), SmtpSettings(host="h", mail_from=MAIL_FROM))
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email["Auto-Submitted"] == "auto-generated"
    parsed = message_from_bytes(email.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Werkbon MK-2026-000001 – lekkage"
    assert parsed.get_content().rstrip("\n") == outbox_message().body


async def test_email_is_delivered_with_subject_body_and_stable_message_id(smtp_server) -> None:
    sender = EmailSender(smtp_server.settings())
    message = outbox_message()
    await sender.send(message)
    await sender.send(message)  # as after a crash: the same Message-ID again

    first, second = smtp_server.mailbox.messages
    assert smtp_server.mailbox.recipients[0] == ["storing@jansen-installatie.test"]
    assert first["From"] == MAIL_FROM
    assert first["To"] == "storing@jansen-installatie.test"
    assert first["Subject"] == "Werkbon MK-2026-000001 – lekkage"
    # SMTP carries lines ending in CRLF.
    assert first.get_content().replace("\r\n", "\n").rstrip("\n") == message.body
    assert first["Message-ID"] == second["Message-ID"] == message_id(message.key, sender.settings)


async def test_email_logs_in_when_the_server_asks() -> None:
    with running_smtp_server(("meldkamer", "juist-wachtwoord")) as server:
        good = EmailSender(server.settings(username="meldkamer", password="juist-wachtwoord"))
        await good.send(outbox_message())
        assert server.mailbox.count() == 1

        bad = EmailSender(server.settings(username="meldkamer", password="fout-wachtwoord"))
        with pytest.raises(DeliveryError) as caught:
            await bad.send(outbox_message())
        # A wrong password is the configuration's fault: the message waits, it does not fail.
        assert not caught.value.permanent
        assert "aanmelden" in caught.value.reason and "wachtwoord" not in caught.value.reason
        assert server.mailbox.count() == 1


async def test_refused_recipient_is_permanent(smtp_server) -> None:
    smtp_server.mailbox.refuse.add("weg@jansen-installatie.test")
    sender = EmailSender(smtp_server.settings())
    with pytest.raises(DeliveryError) as caught:
        await sender.send(outbox_message(recipient="weg@jansen-installatie.test"))
    assert caught.value.permanent
    assert caught.value.reason.startswith("ontvanger geweigerd: SMTP 550")


async def test_unreachable_smtp_server_is_retried() -> None:
    settings = SmtpSettings(
        host="127.0.0.1", port=free_port(), security="none", mail_from=MAIL_FROM, timeout=2
    )
    with pytest.raises(DeliveryError) as caught:
        await EmailSender(settings).send(outbox_message())
    assert not caught.value.permanent
    assert caught.value.reason.startswith("SMTP-server niet bereikbaar: ConnectionRefusedError")


async def test_starttls_against_a_server_without_it_is_retried(smtp_server) -> None:
    sender = EmailSender(smtp_server.settings(security="starttls"))
    with pytest.raises(DeliveryError) as caught:
        await sender.send(outbox_message())
    assert not caught.value.permanent
    assert caught.value.reason.startswith("SMTP-fout: SMTPNotSupportedError: STARTTLS")
    assert smtp_server.mailbox.count() == 0


# --- SMS -----------------------------------------------------------------------------------------


async def test_sms_is_posted_as_json_with_the_bearer_token(sms_gateway) -> None:
    async with SmsSender(sms_gateway.settings()) as sender:
        await sender.send(outbox_message("sms"))
    (request,) = sms_gateway.requests
    assert request == {
        "to": "+31612345678",
        "from": "Meldkamer",
        "text": outbox_message("sms").body,
        "reference": "werkbon:MK-2026-000001:jansen:1",
        "_status": 202,
    }


@pytest.mark.parametrize(
    ("status", "permanent", "reason"),
    [
        (400, True, 'SMS-gateway antwoordde HTTP 400: {"error": "ongeldig nummer"}'),
        (422, True, "SMS-gateway antwoordde HTTP 422: tijdelijk niet beschikbaar"),
        (429, False, "SMS-gateway antwoordde HTTP 429: tijdelijk niet beschikbaar"),
        (500, False, "SMS-gateway antwoordde HTTP 500: tijdelijk niet beschikbaar"),
        (503, False, "SMS-gateway antwoordde HTTP 503: tijdelijk niet beschikbaar"),
    ],
)
async def test_sms_gateway_errors(sms_gateway, status, permanent, reason) -> None:
    sms_gateway.statuses = [status]
    async with SmsSender(sms_gateway.settings()) as sender:
        with pytest.raises(DeliveryError) as caught:
            await sender.send(outbox_message("sms"))
    assert caught.value.permanent is permanent
    assert caught.value.reason == reason


async def test_wrong_sms_token_waits_for_the_configuration(sms_gateway) -> None:
    async with SmsSender(sms_gateway.settings(token="verkeerd")) as sender:
        with pytest.raises(DeliveryError) as caught:
            await sender.send(outbox_message("sms"))
    assert not caught.value.permanent
    assert "HTTP 401" in caught.value.reason and "verkeerd" not in caught.value.reason
    assert sms_gateway.requests == []


async def test_unreachable_sms_gateway_is_retried() -> None:
    settings = SmsSettings(gateway_url=f"http://127.0.0.1:{free_port()}/sms", token="t")
    async with SmsSender(settings) as sender:
        with pytest.raises(DeliveryError) as caught:
            await sender.send(outbox_message("sms"))
    assert not caught.value.permanent
    assert caught.value.reason == "SMS-gateway niet bereikbaar: ClientConnectorError"


def test_which_gateway_statuses_are_permanent() -> None:
    assert [
        s for s in (200, 302, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502) if is_permanent(s)
    ] == [
        400,
        409,
        413,
        422,
    ]


async def test_a_sender_refuses_a_message_of_the_other_kind(sms_gateway, smtp_server) -> None:
    with pytest.raises(DeliveryError, match="geen e-mail") as caught:
        await EmailSender(smtp_server.settings()).send(outbox_message("sms"))
    assert caught.value.permanent
    async with SmsSender(sms_gateway.settings()) as sender:
        with pytest.raises(DeliveryError, match="geen sms"):
            await sender.send(outbox_message("email"))
