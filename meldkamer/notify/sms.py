"""Sending outbox SMS messages through an HTTP gateway.

The gateway takes ``POST`` with JSON ``{"to", "from", "text", "reference"}`` and a
bearer token. The outbox key goes along as the reference, so a gateway that keeps
references can drop a message sent again after a crash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from meldkamer.notify.delivery import DeliveryError, HttpPool
from meldkamer.notify.models import MessageKind, OutboxMessage

DEFAULT_TIMEOUT_S = 15.0
# An alphanumeric sender ID may have at most 11 characters (GSM 03.38); a number is
# written in full.
_SENDER_RE = re.compile(r"^(\+?\d{3,15}|[A-Za-z0-9][A-Za-z0-9 .-]{0,10})$")


@dataclass(frozen=True)
class SmsSettings:
    """How to reach the SMS gateway.

    Attributes:
        gateway_url: The ``http(s)`` URL messages are posted to.
        token: The bearer token for the gateway.
        sender: The sender shown on the phone: a name of at most 11 characters or a number.
        timeout: Seconds allowed for the whole request.
    """

    gateway_url: str
    token: str = field(repr=False)
    sender: str = "Meldkamer"
    timeout: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        parts = urlsplit(self.gateway_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("SMS_GATEWAY_URL is geen http(s)-adres")
        if not _SENDER_RE.match(self.sender):
            raise ValueError(
                f"SMS_SENDER {self.sender!r}: een naam van hoogstens 11 tekens of een nummer"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmsSettings | None:
        """Read the settings from ``SMS_*``; None when SMS is off (no URL and no token).

        Raises:
            ValueError: Only one of URL and token is set, or a value is malformed.
        """
        url = env.get("SMS_GATEWAY_URL", "").strip()
        token = env.get("SMS_GATEWAY_TOKEN", "").strip()
        if not url and not token:
            return None
        if not url:
            raise ValueError("SMS_GATEWAY_URL ontbreekt")
        if not token:
            raise ValueError("SMS_GATEWAY_TOKEN ontbreekt")
        return cls(
            gateway_url=url,
            token=token,
            sender=env.get("SMS_SENDER", "").strip() or "Meldkamer",
        )


# These 4xx answers blame the gateway set-up or the account (token, URL, credit), not
# the message: the messages wait until the configuration is fixed instead of failing.
_RETRIED_4XX = frozenset({401, 403, 404, 405, 407, 408, 429})


def is_permanent(status: int) -> bool:
    """Tell whether an HTTP status from the gateway means trying again will not help.

    A 4xx says this request is wrong (e.g. 400 for a number the gateway refuses),
    except 429 (too many requests) and the statuses that point at the configuration
    (401, 403, 404, 405, 407, 408). A 5xx, a redirect and anything unexpected are retried.
    """
    return 400 <= status < 500 and status not in _RETRIED_4XX


class SmsSender:
    """Sends outbox SMS messages; keeps one HTTP connection pool until :meth:`close`."""

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self._http = HttpPool(settings.timeout)

    async def send(self, message: OutboxMessage) -> None:
        """Post ``message`` to the gateway.

        Raises:
            DeliveryError: The gateway was unreachable or did not answer 2xx;
                permanent for a 4xx other than 429.
        """
        if message.kind != MessageKind.SMS.value:
            raise DeliveryError(f"geen sms maar {message.kind}", permanent=True)
        payload = {
            "to": message.recipient,
            "from": self.settings.sender,
            "text": message.body,
            "reference": message.key,
        }
        headers = {"Authorization": f"Bearer {self.settings.token}"}
        await self._http.post(
            self.settings.gateway_url,
            service="SMS-gateway",
            permanent=is_permanent,
            json=payload,
            headers=headers,
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.close()

    async def __aenter__(self) -> SmsSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
