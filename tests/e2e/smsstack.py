"""The real Rasa and action servers with the SMS channel on, the gateway fake for the
bot's SMS, and helpers to send signed SMS to the webhook (shared by the SMS e2e tests)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.stack import Stack
from tests.fakes.mail import SmsGateway
from tests.fakes.sms_inbound import INBOUND_SECRET, inbound_webhook, threaded_sms_gateway


@contextmanager
def sms_stack(
    workdir: Path,
    channels: tuple[str, ...],
    *,
    env: dict[str, str] | None = None,
    unset: tuple[str, ...] = (),
) -> Iterator[tuple[Stack, SmsGateway]]:
    """(stack on a SQLite file in ``workdir``, the gateway fake its SMS go to)."""
    with threaded_sms_gateway() as gateway:
        stack = Stack(
            database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
            workdir=workdir,
            channels=channels,
            unset=("SMS_*", "REDIS_URL", *unset),
            env=env or {},
            rasa_env={**gateway.env(), "SMS_INBOUND_SECRET": INBOUND_SECRET},
        )
        try:
            stack.start()
            yield stack, gateway
        finally:
            stack.stop()


def post(stack: Stack, body: bytes, headers: dict[str, str]) -> int:
    """POST a body to the SMS webhook; the HTTP status, also of a refusal."""
    request = urllib.request.Request(
        f"{stack.url}/webhooks/sms/inbound", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def text_in(stack: Stack, sender: str, text: str, message_id: str | None = None) -> int:
    """``sender`` texts ``text`` through the gateway's signed webhook; the HTTP status."""
    message_id = message_id or f"in-{uuid.uuid4().hex[:10]}"
    return post(stack, *inbound_webhook(message_id, sender, text))


def sent_to(gateway: SmsGateway, number: str) -> list[str]:
    """The texts of every SMS the gateway took for ``number``, oldest first."""
    return [str(r["text"]) for r in list(gateway.requests) if r["to"] == number]


def wait_for_sms(gateway: SmsGateway, number: str, count: int) -> list[str]:
    """The SMS to ``number`` once there are ``count`` (or after a minute, however many)."""
    deadline = time.monotonic() + 60
    while True:
        texts = sent_to(gateway, number)
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        time.sleep(0.1)
