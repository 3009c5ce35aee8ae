"""Signing in to the console (issue 14): no open redirect, no denial of service, no lock-out.

Through the console's real aiohttp application on loopback, with real scrypt hashes;
the clock is moved, never slept. Client addresses other than loopback come in through
``X-Forwarded-For`` from loopback named as the trusted proxy, as behind a real proxy.
"""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from console.auth import BUSY, THROTTLED
from console.clientip import TRUSTED_PROXIES, TrustedProxies
from console.keys import LOGIN_THROTTLE
from console.redirects import safe_next
from console.throttle import Throttle, ThrottleSettings
from tests.console.conftest import PASSWORDS, login

#: Targets that browsers (or a second decoding) take for another site.
BYPASSES = [
    "//evil.example",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "https:evil.example",
    "https://evil.example/",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "evil.example",
    "///evil.example",
    "/\u3000/evil.example",
    "\x00//evil.example",
]
#: Local targets that must survive the check unchanged.
LOCAL = ["/gesprek/1", "/ticket/MK-2026-000001?tab=werkbonnen", "/beheer#agenten"]

STRANGERS = [f"203.0.113.{n}" for n in range(1, 60)]
OFFICE = "198.51.100.7"


def on_site(location: str) -> bool:
    """Where a browser goes with this Location: still our site? (WHATWG's leniency.)"""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00- ").replace("\\", "/")
    target = urlsplit(urljoin("https://console.test/login", cleaned))
    return target.scheme == "https" and target.netloc == "console.test"


def _login_token(page: str) -> str:
    return re.search(r'name="login_token" value="([^"]+)"', page).group(1)


async def attempt(
    client, username: str, password: str, address: str | None = None, target: str = "/"
):
    """One sign-in in a fresh browser (no session, a new login token)."""
    client.session.cookie_jar.clear()
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={
            "login_token": _login_token(await form.text()),
            "username": username,
            "password": password,
            "next": target,
        },
        headers={"X-Forwarded-For": address} if address else {},
        allow_redirects=False,
    )


# --- the redirect after signing in ------------------------------------------------------


async def test_known_bypasses_end_on_the_start_page(anonymous) -> None:
    for target in BYPASSES + LOCAL:
        response = await attempt(anonymous, "sanne", PASSWORDS["sanne"], target=target)
        expected = target if target in LOCAL else "/"
        assert (response.status, response.headers["Location"]) == (303, expected), target


@pytest.mark.parametrize(
    "raw", ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "%2F%2Fevil.example"]
)
async def test_the_login_form_keeps_no_foreign_target(anonymous, raw: str) -> None:
    """The query as an attacker's link has it, byte for byte (``/login?next=/%09/evil``)."""
    form = await anonymous.get(URL(f"/login?next={raw}", encoded=True))
    assert 'name="next" value="/"' in await form.text()


async def test_a_signed_in_agent_is_not_sent_away_either(aiohttp_client, console_app) -> None:
    client = await aiohttp_client(console_app)
    await login(client, "sanne")
    for raw in ("/%09/evil.example", "/%2F%2Fevil.example", "/gesprek/1"):
        response = await client.get(URL(f"/login?next={raw}", encoded=True), allow_redirects=False)
        assert response.status == 303 and on_site(response.headers["Location"]), raw
    assert response.headers["Location"] == "/gesprek/1"


_PIECES = ["/", "\\", "\t", "\n", " ", "%", "%2F", "%5C", "%09", "%25", "evil.example", ":", "@"]


@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(st.sampled_from(_PIECES + ["https", "x", "?", "#", "."]), max_size=8).map("".join),
    )
)
def test_the_target_always_stays_on_the_site(value: str) -> None:
    target = safe_next(value)
    assert target in ("/", value)
    assert on_site(target)
    # and once more, should a proxy or the browser decode it again
    assert on_site(re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), target))


# --- throttling -------------------------------------------------------------------------

#: Small limits, so that a test needs few scrypt checks.
LIMITS = ThrottleSettings(per_address=6, per_user_address=3, free_failures=4)


@pytest.fixture
async def console(aiohttp_client, console_app):
    """The console behind a proxy on loopback, with :data:`LIMITS`."""
    console_app[LOGIN_THROTTLE] = Throttle(LIMITS)
    console_app[TRUSTED_PROXIES] = TrustedProxies.parse("127.0.0.1, ::1")
    return await aiohttp_client(console_app)


async def test_rotating_usernames_from_one_address_is_stopped(console, clock) -> None:
    stranger = STRANGERS[0]
    for n in range(LIMITS.per_address):
        assert (await attempt(console, f"naam{n}", "Fout-wachtwoord-x", stranger)).status == 401
    refused = await attempt(console, "sanne", PASSWORDS["sanne"], stranger)
    text = await refused.text()
    assert refused.status == 429 and THROTTLED in text
    # when to try again, in words and in the header: a quarter of an hour from 03:00
    assert "over 15 minuten (om 03:15)" in text and refused.headers["Retry-After"] == "900"
    # the agent's own network is not the stranger's
    assert (await attempt(console, "sanne", PASSWORDS["sanne"], OFFICE)).status == 303
    clock.advance(minutes=15)
    assert (await attempt(console, "piet", PASSWORDS["piet"], stranger)).status == 303


async def test_strangers_cannot_lock_an_agent_out(console, clock) -> None:
    assert (await attempt(console, "sanne", PASSWORDS["sanne"], OFFICE)).status == 303
    answers = [
        (await attempt(console, "sanne", "Fout-wachtwoord-x", address)).status
        for address in STRANGERS[:12]
    ]
    # a few wrong guesses, then a growing delay for the name, from every new address
    assert answers == [401] * LIMITS.free_failures + [429] * (12 - LIMITS.free_failures)
    # from the office, where she signed in before, the right password still works at once
    assert (await attempt(console, "sanne", PASSWORDS["sanne"], OFFICE)).status == 303
    # and from a new network after a short wait, not after the night
    new_network = "192.0.2.44"
    waiting = await attempt(console, "sanne", PASSWORDS["sanne"], new_network)
    assert waiting.status == 429 and "seconden" in await waiting.text()
    clock.advance(seconds=LIMITS.max_delay.total_seconds())
    assert (await attempt(console, "sanne", PASSWORDS["sanne"], new_network)).status == 303


async def test_a_forged_forwarded_for_does_not_rotate_the_address(aiohttp_client, console_app):
    """Without a trusted proxy, X-Forwarded-For is anyone's text: the peer counts."""
    console_app[LOGIN_THROTTLE] = Throttle(LIMITS)
    client = await aiohttp_client(console_app)
    statuses = [
        (await attempt(client, f"naam{n}", "Fout-wachtwoord-x", STRANGERS[n])).status
        for n in range(LIMITS.per_address + 1)
    ]
    assert statuses == [401] * LIMITS.per_address + [429]


def test_the_client_is_the_first_address_that_is_no_proxy() -> None:
    proxies = TrustedProxies.parse("10.0.0.0/8, 127.0.0.1")
    # the client may put anything in front; our proxy appends the real peer
    assert proxies.client("10.0.0.2", ["6.6.6.6, 203.0.113.9, 10.0.0.5"]) == "203.0.113.9"
    assert proxies.client("10.0.0.2", ["203.0.113.9", "10.0.0.5"]) == "203.0.113.9"
    assert proxies.client("192.0.2.1", ["203.0.113.9"]) == "192.0.2.1"  # not our proxy
    assert proxies.client("127.0.0.1", ["not-an-address"]) == "127.0.0.1"
    assert proxies.client("127.0.0.1", []) == "127.0.0.1"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONSOLE_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "'proxy.local' is geen IP-adres"),
        ({"CONSOLE_LOGIN_MAX_PER_ADDRESS": "veel"}, "moet een geheel getal zijn"),
        ({"CONSOLE_LOGIN_MAX_PER_USER": "0"}, "geheel getal van 1 tot 10000"),
    ],
)
def test_bad_login_settings_are_refused_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrustedProxies.from_env(env)
        Throttle.from_env(env)


def test_the_delay_doubles_and_stays_short(clock) -> None:
    throttle = Throttle(LIMITS)
    now = clock.now
    delays = []
    for n in range(LIMITS.free_failures + 10):
        throttle.failed("sanne", STRANGERS[n], now)
        retry = throttle.retry_at("sanne", "192.0.2.1", now)
        delays.append(0 if retry is None else (retry - now).total_seconds())
    assert delays[: LIMITS.free_failures - 1] == [0] * (LIMITS.free_failures - 1)
    assert delays[LIMITS.free_failures - 1 : LIMITS.free_failures + 3] == [1, 2, 4, 8]
    assert max(delays) == LIMITS.max_delay.total_seconds()
    # the same address still meets its own limit, usual network or not
    throttle.succeeded("sanne", OFFICE)
    for _ in range(LIMITS.per_user_address):
        throttle.failed("sanne", OFFICE, now)
    assert throttle.retry_at("sanne", OFFICE, now) == now + LIMITS.window


def test_a_flood_of_names_and_addresses_stays_bounded(clock) -> None:
    throttle = Throttle(ThrottleSettings(max_keys=50))
    for n in range(1000):
        throttle.failed(f"naam{n}", f"10.0.{n // 250}.{n % 250}", clock.now)
        throttle.succeeded(f"naam{n}", f"10.1.{n // 250}.{n % 250}")
    assert all(len(table._times) <= 50 for table in (throttle._by_address, throttle._by_user))
    assert len(throttle._usual) <= 50


# --- the event loop stays free ----------------------------------------------------------


async def test_the_console_answers_while_a_login_flood_runs(anonymous, record_property) -> None:
    token = _login_token(await (await anonymous.get("/login")).text())

    async def wrong(n: int) -> tuple[int, str]:
        response = await anonymous.post(
            "/login",
            data={"login_token": token, "username": f"naam{n}", "password": "Fout-wachtwoord-x"},
            allow_redirects=False,
        )
        return response.status, await response.text()

    flood = [asyncio.ensure_future(wrong(n)) for n in range(16)]
    # The first answer means the server is busy with the rest of the flood now.
    await asyncio.wait(flood, return_when=asyncio.FIRST_COMPLETED)
    started = time.monotonic()
    health = await anonymous.get("/health")
    record_property("health_seconds_during_flood", time.monotonic() - started)
    still_running = sum(not f.done() for f in flood)
    assert health.status == 200
    # scrypt inside the loop would have answered every login first
    assert still_running > 0
    answers = await asyncio.gather(*flood)
    assert {status for status, _ in answers} <= {401, 429}
    assert all(BUSY in text for status, text in answers if status == 429)
