"""No second Rasa server on in-memory locks (issue 14): refused at start-up, clearly."""

from __future__ import annotations

import os

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from rasa_addons.deployment import DeploymentError
from rasa_addons.lock_store import EnvLockStore, check_lock_config
from tests.security.startup import start_rasa_server

TOKEN = "t" * 32


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"MELDKAMER_RASA_SERVERS": "1"},
        {"MELDKAMER_PRODUCTION": "1", "MELDKAMER_RASA_SERVERS": "1"},
        {"MELDKAMER_PRODUCTION": "1", "REDIS_URL": "redis://127.0.0.1:6379/1"},
        {"MELDKAMER_RASA_SERVERS": "3", "REDIS_URL": "redis://127.0.0.1:6379/1"},
    ],
)
def test_allowed(env: dict[str, str]) -> None:
    check_lock_config(env)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"MELDKAMER_RASA_SERVERS": "2"}, "REDIS_URL"),
        ({"MELDKAMER_RASA_SERVERS": "2", "REDIS_URL": " "}, "REDIS_URL"),
        ({"MELDKAMER_PRODUCTION": "true"}, "MELDKAMER_RASA_SERVERS=1"),
        ({"MELDKAMER_RASA_SERVERS": "twee"}, "whole number"),
        ({"MELDKAMER_RASA_SERVERS": "0"}, "1 or more"),
    ],
)
def test_refused_with_what_to_set(env: dict[str, str], says: str) -> None:
    with pytest.raises(DeploymentError, match=says):
        check_lock_config(env)


def test_the_plug_in_refuses_instead_of_falling_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("MELDKAMER_RASA_SERVERS", "2")
    with pytest.raises(DeploymentError):
        EnvLockStore()
    monkeypatch.setenv("MELDKAMER_RASA_SERVERS", "1")
    assert isinstance(EnvLockStore(), InMemoryLockStore)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    monkeypatch.setenv("MELDKAMER_RASA_SERVERS", "2")
    assert isinstance(EnvLockStore(), RedisLockStore)


def test_a_second_server_without_redis_does_not_start() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update({"MELDKAMER_RASA_TOKEN": TOKEN, "MELDKAMER_RASA_SERVERS": "2"})
    done = start_rasa_server(["--port", "9"], env)
    assert done.returncode == 2
    assert "REDIS_URL is not set" in done.stderr
