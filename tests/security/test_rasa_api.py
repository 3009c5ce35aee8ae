"""Rasa's HTTP API is started behind a token on loopback (issue 14).

What the running server then answers is checked in test_exposure.py (a real stack
started by scripts/run.sh); here the command line it gets, and the refusals.
"""

from __future__ import annotations

import argparse
import os

import pytest
from rasa.cli.arguments.run import add_server_arguments

from rasa_addons.deployment import DeploymentError
from rasa_addons.rasa_server import rasa_argv
from tests.security.startup import start_rasa_server

TOKEN = "k" * 32
ARGS = ["--port", "5005", "--model", "models/meldkamer.tar.gz"]


def test_api_token_and_loopback_by_default() -> None:
    argv = rasa_argv(ARGS, {"MELDKAMER_RASA_TOKEN": TOKEN})
    assert argv[:2] == ["rasa", "run"] and "--enable-api" in argv
    assert f"--auth-token={TOKEN}" in argv
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    assert argv[-len(ARGS) :] == ARGS


def test_the_public_host_opens_another_interface() -> None:
    argv = rasa_argv(ARGS, {"MELDKAMER_RASA_TOKEN": TOKEN, "MELDKAMER_PUBLIC_HOST": "0.0.0.0"})
    assert argv[argv.index("--interface") + 1] == "0.0.0.0"


def test_a_token_that_starts_with_a_dash_reaches_rasa_as_the_token() -> None:
    # secrets.token_urlsafe gives such a token one time in 64: Rasa's argparse must not
    # take it for an option (a CI run failed on "-6xN-...").
    token = "-6xN-SwRdaWDV_uc1FC7jiF6cYQmgL3W"
    argv = rasa_argv(ARGS, {"MELDKAMER_RASA_TOKEN": token})
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    parser.add_argument("--model")
    assert parser.parse_args(argv[2:]).auth_token == token


@pytest.mark.parametrize("token", [None, "", "   ", "kort"])
def test_no_api_without_a_real_token(token: str | None) -> None:
    env = {} if token is None else {"MELDKAMER_RASA_TOKEN": token}
    with pytest.raises(DeploymentError, match="MELDKAMER_RASA_TOKEN"):
        rasa_argv(ARGS, env)


@pytest.mark.parametrize("option", ["--auth-token", "--jwt-secret=x", "--interface", "-i"])
def test_own_options_cannot_be_overridden(option: str) -> None:
    with pytest.raises(DeploymentError, match="from the environment"):
        rasa_argv([*ARGS, option, "x"], {"MELDKAMER_RASA_TOKEN": TOKEN})


def test_the_server_refuses_to_start_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MELDKAMER_RASA_TOKEN"}
    done = start_rasa_server(ARGS, env)
    assert done.returncode == 2
    assert "MELDKAMER_RASA_TOKEN is not set" in done.stderr
