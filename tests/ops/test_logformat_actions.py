"""The real action server, with MELDKAMER_LOG_FORMAT=json, logs the message's correlation id.

Only the action server of devstack's Stack runs (no Rasa server: the call is made as
Rasa makes it); the tracker names the conversation, its ticket and the latest user
message's id, and the line rasa_sdk logs while handling the call must carry all three.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from devstack.stack import Stack
from meldkamer.logformat import ENV, JSON

pytestmark = pytest.mark.e2e

CORRELATION = "9f3c2a71d04b4e18"


def call_webhook(stack: Stack, call: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.action_port}/webhook?token={stack.action_token}",
        data=json.dumps(call).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_an_action_call_logs_its_correlation_id_as_json(tmp_path: Path) -> None:
    stack = Stack(
        database_url=f"sqlite:///{tmp_path / 'meldkamer.db'}",  # never opened by this call
        workdir=tmp_path,
        env={ENV: JSON},
    )
    process = stack.start_action_server()
    stack.processes.append(process)
    try:
        stack.wait_for_action_server(process)
        call = {
            "next_action": "action_bestaat_niet",
            "sender_id": "wa-31612345678",
            "tracker": {
                "sender_id": "wa-31612345678",
                "slots": {"ticket_nummer": "MK-2026-000042"},
                "events": [{"event": "user", "text": "lekkage", "message_id": CORRELATION}],
            },
            "domain": {},
        }
        assert call_webhook(stack, call) == 404
    finally:
        stack.stop()
    log = stack.log("actions")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    # From start-up on, not only while an action runs.
    assert any("Registered function" in line["message"] for line in lines), log
    about = [line for line in lines if line.get("correlation_id") == CORRELATION]
    assert about, log
    assert any("action_bestaat_niet" in line["message"] for line in about)
    assert {line["conversation_id"] for line in about} == {"wa-316****5678"}
    assert {line["ticket"] for line in about} == {"MK-2026-000042"}
    assert "31612345678" not in log
    # Between calls nothing stays bound: the start-up lines name no conversation.
    assert not [line for line in lines if line not in about and "conversation_id" in line]
