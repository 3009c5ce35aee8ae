"""The REST channel cannot be used to pose as another channel's tenant (issue 14).

The ids are made by each channel's own code, so a channel that changes its id space
without telling the REST channel fails here. What the running channel answers (403,
input_channel and metadata dropped) is checked against a real stack in test_exposure.py.
"""

from __future__ import annotations

import re

import pytest

from channels.rest import OTHER_CHANNELS, InvalidRequest, check_access, check_sender
from channels.telegram.updates import sender_id as telegram_sender
from channels.whatsapp.output import SENDER_PREFIX as WHATSAPP
from console.intake_wizard import WizardState

OTHER_IDS = [
    telegram_sender(123456789),
    telegram_sender(-100987),
    f"{WHATSAPP}31612345678",
    WizardState().conversation_id,
    "web-0f3c2a9e8b7d4c1a",  # channels/webchat: f"web-{uuid4().hex}"
]


@pytest.mark.parametrize(
    "sender",
    OTHER_IDS + [s.upper() for s in OTHER_IDS] + [" wa-316"],
    # The phone intake's id is random: named alike on every xdist worker.
    ids=lambda sender: re.sub("[0-9a-fA-F]{32}", "uuid", sender),
)
def test_another_channels_sender_is_refused(sender: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_sender(sender)
    assert refused.value.status == 403 and "ander kanaal" in refused.value.message


def test_every_id_space_is_listed() -> None:
    assert {sender.split("-", 1)[0] + "-" for sender in OTHER_IDS} == set(OTHER_CHANNELS)


@pytest.mark.parametrize("sender", ["huurder-1", "e2e-3f2a", "ik", "wachter", "tgv", "webber"])
def test_an_own_sender_is_accepted(sender: str) -> None:
    check_sender(sender)


def test_open_for_local_use() -> None:
    check_access(None, {})


def test_off_in_production_without_a_secret() -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_access("Bearer iets", {"MELDKAMER_PRODUCTION": "1"})
    assert refused.value.status == 403 and "staat uit" in refused.value.message


@pytest.mark.parametrize("production", ["", "1"])
@pytest.mark.parametrize(
    "given", [None, "", "Bearer fout", "Basic geheim-van-de-koppeling", "Bearer "]
)
def test_the_secret_is_required_when_set(production: str, given: str | None) -> None:
    env = {"MELDKAMER_REST_SECRET": "geheim-van-de-koppeling", "MELDKAMER_PRODUCTION": production}
    with pytest.raises(InvalidRequest) as refused:
        check_access(given, env)
    assert refused.value.status == 403


@pytest.mark.parametrize("production", ["", "1"])
def test_the_right_secret_opens_the_channel(production: str) -> None:
    env = {"MELDKAMER_REST_SECRET": "geheim-van-de-koppeling", "MELDKAMER_PRODUCTION": production}
    check_access("Bearer geheim-van-de-koppeling", env)
