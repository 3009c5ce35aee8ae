"""/metrics of the Rasa server and the action server after a melding through a real stack.

Real servers (devstack's Stack: Rasa with the trained model, the action server) on
PostgreSQL; the tenant talks over REST. The scrapes are parsed with prometheus-client's
parser. Access follows the console's rule: loopback, else only the bearer token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from devstack.stack import Stack, new_token
from devstack.tenant import MELDINGEN, converse
from meldkamer.metrics.access import TOKEN_ENV
from tests.console.test_metrics import Samples, parse, value

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

METRICS_TOKEN = new_token()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from meldkamer.db import upgrade
    from tests.conftest import create_pg_database

    url, drop = create_pg_database()
    upgrade(url)
    workdir = tmp_path_factory.mktemp("metrics")
    running = Stack(database_url=url, workdir=workdir, env={TOKEN_ENV: METRICS_TOKEN}).start()
    try:
        yield running
    finally:
        running.stop()
        drop()


def get(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(base: str) -> Samples:
    status, text = get(f"{base}/metrics")
    assert status == 200, text
    return parse(text)


def actions_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.action_port}"


def test_a_melding_shows_in_the_rasa_servers_metrics(stack: Stack) -> None:
    before = scrape(stack.url)
    first, answers = MELDINGEN[0]
    number, transcript = converse(stack, first, answers)
    assert number
    said = sum(1 for line in transcript if line.startswith("huurder: "))
    after = scrape(stack.url)

    def grew(name: str) -> float:
        return value(after, name, channel="rest") - value(before, name, channel="rest")

    assert grew("meldkamer_messages_received_total") == said
    # Every message got at least one reply; the latency of each first reply is measured.
    assert grew("meldkamer_messages_sent_total") >= said
    assert grew("meldkamer_reply_latency_seconds_count") == said
    assert grew("meldkamer_reply_latency_seconds_sum") > 0
    slowest = value(after, "meldkamer_reply_latency_seconds_bucket", channel="rest", le="+Inf")
    assert slowest >= said


def test_a_failing_action_call_shows_in_the_action_servers_metrics(stack: Stack) -> None:
    before = value(scrape(actions_url(stack)), "meldkamer_action_errors_total", action="x_weg")
    call = {"next_action": "x_weg", "sender_id": "m", "tracker": {"sender_id": "m"}, "domain": {}}
    request = urllib.request.Request(
        f"{actions_url(stack)}/webhook?token={stack.action_token}",
        data=json.dumps(call).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code >= 400
    after = value(scrape(actions_url(stack)), "meldkamer_action_errors_total", action="x_weg")
    assert after == before + 1


@pytest.mark.parametrize("server", ["rasa", "actions"])
def test_from_outside_only_with_the_bearer_token(stack: Stack, server: str) -> None:
    base = stack.url if server == "rasa" else actions_url(stack)
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    status, text = get(f"{base}/metrics", **proxied)
    assert status == 403 and "meldkamer_" not in text
    status, _ = get(f"{base}/metrics", **proxied, Authorization="Bearer fout")
    assert status == 403
    status, text = get(f"{base}/metrics", **proxied, Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200 and "meldkamer_" in text
