"""A refusal is a Dutch console page for a signed-in agent, a short answer for the rest."""

from __future__ import annotations


async def test_a_missing_conversation_is_a_page_with_title_and_language(sanne) -> None:
    response = await sanne.get("/gesprek/999999")
    assert response.status == 404 and response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="nl">' in page and "<title>Niet gevonden" in page
    assert "Dit gesprek bestaat niet." in page and 'href="/"' in page


async def test_api_calls_and_strangers_keep_the_short_answers(sanne, anonymous) -> None:
    api = await sanne.get("/api/gesprek/999999/events")
    assert api.status == 404 and api.content_type != "text/html"
    unknown = await anonymous.get("/werkbon/onbekend")
    assert unknown.status == 404  # the contractor's own page, untouched
    assert "Niet gevonden" not in await unknown.text()
