"""The console's security list: sessions, CSRF, roles, headers, cookies, escaping, paths."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from console.app import ConsoleSettings, init_app
from console.auth import FAILED, PUBLIC_ROUTES, THROTTLED
from meldkamer.agents.models import Agent as AgentRow
from meldkamer.agents.models import ConsoleSession
from meldkamer.attachments.models import Attachment
from meldkamer.handover.models import Handover, Note
from meldkamer.handover.service import availability
from tests.console.conftest import NOW, PASSWORDS, hand_over
from tests.console.signin import login_token_of, open_login, post_login, submit_login
from tests.portal.fixtures import anna, portal_data  # noqa: F401  (fixtures)

# Every route of the application, read from its router: a route added later is in
# these lists by itself, and the test below fails until someone says why it is safe.
_APP = init_app(ConsoleSettings(database_url="unused"))
_SAMPLE = {
    "handover_id": "1",
    "number": "MK-2026-000001",
    "attachment_id": "1",
    "token": "x",
    "clock_id": "1",
    # The client portal and its supervisor pages (tests/portal walks them per client).
    "request_id": "1",
    "decision": "doorvoeren",
    "username": "linde-anna",
    "action": "uitschakelen",
    "month": "2026-11",
    "fmt": "pdf",
}
ROUTES = sorted(
    {
        (route.method, route.resource.name, route.resource.canonical)
        for route in _APP.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
)

#: Why each protected route must refuse a stranger; one line per route.
PROTECTED = {
    "queue": "the queue: tenants' addresses and reasons for the handover",
    "queue-events": "the queue's live stream (SSE): the same data, pushed",
    "take": "taking a conversation: only a signed-in agent may speak for the meldkamer",
    "conversation": "a conversation: summary, contact details and the tenant's messages",
    "conversation-events": "the conversation's live transcript stream (SSE)",
    "reply": "sending a message to a tenant in the meldkamer's name",
    "note": "internal notes on a conversation",
    "hand-back": "handing a conversation back to the assistant",
    "close": "closing a conversation",
    "correct": "changing what the assistant collected (address, answers, contact details)",
    "ticket": "a ticket's dossier: name, phone, e-mail, address, work orders",
    "ticket-edit": "changing a ticket (urgency, status, contact details)",
    "ticket-note": "internal notes on a ticket",
    "attachment": "tenants' photos, taken inside their homes",
    "phone": "phone mode: starting a melding in the meldkamer's name",
    "phone-step": "phone mode: the wizard's steps (reads the clients' addresses)",
    "phone-confirm": "phone mode: registering and dispatching a melding (sends work orders)",
    "beheer": "supervisor page: agents, presence and the handover history",
    "supervisor": "supervisor page: queue figures, agents present and their load",
    "supervisor-events": "the supervisor figures' live stream (SSE): the same data, pushed",
    "accounts": "account management: every account, its state and clients",
    "accounts-add": "adding an account (supervisors who see every client only)",
    "accounts-password": "a new password for an account, shown once",
    "accounts-active": "disabling or enabling an account",
    "accounts-scope": "the clients an account works for, as a form",
    "accounts-scope-save": "changing the clients an account works for",
    "bewaking": "Bewaking: every open SLA clock with ticket numbers and contractors",
    "bewaking-events": "Bewaking's live stream (SSE): the same data, pushed",
    "bewaking-opgepakt": "taking a breach on: stops the escalation in the meldkamer's name",
    "ticket-doorverbinden": "registering a transfer to the client; mails them the ticket summary",
    "gesprek-doorverbinden": "registering a transfer of a conversation to the client's employee",
    "logout": "signing out: only meaningful with a session (and must not be forged)",
    "tickets": "the ticket list and search: tenants' names, phone numbers and addresses",
    "tickets-csv": "the ticket list as CSV: the same data, for a spreadsheet",
    "beheer-wijzigingen": "clients' change requests: their client files' contents",
    "beheer-wijziging": "one change request with its diff against the file in force",
    "beheer-wijziging-besluit": "applying or rejecting a client's change (mails the client)",
    "beheer-portaal": "the portal's accounts: names and clients of the clients' staff",
    "beheer-portaal-toevoegen": "adding a portal account: access to a client's meldingen",
    "beheer-portaal-wijzigen": "disabling an account or setting its password",
}

#: The client portal's routes: its own sign-in (console/portal/auth.py), one line each.
PORTAL_PUBLIC = frozenset({"portaal-inloggen", "portaal-inloggen-post"})
PORTAL_PROTECTED = {
    "portaal-start": "the portal's start: a redirect, but only for a signed-in client",
    "portaal-overzicht": "the client's month so far: counts of its tenants' meldingen",
    "portaal-meldingen": "the client's meldingen: tenants' names and addresses",
    "portaal-melding": "one melding: the tenant's contact details, work orders, contacts",
    "portaal-foto": "tenants' photos, taken inside their homes",
    "portaal-klantdossier": "the client file: contractors, rosters, piket phone numbers",
    "portaal-rapporten": "the monthly reports of the client",
    "portaal-rapport": "one monthly report: every melding of the month",
    "portaal-wijzigingen": "the client's change requests",
    "portaal-wijziging-nieuw": "the form of a change request: the client's file in force",
    "portaal-wijziging-controle": "checking and submitting a change to the client's file",
    "portaal-wijziging": "one change request with its diff",
    "portaal-uitloggen": "signing out of the portal (must not be forged)",
}


def _url(canonical: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _SAMPLE[m.group(1)], canonical)


def test_every_route_is_either_public_or_listed() -> None:
    names = {name for _, name, _ in ROUTES}
    assert names - PUBLIC_ROUTES - PORTAL_PUBLIC == set(PROTECTED) | set(PORTAL_PROTECTED)
    assert PUBLIC_ROUTES <= names


@pytest.mark.parametrize(
    ("method", "name", "path"),
    [
        pytest.param(method, name, _url(canonical), id=f"{method} {name}")
        for method, name, canonical in ROUTES
        if name not in PUBLIC_ROUTES | PORTAL_PUBLIC
    ],
)
async def test_every_console_page_and_api_refuses_without_a_session(
    anonymous, sessions, method: str, name: str, path: str
) -> None:
    hand_over(sessions)  # something to leak, should the check be missing
    response = await anonymous.request(method, path, allow_redirects=False)
    if path.startswith("/api/"):
        assert response.status == 401, PROTECTED[name]
        assert await response.json() == {"error": "niet ingelogd"}
    elif name in PORTAL_PROTECTED:  # the portal sends strangers to its own sign-in
        assert response.status == 303, PORTAL_PROTECTED[name]
        assert response.headers["Location"].startswith("/portaal/inloggen")
    else:
        assert response.status == 303, PROTECTED[name]
        assert response.headers["Location"].startswith("/login")
    assert "Fatima" not in await response.text()


async def test_event_streams_answer_401_also_when_asked_as_a_stream(anonymous) -> None:
    response = await anonymous.get("/api/queue/events", headers={"Accept": "text/event-stream"})
    assert response.status == 401


async def test_a_made_up_or_expired_session_is_refused(anonymous, sanne, clock) -> None:
    anonymous.session.cookie_jar.update_cookies({"mk_sessie": "verzonnen-token"})
    assert (await anonymous.get("/", allow_redirects=False)).status == 303
    assert (await sanne.get("/", allow_redirects=False)).status == 200
    clock.advance(hours=12, seconds=1)
    response = await sanne.get("/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"


async def test_public_routes_stay_public(anonymous) -> None:
    assert (await anonymous.get("/health")).status == 200
    assert (await anonymous.get("/login")).status == 200
    assert (await anonymous.get("/static/console.css")).status == 200
    assert (await anonymous.get("/werkbon/onbekend")).status == 404  # public, but unknown
    assert (await anonymous.get("/sla/onbekend")).status == 404
    assert (await anonymous.post("/sla/onbekend")).status == 404


#: Public routes that need no session but check a credential of their own.
OWN_CREDENTIAL = {
    "metrics": "public-from-loopback/bearer: the figures only from this host, else with "
    "MELDKAMER_METRICS_TOKEN (console/metrics.py)",
}


async def test_public_routes_with_their_own_credential_refuse_strangers(anonymous) -> None:
    assert set(OWN_CREDENTIAL) <= PUBLIC_ROUTES
    stranger = {"X-Forwarded-For": "203.0.113.9"}  # through a proxy: not loopback
    response = await anonymous.get("/metrics", headers=stranger)
    assert response.status == 403, OWN_CREDENTIAL["metrics"]
    assert "meldkamer_" not in await response.text()


# --- CSRF -------------------------------------------------------------------------------

POSTS = [
    (name, _url(canonical))
    for method, name, canonical in ROUTES
    if method == "POST"
    and name not in {"werkbon-bevestigen", "sla-opgepakt", "login-post"}
    and name not in PORTAL_PUBLIC | set(PORTAL_PROTECTED)
]
#: The portal's POSTs, refused without the portal session's own token (a portal user's).
PORTAL_POSTS = [
    (name, _url(canonical))
    for method, name, canonical in ROUTES
    if method == "POST" and name in PORTAL_PROTECTED
]


def test_every_post_route_is_covered() -> None:
    # werkbon-bevestigen, sla-opgepakt: public, the link's secret token is the credential;
    # login-post: its own double-submit token, tested below.
    # portaal-inloggen-post: the portal's sign-in form, its own double-submit token.
    assert {name for name, _ in POSTS + PORTAL_POSTS} == {
        name for method, name, _ in ROUTES if method == "POST"
    } - {"werkbon-bevestigen", "sla-opgepakt", "login-post", "portaal-inloggen-post"}


@pytest.mark.parametrize(("name", "path"), PORTAL_POSTS, ids=[name for name, _ in PORTAL_POSTS])
@pytest.mark.parametrize("token", [None, "verkeerd", "console"], ids=["zonder", "fout", "console"])
async def test_portal_posts_without_the_portal_csrf_token_are_refused(
    anna,  # noqa: F811  (the fixture)
    sanne,
    sessions,
    name: str,
    path: str,
    token: str | None,
) -> None:
    from meldkamer.portal.models import ChangeRequest, PortalSession

    sent = sanne.csrf if token == "console" else token  # a console token is not the portal's
    data = {"csrf_token": sent, "onderdeel": "stookseizoen", "actie": "indienen"} if sent else {}
    response = await anna.client.post(path, data=data, allow_redirects=False)
    assert response.status == 403, name
    with sessions() as session:
        assert session.query(PortalSession).count() == 1  # still signed in: nothing was done
        assert session.query(ChangeRequest).count() == 2  # the two of the fixture


@pytest.mark.parametrize(("name", "path"), POSTS, ids=[name for name, _ in POSTS])
@pytest.mark.parametrize("token", [None, "verkeerd"], ids=["zonder-token", "fout-token"])
async def test_posts_without_the_csrf_token_are_refused(
    sanne, sessions, name: str, path: str, token: str | None
) -> None:
    handover_id = hand_over(sessions)
    assert path.count("/1") <= 1 and handover_id == 1
    data = {"csrf_token": token} if token else {}
    response = await sanne.client.post(path, data=data, allow_redirects=False)
    assert response.status == 403, name
    with sessions() as session:
        assert session.get(Handover, 1).status == "wachtend"  # nothing was done


async def test_the_header_carries_the_token_for_scripts(sanne, sessions) -> None:
    hand_over(sessions)
    wrong = await sanne.client.post(
        "/overnemen/1", headers={"X-CSRF-Token": "nee"}, allow_redirects=False
    )
    assert wrong.status == 403
    right = await sanne.client.post(
        "/overnemen/1", headers={"X-CSRF-Token": sanne.csrf}, allow_redirects=False
    )
    assert right.status == 303


async def test_the_csrf_token_of_one_session_does_not_work_in_another(
    sanne, piet, sessions
) -> None:
    hand_over(sessions)
    response = await piet.client.post(
        "/overnemen/1", data={"csrf_token": sanne.csrf}, allow_redirects=False
    )
    assert response.status == 403


async def test_login_needs_the_login_forms_token(anonymous) -> None:
    response = await anonymous.post(
        "/login", data={"username": "sanne", "password": PASSWORDS["sanne"]}, allow_redirects=False
    )
    assert response.status == 403
    assert "mk_sessie" not in {c.key for c in anonymous.session.cookie_jar}


# --- roles ------------------------------------------------------------------------------


async def test_an_agent_cannot_read_a_supervisor_page(sanne, chef) -> None:
    refused = await sanne.get("/beheer")
    assert refused.status == 403
    assert "alleen voor supervisors" in await refused.text()
    assert 'href="/beheer"' not in await (await sanne.get("/")).text()
    allowed = await chef.get("/beheer")
    assert allowed.status == 200
    text = await allowed.text()
    assert "Sanne de Vries" in text and "aanwezig" in text


# --- sessions, cookies, presence ----------------------------------------------------------


async def test_cookie_flags_and_only_the_tokens_hash_is_stored(anonymous, sessions) -> None:
    response = await post_login(anonymous, username="sanne", password=PASSWORDS["sanne"])
    cookie = response.cookies["mk_sessie"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # CONSOLE_SECURE_COOKIES not set
    assert int(cookie["max-age"]) == 12 * 3600
    with sessions() as session:
        (row,) = session.execute(select(ConsoleSession)).scalars()
        assert row.token_hash == hashlib.sha256(cookie.value.encode()).hexdigest()
        assert cookie.value not in (row.token_hash, row.csrf_token)
        assert row.expires_at == NOW + timedelta(hours=12)


async def test_secure_cookies_when_configured(aiohttp_client, sessions, fake_rasa, clock) -> None:
    app = init_app(
        ConsoleSettings(database_url="unused", rasa_url=fake_rasa.url, secure_cookies=True),
        sessions=sessions,
        clock=clock,
    )
    client = await aiohttp_client(app)
    form = await client.get("/login")
    assert form.cookies["mk_login"]["secure"]
    token = login_token_of(await form.text())
    # The client keeps Secure cookies for HTTPS; send it by hand over the test's HTTP.
    response = await client.post(
        "/login",
        data={"login_token": token, "username": "sanne", "password": PASSWORDS["sanne"]},
        headers={"Cookie": f"mk_login={form.cookies['mk_login'].value}"},
        allow_redirects=False,
    )
    assert response.cookies["mk_sessie"]["secure"]


async def test_logout_ends_the_session_for_good(sanne, sessions) -> None:
    token = next(c.value for c in sanne.client.session.cookie_jar if c.key == "mk_sessie")
    response = await sanne.post("/logout")
    assert response.status == 303 and response.headers["Location"] == "/login"
    sanne.client.session.cookie_jar.update_cookies({"mk_sessie": token})  # replay the old token
    assert (await sanne.get("/", allow_redirects=False)).status == 303
    with sessions() as session:
        assert session.execute(select(ConsoleSession)).first() is None


async def test_signing_out_ends_presence_at_once(sanne, sessions, clock) -> None:
    with sessions() as session:
        assert availability(session, clock.now).available
    await sanne.post("/logout")
    with sessions() as session:
        assert not availability(session, clock.now).available  # the bot calls back instead


async def test_every_request_counts_as_presence(sanne, sessions, clock) -> None:
    clock.advance(minutes=5)
    await sanne.get("/")
    with sessions() as session:
        agent = session.execute(select(AgentRow).where(AgentRow.username == "sanne")).scalar_one()
        assert agent.last_seen_at == clock.now


async def test_the_event_stream_heartbeat_counts_as_presence(
    sanne, sessions, clock, monkeypatch
) -> None:
    monkeypatch.setattr("console.events.HEARTBEAT_SECONDS", 0.05)
    response = await sanne.get("/api/queue/events")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    await response.content.readline()
    clock.advance(minutes=3)
    while b"hartslag" not in await response.content.readline():
        pass
    response.close()
    with sessions() as session:
        agent = session.execute(select(AgentRow).where(AgentRow.username == "sanne")).scalar_one()
        assert agent.last_seen_at == clock.now


async def test_no_open_redirect_after_login(anonymous) -> None:
    text, token = await open_login(anonymous, "/login?next=//evil.example/x")
    assert 'name="next" value="/"' in text
    response = await submit_login(
        anonymous,
        "/login",
        token,
        username="sanne",
        password=PASSWORDS["sanne"],
        next="https://evil.example/",
    )
    assert response.headers["Location"] == "/"


async def test_a_page_asked_before_login_is_shown_after_it(anonymous, sessions) -> None:
    hand_over(sessions)
    first = await anonymous.get("/gesprek/1", allow_redirects=False)
    assert unquote(first.headers["Location"]) == "/login?next=/gesprek/1"
    text, token = await open_login(anonymous, first.headers["Location"])
    nxt = re.search(r'name="next" value="([^"]+)"', text).group(1)
    response = await submit_login(
        anonymous, "/login", token, username="sanne", password=PASSWORDS["sanne"], next=nxt
    )
    assert response.headers["Location"] == "/gesprek/1"


# --- no user enumeration, throttling ------------------------------------------------------


async def _try(client, username: str, password: str):
    return await post_login(client, username=username, password=password)


async def test_unknown_user_and_wrong_password_look_the_same(anonymous, sessions) -> None:
    with sessions.begin() as session:
        piet = session.execute(select(AgentRow).where(AgentRow.username == "piet")).scalar_one()
        piet.active = False
    answers = [
        await _try(anonymous, "niemand", "Willekeurig-wachtwoord"),  # no such account
        await _try(anonymous, "sanne", "Verkeerd-wachtwoord"),  # wrong password
        await _try(anonymous, "piet", PASSWORDS["piet"]),  # right password, account disabled
    ]
    assert {a.status for a in answers} == {401}
    texts = [await a.text() for a in answers]
    assert all(FAILED in t for t in texts)
    assert len({re.sub(r'value="[^"]+"|value=""', "", t) for t in texts}) == 1


async def test_repeated_failures_are_throttled_for_any_username(anonymous, clock) -> None:
    for username in ("sanne", "bestaat-niet"):
        for _ in range(5):
            assert (await _try(anonymous, username, "Fout-wachtwoord-x")).status == 401
        blocked = await _try(anonymous, username, PASSWORDS.get(username, "Fout-wachtwoord-x"))
        assert blocked.status == 429 and THROTTLED in await blocked.text()
    clock.advance(minutes=16)
    assert (await _try(anonymous, "sanne", PASSWORDS["sanne"])).status == 303


# --- headers, CSP, escaping -------------------------------------------------------------------

PAGES = ["/", "/nieuw", "/beheer", "/gesprek/1", "/login", "/static/console.css"]


@pytest.mark.parametrize("path", PAGES)
async def test_security_headers_everywhere(chef, sessions, path: str) -> None:
    hand_over(sessions)
    response = await chef.get(path)
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    if path.endswith(".css"):
        return
    text = await response.text()
    # The CSP forbids inline scripts and styles: the pages must not need them.
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert "<style" not in text and not re.search(r"<[^>]*\s(style|on[a-z]+)=", text)


async def test_errors_and_streams_have_the_headers_too(sanne, anonymous) -> None:
    missing = await sanne.get("/gesprek/999")
    assert missing.status == 404 and missing.headers["X-Frame-Options"] == "DENY"
    stream = await sanne.get("/api/queue/events")
    assert stream.headers["X-Content-Type-Options"] == "nosniff"
    stream.close()
    refused = await anonymous.get("/api/queue/events")
    assert "Content-Security-Policy" in refused.headers


async def test_tenant_html_in_the_summary_is_shown_as_text(sanne, sessions) -> None:
    hand_over(sessions, naam='<img src=x onerror="alert(1)">', adres="<b>1234 AB 12</b>")
    for path in ("/", "/gesprek/1"):
        text = await (await sanne.get(path)).text()
        assert "<img src=x" not in text and "<b>1234" not in text
        assert "&lt;b&gt;1234 AB 12&lt;/b&gt;" in text


# --- photos: path check -----------------------------------------------------------------------


async def test_photos_are_served_only_from_the_upload_folder(sanne, sessions, uploads) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    (uploads / "2026" / "12").mkdir(parents=True)
    (uploads / "2026" / "12" / "foto.png").write_bytes(png)
    outside = uploads.parent / "geheim.png"
    outside.write_bytes(png)
    (uploads / "link.png").symlink_to(outside)
    with sessions.begin() as session:
        for i, path in enumerate(["2026/12/foto.png", "../geheim.png", str(outside), "link.png"]):
            session.add(
                Attachment(
                    conversation_id="c",
                    path=path,
                    content_type="image/png",
                    size=len(png),
                    sha256=str(i),
                    created_at=NOW,
                )
            )
    good = await sanne.get("/bijlagen/1")
    assert good.status == 200 and await good.read() == png
    assert good.headers["Content-Type"] == "image/png"
    for attachment_id in (2, 3, 4, 99):
        assert (await sanne.get(f"/bijlagen/{attachment_id}")).status == 404
    assert (await sanne.get("/bijlagen/..%2Fgeheim.png")).status == 404


# --- malformed input: the sender's 4xx, never a 500 -----------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"username=%80\x80&csrf_token=\xff", "application/x-www-form-urlencoded"),  # not UTF-8
        (b"", "multipart/form-data; boundary=x"),  # empty multipart
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),  # broken multipart
    ],
    ids=["not-utf8", "empty-multipart", "broken-multipart"],
)
@pytest.mark.parametrize("path", ["/login", "/logout", "/nieuw"])
async def test_malformed_form_bodies_are_refused(sanne, path, body, content_type) -> None:
    response = await sanne.client.post(
        path, data=body, headers={"Content-Type": content_type}, allow_redirects=False
    )
    assert response.status in (400, 403)


async def test_control_characters_never_reach_the_database(sanne, sessions) -> None:
    handover_id = hand_over(sessions)
    response = await sanne.post(f"/gesprek/{handover_id}/notitie", {"notitie": "a\x00b\x07c\nd"})
    assert response.status == 303
    with sessions() as session:
        (note,) = session.execute(select(Note)).scalars()
        assert note.text == "abc\nd"


@pytest.mark.parametrize("token", ["ab%00cd", "a%20b", "%3A", "x" * 101])
async def test_work_order_links_that_are_no_token_are_404(anonymous, token) -> None:
    assert (await anonymous.get(f"/werkbon/{token}")).status == 404
    assert (await anonymous.post(f"/werkbon/{token}", data={"x": "1"})).status in (404, 405)
