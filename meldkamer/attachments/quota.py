"""Whether a tenant's photo may be stored: a real conversation, within its quotas, with room.

Photos take disk space next to the database and the outage spool, and anyone who finds
the web chat can upload. So a photo is only taken for a conversation that exists and
can still use it (its melding has not been passed on yet), within quotas per
conversation (photos and bytes) and per client IP (photos per hour), and only while the
upload folder's disk keeps :attr:`PhotoQuotas.min_free_bytes` free. Every refusal is a
Dutch sentence for the tenant that says what to do instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.ratelimit import Limit, RateLimiter

MB = 1024 * 1024
DAY = 24 * 3600.0
HOUR = 3600.0

NO_CONVERSATION = (
    "Vertel eerst in een paar woorden wat er aan de hand is. Daarna kunt u een foto sturen."
)
ALREADY_PASSED_ON = (
    "Uw melding is al doorgegeven, dus deze foto kan er niet meer bij. "
    f"Wilt u nog iets laten weten? Bel {MELDKAMER_PHONE}."
)
TOO_MANY = "U heeft al genoeg foto's gestuurd; meer kunnen er niet bij. Dank u."
FROM_HERE_TOO_MANY = (
    "Er zijn vanaf deze verbinding in korte tijd veel foto's gestuurd. "
    f"Probeer het over een uur opnieuw, of bel {MELDKAMER_PHONE}."
)
NO_ROOM = (
    "Foto's kunnen we op dit moment niet bewaren. Vertel in woorden wat er aan de hand is. "
    f"Is er gevaar voor mensen? Bel {EMERGENCY_PHONE}."
)


@dataclass(frozen=True)
class PhotoQuotas:
    """The quotas; each can be set with the environment variable named in :data:`VARIABLES`."""

    per_conversation: int = 10
    bytes_per_conversation: int = 50 * MB
    per_ip_per_hour: int = 30
    min_free_bytes: int = 500 * MB


#: Environment variable -> (field, unit in bytes).
VARIABLES = {
    "MELDKAMER_PHOTOS_PER_CONVERSATION": ("per_conversation", 1),
    "MELDKAMER_PHOTO_MB_PER_CONVERSATION": ("bytes_per_conversation", MB),
    "MELDKAMER_PHOTOS_PER_IP_PER_HOUR": ("per_ip_per_hour", 1),
    "MELDKAMER_UPLOAD_MIN_FREE_MB": ("min_free_bytes", MB),
}


def quotas_from_env(env: Mapping[str, str] | None = None) -> PhotoQuotas:
    """The quotas, defaults where a variable is not set; a bad value is a clear error."""
    env = os.environ if env is None else env
    values: dict[str, int] = {}
    for name, (field, unit) in VARIABLES.items():
        raw = (env.get(name) or "").strip()
        if not raw:
            continue
        if not raw.isdigit():
            raise ValueError(f"{name} is {raw!r}; give a whole number")
        values[field] = int(raw) * unit
    return PhotoQuotas(**values)


#: Why a photo is refused: the conversation cannot take one, a quota is used up, no room.
RefusalKind = Literal["conversation", "quota", "room"]


@dataclass(frozen=True)
class Refusal:
    """A refused photo: why (for the channel's status code) and what the tenant reads."""

    kind: RefusalKind
    text: str


@dataclass(frozen=True)
class ConversationFacts:
    """What the conversation's tracker says about taking a photo now."""

    #: The tenant wrote at least one message.
    started: bool
    #: The melding was registered (a ticket number) and no new one began.
    passed_on: bool


def free_bytes(path: Path) -> int:
    """Free space on the disk that holds ``path`` (or its nearest existing parent)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


class PhotoGate:
    """Decides on one photo; counts it against the quotas only when it is taken."""

    def __init__(
        self,
        limiter: RateLimiter,
        quotas: PhotoQuotas,
        free: Callable[[Path], int] = free_bytes,
    ) -> None:
        self.limiter = limiter
        self.quotas = quotas
        self.free = free

    async def refusal(
        self,
        *,
        conversation: str,
        size: int,
        root: Path,
        facts: ConversationFacts | None = None,
        client_ip: str | None = None,
    ) -> Refusal | None:
        """``None`` when the photo may be stored, else why not and what to tell the tenant.

        ``facts`` is ``None`` where the channel itself vouches for the conversation
        (Telegram and WhatsApp: the platform says who wrote, and a photo may come first).
        """
        if facts is not None and not facts.started:
            return Refusal("conversation", NO_CONVERSATION)
        if facts is not None and facts.passed_on:
            return Refusal("conversation", ALREADY_PASSED_ON)
        if self.free(root) - size < self.quotas.min_free_bytes:
            return Refusal("room", NO_ROOM)
        text = await self._over_quota(conversation, size, client_ip)
        return Refusal("quota", text) if text else None

    async def _over_quota(self, conversation: str, size: int, client_ip: str | None) -> str | None:
        quotas = self.quotas
        if client_ip is not None:
            per_ip = Limit(quotas.per_ip_per_hour, HOUR)
            if not (await self.limiter.take(f"photo-ip:{client_ip}", per_ip)).allowed:
                return FROM_HERE_TOO_MANY
        count = Limit(quotas.per_conversation, DAY)
        if not (await self.limiter.take(f"photo-count:{conversation}", count)).allowed:
            return TOO_MANY
        volume = Limit(quotas.bytes_per_conversation, DAY)
        if not (await self.limiter.take(f"photo-bytes:{conversation}", volume, size)).allowed:
            return TOO_MANY
        return None
