"""The SMS gateway's other half: inbound SMS as webhooks, and the gateway in a thread.

:func:`inbound_webhook` builds the body and signature the gateway posts for a received
SMS (HMAC-SHA256 of the raw body with the shared secret, written out here rather than
taken from the code under test). :func:`threaded_sms_gateway` runs
:class:`tests.fakes.mail.SmsGateway` on its own loop, for tests that are not async.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.fakes.mail import SmsGateway, running_sms_gateway

INBOUND_SECRET = "sms-inbound-geheim-voor-tests"
#: The number tenants text (the gateway reports it as "to").
SERVICE_NUMBER = "+31610000901"


def inbound_webhook(
    message_id: str, sender: str, text: str, secret: str = INBOUND_SECRET
) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of the gateway's POST for one received SMS."""
    body = json.dumps(
        {"id": message_id, "from": sender, "to": SERVICE_NUMBER, "text": text},
        ensure_ascii=False,
    ).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Signature": signature}


@contextmanager
def threaded_sms_gateway() -> Iterator[SmsGateway]:
    """The fake gateway on a loop of its own thread, until the block ends."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    holder: list[SmsGateway] = []

    async def serve() -> None:
        async with running_sms_gateway() as gateway:
            holder.append(gateway)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the SMS gateway fake did not start")
    try:
        yield holder[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
