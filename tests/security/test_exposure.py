"""Against a stack started like `make run` (scripts/run.sh): nothing internal reachable (issue 14).

* Rasa's conversation, model and events API refuse a request without the token (401/403)
  and answer one with the token that run.sh generated (mode 600) into the var folder;
* nothing listens on an address other than loopback (the default; MELDKAMER_PUBLIC_HOST
  opens only Rasa and the console), and the token is not on any command line;
* a REST message with another channel's sender is refused; input_channel and metadata
  sent by the client do not reach the tracker;
* the action server refuses a forged tracker without Rasa's token.
"""

from __future__ import annotations

import json
import socket
import stat
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from channels.rest import APOLOGY
from tests.security.runstack import RunStack

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def stack(make_run_stack: RunStack) -> RunStack:
    return make_run_stack


JSON = {"Content-Type": "application/json"}


def call(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={**JSON, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


CONVERSATION = "wa-31612345678"
UNAUTHENTICATED = [
    ("GET", f"/conversations/{CONVERSATION}/tracker", None),
    ("POST", f"/conversations/{CONVERSATION}/tracker/events", [{"event": "bot", "text": "x"}]),
    ("PUT", f"/conversations/{CONVERSATION}/tracker/events", []),
    ("POST", f"/conversations/{CONVERSATION}/messages", {"text": "x", "sender": "user"}),
    ("POST", f"/conversations/{CONVERSATION}/trigger_intent", {"name": "hervat"}),
    ("POST", f"/conversations/{CONVERSATION}/execute", {"name": "action_listen"}),
    ("GET", f"/conversations/{CONVERSATION}/story", None),
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("POST", "/model/parse", {"text": "lekkage"}),
    ("PUT", "/model", {"model_file": "models/meldkamer.tar.gz"}),
    ("DELETE", "/model", None),
]


@pytest.mark.parametrize(("method", "path", "body"), UNAUTHENTICATED)
@pytest.mark.parametrize("token", [None, "fout-token-van-een-vreemde"])
def test_rasa_api_refuses_without_the_token(
    stack: RunStack,
    method: str,
    path: str,
    body: Any,
    token: str | None,
) -> None:
    url = stack.rasa + path + (f"?token={token}" if token else "")
    status, answer = call(method, url, body)
    assert status in (401, 403), (status, answer[:300])


def test_rasa_api_answers_the_console_with_the_generated_token(stack: RunStack) -> None:
    token_file = stack.var / "rasa-api-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((stack.var / "action-token").stat().st_mode) == 0o600
    status, answer = call("GET", stack.api(f"/conversations/{CONVERSATION}/tracker"))
    assert status == 200 and json.loads(answer)["sender_id"] == CONVERSATION
    assert call("GET", stack.api("/status"))[0] == 200


def listening(pids: set[int]) -> dict[int, set[str]]:
    """Listening TCP sockets of ``pids``: port -> local addresses (from /proc/net/tcp, tcp6)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = str(fd.readlink()) if fd.is_symlink() else ""
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
    found: dict[int, set[str]] = {}
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            raw = bytes.fromhex(address)
            # /proc shows the address in host order, 4 bytes at a time.
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.setdefault(int(port, 16), set()).add(socket.inet_ntop(family, raw))
    return found


def test_nothing_listens_beyond_loopback(stack: RunStack) -> None:
    found = listening(stack.pids())
    assert set(stack.ports.values()) <= set(found), (stack.ports, found)
    public = {
        port: addresses for port, addresses in found.items() if addresses - {"127.0.0.1", "::1"}
    }
    assert public == {}


def test_no_token_on_a_command_line(stack: RunStack) -> None:
    secrets = [
        stack.rasa_token(),
        (stack.var / "action-token").read_text().strip(),
    ]
    for pid in stack.pids():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            continue
        assert not [secret for secret in secrets if secret in command], command.replace("\0", " ")


REST = "/webhooks/rest/webhook"


@pytest.mark.parametrize(
    "sender",
    ["wa-31612345678", "tg-123456789", f"web-{uuid.uuid4().hex}"],
    ids=["whatsapp", "telegram", "webchat"],  # the same on every xdist worker
)
def test_rest_refuses_another_channels_sender(stack: RunStack, sender: str) -> None:
    status, answer = call("POST", stack.rasa + REST, {"sender": sender, "message": "hallo"})
    assert status == 403, answer[:300]
    assert "ander kanaal" in json.loads(answer)["error"]
    tracker = json.loads(call("GET", stack.api(f"/conversations/{sender}/tracker"))[1])
    assert not [e for e in tracker["events"] if e.get("event") == "user"]


def test_rest_ignores_a_forged_channel_and_metadata(stack: RunStack) -> None:
    sender = f"huurder-{uuid.uuid4().hex[:8]}"
    body = {
        "sender": sender,
        "message": "hallo",
        "input_channel": "whatsapp",
        "metadata": {"from": "agent", "site_key": "de-linde-demo"},
    }
    status, answer = call("POST", stack.rasa + REST, body)
    assert status == 200 and json.loads(answer), answer[:300]
    # A real answer: Rasa reached the action server with its token (no apology).
    assert APOLOGY not in [reply.get("text") for reply in json.loads(answer)]
    tracker = json.loads(call("GET", stack.api(f"/conversations/{sender}/tracker"))[1])
    (user,) = [e for e in tracker["events"] if e.get("event") == "user"]
    assert user["input_channel"] == "rest"
    # Rasa adds its own (model_id, assistant_id); none of the client's keys arrive.
    assert not {"from", "site_key"} & set(user.get("metadata") or {})


FORGED = {
    "next_action": "action_bevestig_melding",
    "sender_id": "wa-31612345678",
    "tracker": {"sender_id": "wa-31612345678", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


@pytest.mark.parametrize("query", ["", "?token=", "?token=geraden-token-0123456789"])
def test_the_action_server_refuses_a_forged_tracker(stack: RunStack, query: str) -> None:
    status, answer = call("POST", f"{stack.actions}/webhook{query}", FORGED)
    assert status == 401, answer[:300]
    assert json.loads(answer)["error"]
    assert call("GET", f"{stack.actions}/actions{query}")[0] == 401
    assert call("GET", f"{stack.actions}/health")[0] == 200
