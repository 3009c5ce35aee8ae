"""The e-mail channel's configuration, from the environment only.

Mail comes in through an IMAP mailbox (``MAIL_IN_IMAP_*``), through the channel's own
SMTP listener (``MAIL_IN_SMTP_LISTEN``), or both; answers go out through the SMTP
server of the outbox (``SMTP_*``, ``MAIL_FROM``). Without a way in, or without a way
out, the channel is off and says why; a value that cannot be right is an error.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from meldkamer.notify.mail import SmtpSettings

IMAP_SECURITY = ("ssl", "starttls", "none")
DEFAULT_POLL_SECONDS = 60.0


class SettingsError(ValueError):
    """A variable is set to something the channel cannot use."""


@dataclass(frozen=True)
class ImapSettings:
    """One mailbox to fetch from."""

    host: str
    username: str
    password: str = field(repr=False)
    port: int = 993
    security: str = "ssl"
    folder: str = "INBOX"
    #: Seconds between checks without IDLE, and the longest IDLE wait before checking anyway.
    poll_seconds: float = DEFAULT_POLL_SECONDS


@dataclass(frozen=True)
class EmailSettings:
    """Ways in, the way out, and where tenants can chat instead."""

    smtp: SmtpSettings
    imap: ImapSettings | None = None
    #: ``(host, port)`` of the channel's own SMTP listener.
    listen: tuple[str, int] | None = None
    webchat_url: str | None = None
    #: Addresses we send from (lower case): a mail from them is our own.
    own_addresses: tuple[str, ...] = ()


def _value(env: Mapping[str, str], name: str, default: str = "") -> str:
    return (env.get(name) or "").strip() or default


def _port(raw: str, name: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{name} {raw!r} is geen poortnummer") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name} {port} ligt niet tussen 1 en 65535")
    return port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(env: Mapping[str, str]) -> tuple[str, int] | None:
    raw = _value(env, "MAIL_IN_SMTP_LISTEN")
    if not raw:
        return None
    host, _, port = raw.rpartition(":")
    if not host:
        raise SettingsError(f"MAIL_IN_SMTP_LISTEN {raw!r}: schrijf host:poort, bv. 127.0.0.1:2525")
    host = host.strip("[]")
    if not _is_loopback(host) and _value(env, "MAIL_IN_SMTP_PUBLIC") != "1":
        # Secure by default: a listener open to the world is a decision, not an accident.
        raise SettingsError(
            f"MAIL_IN_SMTP_LISTEN {raw!r} is geen loopback-adres; zet MAIL_IN_SMTP_PUBLIC=1 "
            "als de server direct mail van buiten moet ontvangen"
        )
    return host, _port(port, "MAIL_IN_SMTP_LISTEN")


def _imap(env: Mapping[str, str]) -> ImapSettings | None:
    host = _value(env, "MAIL_IN_IMAP_HOST")
    if not host:
        return None
    username = _value(env, "MAIL_IN_IMAP_USER")
    password = env.get("MAIL_IN_IMAP_PASSWORD") or ""
    if not username or not password:
        raise SettingsError(
            "MAIL_IN_IMAP_USER en MAIL_IN_IMAP_PASSWORD horen bij MAIL_IN_IMAP_HOST"
        )
    security = _value(env, "MAIL_IN_IMAP_SECURITY", "ssl").lower()
    if security not in IMAP_SECURITY:
        raise SettingsError(
            f"MAIL_IN_IMAP_SECURITY {security!r} onbekend; mogelijk: {', '.join(IMAP_SECURITY)}"
        )
    if security == "none" and not _is_loopback(host):
        raise SettingsError("MAIL_IN_IMAP_SECURITY=none mag alleen naar een loopback-adres")
    default_port = "993" if security == "ssl" else "143"
    try:
        poll = float(_value(env, "MAIL_IN_IMAP_POLL_SECONDS", str(DEFAULT_POLL_SECONDS)))
    except ValueError:
        raise SettingsError("MAIL_IN_IMAP_POLL_SECONDS is geen getal") from None
    if poll <= 0:
        raise SettingsError("MAIL_IN_IMAP_POLL_SECONDS moet groter dan 0 zijn")
    return ImapSettings(
        host=host,
        username=username,
        password=password,
        port=_port(_value(env, "MAIL_IN_IMAP_PORT", default_port), "MAIL_IN_IMAP_PORT"),
        security=security,
        folder=_value(env, "MAIL_IN_IMAP_FOLDER", "INBOX"),
        poll_seconds=poll,
    )


def settings_from_env(env: Mapping[str, str] | None = None) -> tuple[EmailSettings | None, str]:
    """The settings and ``""``, or ``None`` and why the channel is off.

    Raises:
        SettingsError: a variable is set to a value that cannot be right.
    """
    env = os.environ if env is None else env
    imap, listen = _imap(env), _listen(env)
    if imap is None and listen is None:
        return None, "MAIL_IN_IMAP_HOST en MAIL_IN_SMTP_LISTEN zijn niet gezet"
    try:
        smtp = SmtpSettings.from_env(env)
    except ValueError as error:
        raise SettingsError(str(error)) from None
    if smtp is None:
        return None, "SMTP_HOST is niet gezet: antwoorden kunnen niet weg"
    own = {smtp.from_address.lower()}
    own.update(
        a.strip().lower() for a in _value(env, "MAIL_IN_OWN_ADDRESSES").split(",") if a.strip()
    )
    return (
        EmailSettings(
            smtp=smtp,
            imap=imap,
            listen=listen,
            webchat_url=_value(env, "MAIL_IN_WEBCHAT_URL") or None,
            own_addresses=tuple(sorted(own)),
        ),
        "",
    )
