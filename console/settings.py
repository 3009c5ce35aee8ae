"""How the console is configured: from the environment, never from a file in the repository."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from meldkamer.attachments.files import upload_dir
from meldkamer.db import database_url
from meldkamer.notify.chat import RASA_TOKEN_ENV

#: The canned replies agents pick from; a supervisor edits this file.
DEFAULT_CANNED_REPLIES = Path(__file__).resolve().parent / "canned_replies.yml"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the console finds its database, Rasa and files.

    Attributes:
        rasa_url: base URL of Rasa's HTTP API (``rasa run --enable-api``).
        rasa_token: Rasa's ``--auth-token``, sent as ``?token=`` (scripts/run.sh makes one).
        secure_cookies: mark the session cookie ``Secure`` (set it whenever HTTPS is used).
        upload_dir: where the channels store tenants' photos.
        secret_key: signs the phone wizard's state; random per process when not given
            (then a wizard in progress does not survive a restart or another server).
    """

    database_url: str
    rasa_url: str = DEFAULT_RASA_URL
    rasa_token: str | None = field(default=None, repr=False)
    secure_cookies: bool = False
    upload_dir: Path | None = None
    canned_replies: Path = DEFAULT_CANNED_REPLIES
    secret_key: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ConsoleSettings:
        """Read the settings from the environment.

        ``DATABASE_URL``, ``RASA_URL``, ``MELDKAMER_RASA_TOKEN``, ``CONSOLE_SECURE_COOKIES``,
        ``MELDKAMER_UPLOAD_DIR``, ``CONSOLE_CANNED_REPLIES``, ``CONSOLE_SECRET_KEY``.
        """
        env = os.environ if env is None else env
        secret = env.get("CONSOLE_SECRET_KEY", "").strip()
        canned = env.get("CONSOLE_CANNED_REPLIES", "").strip()
        return cls(
            database_url=database_url(env),
            rasa_url=env.get("RASA_URL", "").strip() or DEFAULT_RASA_URL,
            rasa_token=env.get(RASA_TOKEN_ENV, "").strip() or None,
            secure_cookies=env.get("CONSOLE_SECURE_COOKIES", "").strip().lower()
            in {"1", "true", "ja", "yes"},
            upload_dir=upload_dir(env),
            canned_replies=Path(canned) if canned else DEFAULT_CANNED_REPLIES,
            secret_key=secret.encode("utf-8") if secret else None,
        )

    def photos_root(self) -> Path:
        """The upload folder, resolved (``MELDKAMER_UPLOAD_DIR`` or ``var/uploads``)."""
        return (self.upload_dir or upload_dir()).resolve()
