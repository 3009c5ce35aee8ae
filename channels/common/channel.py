"""What our input channels share: settings from the environment only, and a health route.

Every channel is listed in credentials.yml without values: secrets in a file end up in
backups and repositories, so a channel reads its settings from the environment and only
warns about values in the file. Without a required setting a channel is off, and its
``GET /`` (health) says so and why; when it is on, it says ``"ok"`` and what it runs.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class EnvironmentChannel(InputChannel):
    """An input channel configured by the environment, with a health route."""

    #: Rasa's name for the channel: its webhooks' path, the tracker's ``input_channel``.
    channel: ClassVar[str]
    #: How the log names the channel ("SMS", "WhatsApp").
    label: ClassVar[str]

    @classmethod
    def name(cls) -> str:
        return cls.channel

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Rasa calls this while the server starts; the settings come from the environment."""
        if credentials:
            logging.getLogger(cls.__module__).warning(
                "%s: values in credentials.yml are ignored; use the environment", cls.label
            )
        return cls.from_environment()

    @classmethod
    def from_environment(cls) -> InputChannel:
        """The channel as the environment configures it (off, with the reason, if it cannot)."""
        raise NotImplementedError

    def health(self) -> dict[str, Any]:
        """What ``GET /`` answers: ``{"status": "ok", ...}`` or ``{"status": "off", ...}``."""
        raise NotImplementedError

    def with_health(self, blueprint: Blueprint) -> Blueprint:
        """``blueprint`` with the health route; the channel adds its webhooks when it is on."""

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json(self.health())

        return blueprint
