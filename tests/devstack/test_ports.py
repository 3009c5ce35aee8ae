"""Ports for the test servers come from outside the kernel's ephemeral range."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from devstack import ports


def test_a_port_is_free_and_below_the_ephemeral_range() -> None:
    port = ports.free_port()
    assert ports.LOWEST <= port <= ports._highest()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))  # free indeed


def test_a_taken_port_and_one_given_before_are_passed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        busy = taken.getsockname()[1]
        given = ports.free_port()
        choices: Iterator[int] = iter([busy, given, given + 1 if given < 32000 else given - 1])
        monkeypatch.setattr(ports, "_highest", lambda: 65535)
        monkeypatch.setattr(ports.random, "randint", lambda low, high: next(choices))
        assert ports.free_port() not in (busy, given)


def test_an_odd_range_falls_back_to_the_kernels_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_highest", lambda: 1023)
    assert ports.free_port() > 0
