"""Against a stack started like `make run`: the console and upload findings of issue 14.

The same stack as tests/security/test_exposure.py (scripts/run.sh on free ports): the
open redirect after sign-in, a photo upload for a made-up web chat conversation and a
flood of sign-ins with rotating usernames are refused, and the demo agent still gets in.
"""

from __future__ import annotations

import io
import uuid

import aiohttp
import pytest
from PIL import Image

from tests.security.runstack import RunStack
from tests.security.signin import sign_in

pytestmark = [pytest.mark.e2e]

#: scripts/run.sh's console default: failed sign-ins from one address per 15 minutes.
PER_ADDRESS = 20


@pytest.fixture
def stack(make_run_stack: RunStack) -> RunStack:
    return make_run_stack


def tiny_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="JPEG")
    return out.getvalue()


def demo_password(stack: RunStack) -> str:
    """The password scripts/run.sh generated for the first console account."""
    line = (stack.var / "demo-login.txt").read_text().strip()
    assert line.startswith("console: demo / ")
    return line.removeprefix("console: demo / ")


async def test_no_open_redirect_after_sign_in(stack: RunStack) -> None:
    answer = await sign_in(stack.console, "demo", demo_password(stack), next_="/\t/evil.example")
    assert (answer.status, answer.location, answer.location_after) == (303, "/", "/")


async def test_a_photo_for_a_made_up_conversation_is_refused(stack: RunStack) -> None:
    form = aiohttp.FormData()
    form.add_field("session_id", f"web-{uuid.uuid4().hex}")
    form.add_field("photo", tiny_jpeg(), filename="foto.jpg", content_type="image/jpeg")
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{stack.rasa}/webhooks/webchat/photo", data=form) as reply:
            status, body = reply.status, await reply.json()
    assert status == 409 and body["error"], body
    assert not list((stack.var / "uploads").rglob("*.jpg"))


async def test_username_rotation_flood_is_refused_but_not_the_agent(stack: RunStack) -> None:
    password = demo_password(stack)
    assert (await sign_in(stack.console, "demo", password)).status == 303
    answers = [
        await sign_in(stack.console, f"raden{n}", "Fout-wachtwoord-x")
        for n in range(PER_ADDRESS + 1)
    ]
    assert {a.status for a in answers[:PER_ADDRESS]} == {401}
    assert answers[-1].status == 429 and int(answers[-1].retry_after or 0) > 0
    # The agent from her usual network still gets in during the flood.
    assert (await sign_in(stack.console, "demo", password)).status == 303
