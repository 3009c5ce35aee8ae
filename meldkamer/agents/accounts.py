"""Accounts of agents and supervisors: creating them, passwords, and signing in.

Passwords are stored only as salted scrypt hashes in a self-describing string
(``scrypt:n=32768,r=8,p=1$<salt>$<key>``), so the cost can be raised later while old
hashes keep working: they are rehashed at the next successful sign-in.

Signing in answers only "yes, this agent" or ``None``: an unknown user, an inactive
account and a wrong password look the same to the caller, take about as long, and are
never logged with the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.agents.models import PRESENCE, Agent, Role
from meldkamer.db import Base
from meldkamer.rows import added, one_row, rows_of

MIN_PASSWORD_LENGTH = 10
#: Long passphrases are welcome; a cap keeps hashing a pasted novel off the server.
MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
_SALT_BYTES = 16
_KEY_BYTES = 32

AGENTS = Agent.__table__.c


@dataclass(frozen=True)
class ScryptParameters:
    """scrypt's cost: ``n`` (CPU and memory), ``r`` (block size), ``p`` (parallelism)."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    @property
    def maxmem(self) -> int:
        """Memory scrypt needs (128·n·r bytes), with room to spare."""
        return 2 * 128 * self.n * self.r + 1024 * 1024

    def acceptable(self) -> bool:
        """Whether a stored hash's parameters are sane (a corrupt row must not hang us)."""
        power_of_two = self.n > 1 and self.n & (self.n - 1) == 0
        return power_of_two and self.n <= 2**20 and 1 <= self.r <= 32 and 1 <= self.p <= 16


#: The cost of new hashes: about 50-100 ms and 32 MiB on a current server.
DEFAULT_PARAMETERS = ScryptParameters()
#: The cost new hashes get, read at each call. Only the test suite lowers it
#: (tests/conftest.py, as Django's test settings swap in a fast hasher): thousands of
#: sign-ins there spent a quarter of the suite's CPU in scrypt.
PARAMETERS = DEFAULT_PARAMETERS


class AccountError(ValueError):
    """An account cannot be created or changed; the message is Dutch, for the person."""


class UnknownAgent(LookupError):
    """No account with this username (only for the command line, never on the login page)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_password_strength(password: str) -> None:
    """Refuse passwords shorter than :data:`MIN_PASSWORD_LENGTH` (or absurdly long)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"een wachtwoord heeft hoogstens {MAX_PASSWORD_LENGTH} tekens")
    if not password.strip():
        raise AccountError("een wachtwoord bestaat niet alleen uit spaties")


def hash_password(password: str, parameters: ScryptParameters | None = None) -> str:
    """A salted scrypt hash of ``password``, with its parameters (:data:`PARAMETERS`) in it."""
    parameters = _cost(parameters)
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, parameters, _KEY_BYTES)
    spec = f"scrypt:n={parameters.n},r={parameters.r},p={parameters.p}"
    return f"{spec}${_b64(salt)}${_b64(key)}"


def _scrypt(password: str, salt: bytes, parameters: ScryptParameters, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=parameters.n,
        r=parameters.r,
        p=parameters.p,
        maxmem=parameters.maxmem,
        dklen=length,
    )


def _parse(stored: str) -> tuple[ScryptParameters, bytes, bytes] | None:
    try:
        spec, salt, key = stored.split("$")
        scheme, _, values = spec.partition(":")
        if scheme != "scrypt":
            return None
        fields = dict(part.split("=", 1) for part in values.split(","))
        parameters = ScryptParameters(n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]))
        return parameters, _unb64(salt), _unb64(key)
    except (ValueError, KeyError):
        return None


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    parameters, salt, key = parsed
    if not parameters.acceptable() or not key or len(password) > MAX_PASSWORD_LENGTH:
        return False
    candidate = _scrypt(password, salt, parameters, len(key))
    return hmac.compare_digest(candidate, key)


def needs_rehash(stored: str, parameters: ScryptParameters | None = None) -> bool:
    """Whether a hash was made with other parameters than the current ones."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != _cost(parameters)


def _cost(parameters: ScryptParameters | None) -> ScryptParameters:
    return parameters if parameters is not None else PARAMETERS


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Made on first use, not at import: unknown users cost as much as known ones.
    return hash_password(secrets.token_urlsafe(16))


def normalise_username(username: str) -> str:
    """Lower case, trimmed; refuses what is not a plain login name."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            "een gebruikersnaam heeft 2 tot 100 tekens: kleine letters, cijfers, punt, "
            "streepje of liggend streepje, en begint met een letter of cijfer"
        )
    return name


def _clean_display_name(display_name: str) -> str:
    name = " ".join(display_name.split())
    if not name or len(name) > 100 or any(not ch.isprintable() for ch in name):
        raise AccountError("een naam heeft 1 tot 100 leesbare tekens")
    return name


Named = TypeVar("Named", bound=Base)


def find_account(session: Session, model: type[Named], username: str) -> Named | None:
    """The account in ``model``'s table (agents, portal users) with this username, any case."""
    try:
        name = normalise_username(username)
    except AccountError:
        return None
    return one_row(session, model, model.__table__.c.username == name)


def existing_account(
    session: Session, model: type[Named], username: str, unknown: type[LookupError]
) -> Named:
    """The account with this username; raises ``unknown`` (the caller's error) if none."""
    account = find_account(session, model, username)
    if account is None:
        raise unknown(username)
    return account


def new_account(
    session: Session,
    model: type[Named],
    name: str,
    display_name: str,
    password: str,
    now: datetime,
) -> dict[str, Any]:
    """The columns every new account of ``model`` starts with; ``name`` is normalised.

    Raises:
        AccountError: a short password or bad display name, or the username is taken.
    """
    check_password_strength(password)
    if find_account(session, model, name) is not None:
        raise AccountError(f"gebruikersnaam {name!r} bestaat al")
    return {
        "username": name,
        "display_name": _clean_display_name(display_name),
        "password_hash": hash_password(password),
        "active": True,
        "created_at": now,
        "last_seen_at": None,
    }


def find_agent(session: Session, username: str) -> Agent | None:
    """The account with this username (any case), or ``None``."""
    return find_account(session, Agent, username)


def create_agent(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role | str = Role.AGENT,
    now: datetime,
) -> Agent:
    """Add an account (the caller commits).

    Raises:
        AccountError: a bad username, name, role or password, or the username is taken.
    """
    name = normalise_username(username)
    try:
        role_value = Role(role).value
    except ValueError:
        raise AccountError("een rol is 'agent' of 'supervisor'") from None
    columns = new_account(session, Agent, name, display_name, password, now)
    return added(session, Agent(role=role_value, **columns))


def set_password(session: Session, username: str, password: str) -> Agent:
    """Give an account a new password (the caller commits).

    Raises:
        UnknownAgent: no such account.
        AccountError: the password is too short.
    """
    agent = existing_account(session, Agent, username, UnknownAgent)
    check_password_strength(password)
    agent.password_hash = hash_password(password)
    session.flush()
    return agent


def set_active(session: Session, username: str, active: bool) -> Agent:
    """Enable or disable an account (the caller commits).

    A disabled account cannot sign in, and its open sessions stop working at their next
    request (:func:`meldkamer.agents.sessions.resolve` checks ``active``).

    Raises:
        UnknownAgent: no such account.
    """
    agent = existing_account(session, Agent, username, UnknownAgent)
    agent.active = active
    session.flush()
    return agent


class Credentials(Protocol):
    """What signing in reads and renews of an account: a console agent or a portal user."""

    active: bool
    password_hash: str


Account = TypeVar("Account", bound=Credentials)


def check_sign_in(session: Session, account: Account | None, password: str) -> Account | None:
    """``account`` when it is active and ``password`` is its password, else ``None``.

    A hash made with older parameters is replaced by one with the current parameters
    (the caller commits).
    """
    if account is None or not account.active:
        # Spend the same work as a real check, so timing does not tell which names exist.
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, account.password_hash):
        return None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
        session.flush()
    return account


def authenticate(session: Session, username: str, password: str) -> Agent | None:
    """The active account these credentials belong to, or ``None`` (no reason given)."""
    return check_sign_in(session, find_agent(session, username), password)


def list_agents(session: Session) -> list[Agent]:
    """Every account, by username."""
    return rows_of(session, Agent, order_by=[AGENTS.username])


def display_names(session: Session) -> dict[str, str]:
    """Display names by username (handovers, notes and edits record the username)."""
    rows = session.execute(select(AGENTS.username, AGENTS.display_name))
    return {username: name for username, name in rows}


def is_present(agent: Agent, now: datetime) -> bool:
    """Whether the console heard from this agent recently (counts for availability)."""
    return bool(agent.active and agent.last_seen_at and agent.last_seen_at >= now - PRESENCE)
