"""Accounts in the browser: add, disable, new password, clients; supervisors of all clients."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from meldkamer.agents.accounts import find_agent, verify_password
from meldkamer.agents.models import Agent as AgentRow
from meldkamer.agents.scope import AgentScope, scope_of, set_scope
from tests.console.conftest import PASSWORDS, login

PASSWORD_SHOWN = re.compile(r'<code id="nieuw-wachtwoord">([^<]+)</code>')


def shown_password(page: str) -> str:
    found = PASSWORD_SHOWN.search(page)
    assert found is not None, page
    return found.group(1)


def account(sessions, username: str) -> AgentRow:
    with sessions() as session:
        agent = find_agent(session, username)
        assert agent is not None
        session.expunge(agent)
        return agent


async def test_agents_get_403_everywhere(sanne, sessions) -> None:
    assert (await sanne.get("/beheer/accounts")).status == 403
    assert (await sanne.get("/beheer/accounts/opdrachtgevers?gebruiker=piet")).status == 403
    for path, data in [
        ("/beheer/accounts", {"gebruikersnaam": "nieuw", "naam": "Nieuw", "rol": "supervisor"}),
        ("/beheer/accounts/wachtwoord", {"gebruikersnaam": "piet"}),
        ("/beheer/accounts/actief", {"gebruikersnaam": "piet", "actief": "0"}),
        ("/beheer/accounts/opdrachtgevers", {"gebruikersnaam": "sanne", "bereik": "alle"}),
    ]:
        response = await sanne.post(path, data)
        assert response.status == 403, path
    assert account(sessions, "piet").active
    with sessions() as session:
        assert find_agent(session, "nieuw") is None


async def test_a_supervisor_limited_to_some_clients_cannot_manage_accounts(chef, sessions) -> None:
    with sessions.begin() as session:
        set_scope(session, find_agent(session, "chef"), ["de-linde"], known=["de-linde"])
    refused = await chef.get("/beheer/accounts")
    assert refused.status == 403 and "alle opdrachtgevers ziet" in await refused.text()
    response = await chef.post("/beheer/accounts/opdrachtgevers", {"gebruikersnaam": "chef"})
    assert response.status == 403
    with sessions() as session:
        assert scope_of(session, find_agent(session, "chef").id).limited


async def test_the_overview_shows_labels_and_links(chef) -> None:
    page = await (await chef.get("/beheer/accounts")).text()
    assert "Sanne de Vries" in page and "medewerker" in page and "supervisor" in page
    assert "alle opdrachtgevers" in page and "Woonstichting De Linde" in page
    assert "Uitschakelen<span" in page
    # No button to disable oneself.
    chef_row = re.search(r'<tr id="account-chef">(.*?)</tr>', page, re.S).group(1)
    assert "Uitschakelen" not in chef_row and "Nieuw wachtwoord" in chef_row


async def test_add_an_agent_with_a_password_shown_once(chef, anonymous, sessions) -> None:
    response = await chef.post(
        "/beheer/accounts",
        {"gebruikersnaam": "Noor", "naam": "Noor  Bakker", "rol": "agent", "bereik": "alle"},
    )
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = await response.text()
    password = shown_password(page)
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    assert "Noor Bakker" in page and "maar één keer getoond" in page
    noor = account(sessions, "noor")
    assert noor.role == "agent" and noor.active and noor.display_name == "Noor Bakker"
    assert password not in noor.password_hash and verify_password(password, noor.password_hash)
    # Never again: the overview does not show it.
    assert password not in await (await chef.get("/beheer/accounts")).text()
    await login(anonymous, "noor", password)  # and it works


async def test_add_limited_to_one_client(chef, sessions) -> None:
    response = await chef.post(
        "/beheer/accounts",
        {
            "gebruikersnaam": "kees",
            "naam": "Kees",
            "rol": "supervisor",
            "bereik": "enkele",
            "opdrachtgever-de-linde": "1",
        },
    )
    assert response.status == 200
    with sessions() as session:
        kees = find_agent(session, "kees")
        assert kees.role == "supervisor"
        assert scope_of(session, kees.id) == AgentScope(frozenset({"de-linde"}))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"gebruikersnaam": "sanne", "naam": "Nog een Sanne"}, "bestaat al"),
        ({"gebruikersnaam": "Ab cd", "naam": "X"}, "een gebruikersnaam heeft"),
        ({"gebruikersnaam": "leeg", "naam": "  "}, "een naam heeft"),
        ({"gebruikersnaam": "baas", "naam": "Baas", "rol": "koning"}, "een rol is"),
        ({"gebruikersnaam": "geen", "naam": "Geen", "bereik": "enkele"}, "minstens één"),
        (
            {"gebruikersnaam": "vreemd", "naam": "V", "bereik": "enkele", "opdrachtgever-x": "1"},
            "onbekende opdrachtgever: x",
        ),
    ],
)
async def test_bad_input_is_refused_with_a_reason_and_kept(chef, sessions, data, says) -> None:
    response = await chef.post("/beheer/accounts", data)
    assert response.status == 400
    page = await response.text()
    assert says in page and "Niet aangemaakt" in page
    assert PASSWORD_SHOWN.search(page) is None
    assert f'value="{data["naam"]}"' in page  # what was typed stays in the form
    with sessions() as session:
        names = set(session.execute(select(AgentRow.username)).scalars())
    assert names == {"sanne", "piet", "chef"}


async def test_a_new_password_replaces_the_old_one(chef, anonymous, sessions) -> None:
    response = await chef.post("/beheer/accounts/wachtwoord", {"gebruikersnaam": "piet"})
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    password = shown_password(await response.text())
    piet = account(sessions, "piet")
    assert verify_password(password, piet.password_hash)
    assert not verify_password(PASSWORDS["piet"], piet.password_hash)
    await login(anonymous, "piet", password)
    unknown = await chef.post("/beheer/accounts/wachtwoord", {"gebruikersnaam": "niemand"})
    assert unknown.status == 404 and "bestaat niet" in await unknown.text()


async def test_disable_ends_the_session_and_enable_lets_in_again(chef, piet, sessions) -> None:
    assert (await piet.get("/", allow_redirects=False)).status == 200
    response = await chef.post("/beheer/accounts/actief", {"gebruikersnaam": "piet", "actief": "0"})
    assert response.status == 303 and response.headers["Location"] == "/beheer/accounts"
    assert not account(sessions, "piet").active
    assert (await piet.get("/", allow_redirects=False)).status == 303  # signed out
    page = await (await chef.get("/beheer/accounts")).text()
    piet_row = re.search(r'<tr id="account-piet" class="uitgeschakeld">(.*?)</tr>', page, re.S)
    assert piet_row is not None and "Inschakelen" in piet_row.group(1)
    again = await chef.post("/beheer/accounts/actief", {"gebruikersnaam": "piet", "actief": "1"})
    assert again.status == 303 and account(sessions, "piet").active


async def test_nobody_disables_their_own_account(chef, sessions) -> None:
    response = await chef.post("/beheer/accounts/actief", {"gebruikersnaam": "chef", "actief": "0"})
    assert response.status == 400 and "eigen account" in await response.text()
    assert account(sessions, "chef").active


async def test_clients_of_an_account_are_edited(chef, sanne, sessions) -> None:
    form = await chef.get("/beheer/accounts/opdrachtgevers?gebruiker=sanne")
    page = await form.text()
    assert form.status == 200 and "Opdrachtgevers van Sanne de Vries" in page
    assert 'value="alle" checked' in page
    saved = await chef.post(
        "/beheer/accounts/opdrachtgevers",
        {"gebruikersnaam": "sanne", "bereik": "enkele", "opdrachtgever-de-linde": "1"},
    )
    assert saved.status == 303
    with sessions() as session:
        assert scope_of(session, find_agent(session, "sanne").id).clients == {"de-linde"}
    page = await (await chef.get("/beheer/accounts/opdrachtgevers?gebruiker=sanne")).text()
    assert (
        'value="enkele" checked' in page
        and 'name="opdrachtgever-de-linde" value="1" checked' in page
    )
    refused = await chef.post(
        "/beheer/accounts/opdrachtgevers", {"gebruikersnaam": "sanne", "bereik": "enkele"}
    )
    assert refused.status == 400 and "minstens één" in await refused.text()
    back = await chef.post("/beheer/accounts/opdrachtgevers", {"gebruikersnaam": "sanne"})
    assert back.status == 303
    with sessions() as session:
        assert not scope_of(session, find_agent(session, "sanne").id).limited
    missing = await chef.get("/beheer/accounts/opdrachtgevers?gebruiker=niemand")
    assert missing.status == 404
