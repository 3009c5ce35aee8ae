"""The WhatsApp channel's configuration, read from the environment only.

Secrets never live in credentials.yml: the block there just switches the channel on,
and without every required variable the channel stays off (the server still starts).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_API_URL = "https://graph.facebook.com/v19.0"
DEFAULT_TEMPLATE = "meldkamer_update"
#: The approved template is in Dutch; WhatsApp wants the language code of the approval.
TEMPLATE_LANGUAGE = "nl"

#: Variables the channel cannot work without, in the order they are reported missing.
REQUIRED = (
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_DISPLAY_NUMBER",
)


@dataclass(frozen=True)
class WhatsAppSettings:
    """Everything the channel needs; the secrets are left out of ``repr`` so logs never show them."""

    access_token: str = field(repr=False)
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    phone_number_id: str
    #: The number tenants write to (E.164): the entry point key of the client.
    display_number: str
    api_url: str = DEFAULT_API_URL
    template: str = DEFAULT_TEMPLATE
    template_language: str = TEMPLATE_LANGUAGE
    #: Shared state for more than one Rasa server (dedupe, 24-hour window, choices).
    redis_url: str | None = None


def missing_variables(env: Mapping[str, str] | None = None) -> list[str]:
    """The required variables that are unset or blank."""
    env = os.environ if env is None else env
    return [name for name in REQUIRED if not (env.get(name) or "").strip()]


def settings_from_env(env: Mapping[str, str] | None = None) -> WhatsAppSettings | None:
    """The settings, or ``None`` when a required variable is missing (the channel is off)."""
    env = os.environ if env is None else env
    if missing_variables(env):
        return None

    def value(name: str, default: str = "") -> str:
        return (env.get(name) or "").strip() or default

    return WhatsAppSettings(
        access_token=value("WHATSAPP_ACCESS_TOKEN"),
        app_secret=value("WHATSAPP_APP_SECRET"),
        verify_token=value("WHATSAPP_VERIFY_TOKEN"),
        phone_number_id=value("WHATSAPP_PHONE_NUMBER_ID"),
        display_number=value("WHATSAPP_DISPLAY_NUMBER"),
        api_url=value("WHATSAPP_API_URL", DEFAULT_API_URL).rstrip("/"),
        template=value("WHATSAPP_TEMPLATE", DEFAULT_TEMPLATE),
        redis_url=value("REDIS_URL") or None,
    )
